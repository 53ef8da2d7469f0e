"""Governance rows are seen exactly by those who see their alliance (AllianceOwnedQuerySet);
partner contacts by those who see their partner. Rules computed when read live here."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import ExtractYear
from django.utils import timezone

from alliances.calendar import today
from alliances.models import Partner
from alliances.querysets import AllianceOwnedQuerySet

from .choices import ActionStatus, MeetingStatus


def active_body_q(day: datetime.date | None = None) -> models.Q:
    """A body is active from its charter (or always, without one) until it is dissolved."""
    day = day or today()
    return (models.Q(chartered_on__isnull=True) | models.Q(chartered_on__lte=day)) & (
        models.Q(dissolved_on__isnull=True) | models.Q(dissolved_on__gt=day)
    )


def minutes_overdue_q(now: datetime.datetime | None = None, prefix: str = "") -> models.Q:
    """A held meeting whose minutes are not approved MINUTES_APPROVAL_DAYS after it started."""
    from django.utils import timezone

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.MINUTES_APPROVAL_DAYS)
    return models.Q(**{f"{prefix}status": MeetingStatus.HELD, f"{prefix}starts_at__lt": cutoff})


def action_overdue_q(day: datetime.date | None = None, prefix: str = "") -> models.Q:
    return models.Q(
        **{f"{prefix}status": ActionStatus.OPEN, f"{prefix}due_date__lt": day or today()}
    )


class GovernanceBodyQuerySet(AllianceOwnedQuerySet):
    def active(self, day: datetime.date | None = None):
        return self.filter(active_body_q(day))


class BodyMemberQuerySet(AllianceOwnedQuerySet):
    alliance_path = "body__alliance"


def _year_of(field: str, years: list[int], tz) -> models.Expression:
    """The local year of `field` among `years` (consecutive, ascending), found by comparing
    with each year's first instant in `tz`: a few comparisons of the stored value, halving
    the range each time."""

    def start(year):
        return timezone.make_aware(datetime.datetime(year, 1, 1), tz)

    def within(low, high):  # years[low:high], the value between their starts
        if high - low == 1:
            return models.Value(years[low])
        middle = (low + high) // 2
        return models.Case(
            models.When(**{f"{field}__lt": start(years[middle])}, then=within(low, middle)),
            default=within(middle, high),
        )

    return within(0, len(years))


class MeetingQuerySet(AllianceOwnedQuerySet):
    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        """As QuerySet.datetimes. The years (the list's date links) compare stored values with
        each year's first instant for the twenty years either side of this one and truncate
        only dates outside them: on SQLite Django truncates every row in Python (0.4 s over
        40,000 meetings)."""
        if kind != "year" or LOOKUP_SEP in field_name:
            return super().datetimes(field_name, kind, order, tzinfo)
        tz = tzinfo or timezone.get_current_timezone()
        this_year = timezone.now().year
        years = list(range(this_year - 20, this_year + 21))
        first, last = years[0], years[-1] + 1
        year = models.Case(
            models.When(
                models.Q(
                    **{f"{field_name}__lt": timezone.make_aware(datetime.datetime(first, 1, 1), tz)}
                )
                | models.Q(
                    **{f"{field_name}__gte": timezone.make_aware(datetime.datetime(last, 1, 1), tz)}
                ),
                then=ExtractYear(field_name, tzinfo=tz),
            ),
            default=_year_of(field_name, years, tz),
            output_field=models.IntegerField(),
        )
        found = (
            self.filter(**{f"{field_name}__isnull": False})
            .order_by()
            .annotate(local_year=year)
            .values_list("local_year", flat=True)
            .distinct()
        )
        return [
            timezone.make_aware(datetime.datetime(y, 1, 1), tz)
            for y in sorted(found, reverse=order == "DESC")
        ]

    def minutes_overdue(self, now=None):
        return self.filter(minutes_overdue_q(now))

    def with_minutes_overdue(self, now=None):
        """Each meeting's `minutes_overdue` (minutes_overdue_q), worked out by the database."""
        return self.annotate(
            minutes_overdue=models.ExpressionWrapper(
                minutes_overdue_q(now), output_field=models.BooleanField()
            )
        )


class MeetingOwnedQuerySet(AllianceOwnedQuerySet):
    alliance_path = "meeting__alliance"


class ActionItemQuerySet(AllianceOwnedQuerySet):
    def also_visible(self, user) -> models.Q:
        """Your own item on an alliance that is not confidential, as with your own tasks; on a
        confidential alliance only those on it see its items."""
        return models.Q(owner_user=user, alliance__confidential=False)

    def overdue(self, day: datetime.date | None = None):
        return self.filter(action_overdue_q(day))


class PartnerContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever sees the partner sees its people."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(partner__in=Partner.objects.visible_to(user).values("pk"))


def obligation_overdue_q(day: datetime.date | None = None, prefix: str = "") -> models.Q:
    """Due (or disputed) with its due date passed: worked out when read."""
    from .choices import ObligationStatus

    return models.Q(
        **{
            f"{prefix}status__in": [ObligationStatus.DUE, ObligationStatus.DISPUTED],
            f"{prefix}due_date__lt": day or today(),
        }
    )


class AgreementQuerySet(AllianceOwnedQuerySet):
    pass


class ObligationQuerySet(AllianceOwnedQuerySet):
    def overdue(self, day: datetime.date | None = None):
        return self.filter(obligation_overdue_q(day))
