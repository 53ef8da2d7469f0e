"""Demo status reports: six months for most active alliances, ending with the month now due,
some of them missing and a few red. Built rather than stored, so the months are always the
last six whenever the demo is loaded."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliances.calendar import today
from alliances.choices import Status
from alliances.models import Alliance

from .latest import due_month, next_month, previous_month
from .models import StatusReport

HEADLINES = {
    "green": [
        ("On plan: milestones met and governance running smoothly.", "stable"),
        ("Joint development plan approved; first patient dosed on schedule.", "improving"),
        ("JSC aligned on next year's budget; no open escalations.", "stable"),
        ("Partner relationship strong; health survey scores up.", "improving"),
        ("Tech transfer completed ahead of schedule.", "improving"),
    ],
    "amber": [
        ("CMC transfer slipping two weeks; mitigation agreed at the JDC.", "declining"),
        ("Budget variance under review with partner finance.", "stable"),
        ("Recruitment behind plan at two sites; partner adding sites.", "declining"),
        ("Governance cadence slipped: JSC postponed once this quarter.", "stable"),
        ("Quality agreement redlines still open with partner QA.", "stable"),
    ],
    "red": [
        ("Partner paused the programme pending portfolio review.", "declining"),
        ("Milestone dispute escalated to executive sponsors.", "declining"),
        ("Safety signal under review; dosing on hold.", "declining"),
    ],
}

NARRATIVE = (
    "Discussed at the monthly alliance review. Actions are logged with owners on both sides; "
    "the next checkpoint is the coming joint steering committee."
)


def written_at(month: datetime.date) -> datetime.datetime:
    """When a month's report would have been written: early in the next month (never later
    than now), so the changes sheet shows RAG moves on the days they were reported."""
    written = datetime.datetime.combine(next_month(month).replace(day=3), datetime.time(9))
    return min(timezone.make_aware(written), timezone.now())


def date_reports(queryset, months) -> None:
    for month in months:
        when = written_at(month)
        queryset.filter(month=month).update(created_at=when, updated_at=when)


def build_status_reports() -> None:
    rng = random.Random(2026)
    last = due_month(today())
    months = [last]
    for _ in range(5):
        months.append(previous_month(months[-1]))
    months.reverse()
    authors = {u.pk: u for u in get_user_model().objects.filter(username__in=["lead", "lead2"])}
    fallback = next(iter(authors.values()), None)
    reports = []
    alliances = Alliance.objects.exclude(status=Status.CLOSED).order_by("pk")
    for n, alliance in enumerate(alliances):
        if n % 9 == 8:
            continue  # never reported
        author = authors.get(alliance.lead_id, fallback) or alliance.lead
        rag = rng.choices(["green", "amber", "red"], weights=[6, 3, 1])[0]
        for month in months:
            if alliance.start_date and alliance.start_date > month:
                continue
            if month == last and n % 7 == 3:
                continue  # this month's report is missing
            rag = rng.choices([rag, "green", "amber", "red"], weights=[6, 2, 2, 1])[0]
            headline, trend = rng.choice(HEADLINES[rag])
            reports.append(
                StatusReport(
                    alliance=alliance,
                    month=month,
                    rag=rag,
                    trend=trend,
                    headline=headline,
                    narrative=NARRATIVE,
                    author=author,
                )
            )
    StatusReport.objects.bulk_create(reports)
    date_reports(StatusReport.objects.all(), months)
