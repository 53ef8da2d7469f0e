"""Status report writes: keyword-only, atomic, with the activity log."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliances.activity import activity_record, initial_changes, update_and_record
from alliances.calendar import today
from config.errors import DomainError

from .latest import month_start, next_month
from .models import StatusReport

REPORT_UPDATED = "status_report_updated"


def closes_on(month: datetime.date) -> datetime.date:
    """The last day a month's report can be written or changed."""
    return next_month(month).replace(day=settings.STATUS_REPORT_DUE_DAY)


def check_month_open(month: datetime.date) -> None:
    day = today()
    if month > month_start(day):
        raise ValidationError({"month": ["A month that has not begun cannot be reported on."]})
    if day > closes_on(month):
        raise DomainError(
            "month_closed",
            f"Reports for {month:%B %Y} closed on {closes_on(month):%d %B %Y}.",
        )


@transaction.atomic
def status_report_create(*, actor, data: dict) -> StatusReport:
    check_month_open(data["month"])
    duplicate = DomainError(
        "duplicate_report",
        f"{data['alliance'].code} already has a report for {data['month']:%B %Y}: change that one.",
    )
    if StatusReport.objects.filter(alliance=data["alliance"], month=data["month"]).exists():
        raise duplicate
    report = StatusReport(**data, author=actor)
    report.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # the same report written at the same moment
        raise duplicate from None
    activity_record(
        actor=actor,
        verb="status_reported",
        target=report,
        alliance=report.alliance,
        changes=initial_changes({k: v for k, v in data.items() if k != "alliance"}),
    )
    return report


@transaction.atomic
def status_report_update(*, actor, report: StatusReport, data: dict) -> StatusReport:
    locked = (
        StatusReport.objects.select_for_update(of=("self",))
        .select_related("alliance")
        .get(pk=report.pk)
    )
    check_month_open(locked.month)
    return update_and_record(
        actor=actor,
        instance=locked,
        data=data,
        verb=REPORT_UPDATED,
        alliance=locked.alliance,
    )
