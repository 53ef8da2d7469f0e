"""A status report is due: from the first of the month until STATUS_REPORT_DUE_DAY, each lead
of an alliance that owes last month's report hears of it once."""

import datetime

from django.db.models import Exists, OuterRef, Q

from alliances.choices import Status
from alliances.models import Alliance
from notifications.choices import Kind
from notifications.services import Message, notify_many

from .latest import month_start, next_month, previous_month
from .models import StatusReport
from .services import closes_on


def report_due_reminders(day: datetime.date) -> int:
    month = previous_month(month_start(day))
    if day > closes_on(month):
        return 0  # past its day: the report is missing, which the lists and workbook show
    reported = Exists(StatusReport.objects.filter(alliance=OuterRef("pk"), month=month))
    owing = (
        Alliance.objects.exclude(status=Status.CLOSED)
        .filter(Q(start_date__isnull=True) | Q(start_date__lt=next_month(month)))
        .filter(~reported)
        .select_related("lead")
        .order_by("code")
    )
    messages = [
        Message(
            recipient=alliance.lead,
            kind=Kind.REPORT_DUE,
            key=f"report_due:{alliance.pk}:{month.isoformat()}",
            text=f"{alliance.code} {alliance.name}: the {month:%B %Y} status report is due by "
            f"{closes_on(month):%d %b %Y}.",
            alliance=alliance,
            api_path="/api/v1/status-reports/",
            admin_path="/admin/reports/statusreport/add/",
        )
        for alliance in owing.iterator(chunk_size=500)
    ]
    return notify_many(messages)
