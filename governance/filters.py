"""Filters of the governance lists (NetBox's way: one FilterSet per list)."""

import django_filters
from django.db import models
from django.utils import timezone

from config.api.filters import BooleanFilter, DateFilter, IdFilter

from .choices import AgreementKind, AgreementStatus, BodyKind, MeetingStatus
from .models import Agreement, GovernanceBody, Meeting, PartnerContact
from .querysets import active_body_q, minutes_overdue_q


class PartnerContactFilter(django_filters.FilterSet):
    partner = IdFilter(field_name="partner_id")

    class Meta:
        model = PartnerContact
        fields = []


class GovernanceBodyFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    kind = django_filters.MultipleChoiceFilter(choices=BodyKind.choices)
    parent = IdFilter(field_name="parent_id")
    active = BooleanFilter(
        method="filter_active", label="Chartered (or without a charter date) and not dissolved"
    )

    class Meta:
        model = GovernanceBody
        fields = []

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(active_body_q()) if value else queryset.exclude(active_body_q())


class MeetingFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    body = IdFilter(field_name="body_id")
    status = django_filters.MultipleChoiceFilter(choices=MeetingStatus.choices)
    # Days as the portfolio reckons them (PORTFOLIO_TIME_ZONE).
    starts_at_after = DateFilter(field_name="starts_at__date", lookup_expr="gte")
    starts_at_before = DateFilter(field_name="starts_at__date", lookup_expr="lte")
    upcoming = BooleanFilter(method="filter_upcoming", label="Scheduled and not started yet")
    minutes_overdue = BooleanFilter(
        method="filter_minutes_overdue",
        label="Held, and the minutes not approved MINUTES_APPROVAL_DAYS after the meeting",
    )

    class Meta:
        model = Meeting
        fields = []

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        upcoming = {"status": MeetingStatus.SCHEDULED, "starts_at__gte": timezone.now()}
        return queryset.filter(**upcoming) if value else queryset.exclude(**upcoming)

    def filter_minutes_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = minutes_overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class NoticeDate(models.Func):
    """An agreement's notice date in the database: its expiry date less its notice days (NULL
    without either), as Agreement.notice_date works it out in Python."""

    output_field = models.DateField()

    def __init__(self, **extra):
        super().__init__(models.F("expiry_date"), models.F("notice_days"), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '-' || ",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")


class AgreementFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    kind = django_filters.MultipleChoiceFilter(choices=AgreementKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices)
    parent = IdFilter(field_name="parent_id")
    expiring_after = DateFilter(field_name="expiry_date", lookup_expr="gte")
    expiring_before = DateFilter(field_name="expiry_date", lookup_expr="lte")
    notice_after = DateFilter(method="filter_notice", label="Notice date on or after")
    notice_before = DateFilter(method="filter_notice", label="Notice date on or before")

    class Meta:
        model = Agreement
        fields = []

    def filter_notice(self, queryset, name, value):
        if value is None:
            return queryset
        lookup = "gte" if name == "notice_after" else "lte"
        return queryset.alias(notice_on=NoticeDate()).filter(**{f"notice_on__{lookup}": value})
