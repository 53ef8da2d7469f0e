"""What the workbook shows, read as plain rows and counts: values() tuples fetched in chunks,
so the query count and the memory the register and summary take do not grow with the
portfolio (the changes are held to sort them by time). Nothing here knows about cells."""

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from alliances.models import ActivityLog, StageTransition, TherapeuticArea
from resourcing import capacity
from resourcing.models import IntakeRequest, Service, Task
from resourcing.querysets import intake_overdue_q

from ..choices import Rag, Trend
from ..latest import missing_q, with_latest
from ..models import StatusReport
from ..services import REPORT_UPDATED
from .columns import person
from .params import PortfolioQuery

# Rows fetched from the database at a time: what the export holds in memory at once.
CHUNK = 500

REGISTER_FIELDS = (
    "code", "name", "partner__name", "partner__kind", "therapeutic_area__name", "stage",
    "status", "alliance_type", "direction", "management_model",
    "lead__first_name", "lead__last_name", "lead__username",
    "executive_sponsor__first_name", "executive_sponsor__last_name",
    "executive_sponsor__username",
    "latest__rag", "latest__trend", "latest__headline", "latest__month", "start_date",
    "upfront", "milestones", "currency", "open_tasks", "overdue_tasks", "confidential",
)  # fmt: skip


def _count(tasks) -> Coalesce:
    return Coalesce(
        Subquery(tasks.order_by().values("alliance_id").annotate(n=Count("*")).values("n")),
        0,
        output_field=IntegerField(),
    )


def register_rows(query: PortfolioQuery) -> Iterator[tuple[bool, tuple]]:
    """(masked, row): visible rows (REGISTER_FIELDS) by code, then masked rows (area, stage,
    status) ordered by what they show: their codes would tell the order they were made in."""
    # Counted per row on the (alliance, status, due_date) index: as fast as one grouped pass,
    # and nothing held in memory per alliance.
    open_work = Task.objects.filter(alliance=OuterRef("pk")).open_work()
    # Money as floats straight from the database: Excel numbers are doubles anyway, and the
    # Decimal round trip costs more than the rest of the row.
    visible = (
        with_latest(query.visible)
        .annotate(
            upfront=Cast("upfront_payment", FloatField()),
            milestones=Cast("potential_milestones", FloatField()),
            open_tasks=_count(open_work),
            overdue_tasks=_count(open_work.overdue()),
        )
        .order_by("code")
        .values_list(*REGISTER_FIELDS)
    )
    for row in visible.iterator(chunk_size=CHUNK):
        yield False, row
    masked = query.masked.order_by("therapeutic_area__name", "stage", "status").values_list(
        "therapeutic_area__name", "stage", "status"
    )
    for row in masked.iterator(chunk_size=CHUNK):
        yield True, row


@dataclass
class SummaryCounts:
    """The Summary's counts; masked rows count only by what they show (stage, area, status)."""

    grid: Counter = field(default_factory=Counter)  # (stage, area id) -> alliances
    status: Counter = field(default_factory=Counter)
    model: Counter = field(default_factory=Counter)
    kind: Counter = field(default_factory=Counter)
    rag: Counter = field(default_factory=Counter)  # latest report's RAG; None: no report
    masked: int = 0
    confidential: int = 0  # confidential alliances in the file, masked ones included


def summary_counts(query: PortfolioQuery) -> SummaryCounts:
    """Every count from two grouped queries: the visible alliances (with their latest RAG)
    and the masked ones."""
    counts = SummaryCounts()
    for stage, area, status, model, kind, rag, confidential, n in (
        with_latest(query.visible)
        .order_by()
        .values(
            "stage", "therapeutic_area", "status", "management_model", "alliance_type",
            "latest__rag", "confidential",
        )
        .annotate(n=Count("pk"))
        .values_list(
            "stage", "therapeutic_area", "status", "management_model", "alliance_type",
            "latest__rag", "confidential", "n",
        )
    ):  # fmt: skip
        counts.confidential += n if confidential else 0
        counts.grid[stage, area] += n
        counts.status[status] += n
        counts.model[model] += n
        counts.kind[kind] += n
        counts.rag[rag] += n
    for stage, area, status, n in (
        query.masked.order_by()
        .values("stage", "therapeutic_area", "status")
        .annotate(n=Count("pk"))
        .values_list("stage", "therapeutic_area", "status", "n")
    ):
        counts.grid[stage, area] += n
        counts.status[status] += n
        counts.masked += n
    counts.confidential += counts.masked
    return counts


def therapeutic_areas() -> list[tuple[int, str]]:
    return list(TherapeuticArea.objects.order_by("name").values_list("pk", "name"))


def attention_rows(query: PortfolioQuery, *, day: datetime.date) -> Iterator[tuple]:
    """(code, name, rag, trend, headline, report missing) of every visible alliance that is
    red, declining or missing the report due on `day`; streamed, like the register: it is as
    long as the trouble is."""
    missing = missing_q(day)
    return (
        with_latest(query.visible)
        .annotate(missing=ExpressionWrapper(missing, output_field=BooleanField()))
        .filter(Q(latest__rag=Rag.RED) | Q(latest__trend=Trend.DECLINING) | missing)
        .order_by("code")
        .values_list("code", "name", "latest__rag", "latest__trend", "latest__headline", "missing")
        .iterator(chunk_size=CHUNK)
    )


# Needs attention, worst first: red and declining, red, declining, then the missing reports.
SEVERITY = (
    ("red and declining", Q(latest__rag=Rag.RED, latest__trend=Trend.DECLINING)),
    ("red", Q(latest__rag=Rag.RED)),
    ("declining", Q(latest__trend=Trend.DECLINING)),
)
ATTENTION_FIELDS = (
    "code", "name", "latest__rag", "latest__trend", "latest__headline", "missing",
    "lead__first_name", "lead__last_name", "lead__username", "latest__month", "confidential",
)  # fmt: skip


class Attention(NamedTuple):
    """One alliance needing attention: `rank` is its place in SEVERITY (len(SEVERITY): only its
    report is missing); `month` is its latest report's (None: it has none)."""

    code: str
    name: str
    rag: str | None
    trend: str | None
    headline: str | None
    missing: bool
    lead: str
    month: datetime.date | None
    confidential: bool
    rank: int


def attention(query: PortfolioQuery, *, day: datetime.date, limit: int | None = None):
    """(how many, the first `limit` rows as Attention) of the visible alliances that are red,
    declining or missing the report due on `day`, worst first: red and declining, red,
    declining, then the missing reports oldest first (no report at all before an old one);
    by code within each. Two queries."""
    rank = Case(
        *(When(q, then=Value(n)) for n, (_, q) in enumerate(SEVERITY)),
        default=Value(len(SEVERITY)),
        output_field=IntegerField(),
    )
    trouble = (
        with_latest(query.visible)
        .annotate(missing=ExpressionWrapper(missing_q(day), output_field=BooleanField()))
        .filter(Q(latest__rag=Rag.RED) | Q(latest__trend=Trend.DECLINING) | missing_q(day))
    )
    rows = (
        trouble.annotate(rank=rank)
        .order_by("rank", F("latest__month").asc(nulls_first=True), "code")
        .values_list(*ATTENTION_FIELDS, "rank")
    )
    if limit is not None:
        rows = rows[:limit]
    listed = [
        Attention(code, name, rag, trend, headline, missing, person(lf, ll, lu), month, secret, n)
        for (code, name, rag, trend, headline, missing, lf, ll, lu, month, secret, n) in rows
    ]
    return trouble.count(), listed


class Change(NamedTuple):
    """One row of the changes sheet. `kind`: "new", a transition field (stage, status,
    management_model), "rag" (a new report's RAG against the previous one's) or "rag_edited";
    `month` is the report's, for the last two."""

    when: datetime.datetime
    code: str
    name: str
    kind: str
    month: datetime.date | None
    before: str
    after: str
    first_name: str
    last_name: str
    username: str
    note: str
    confidential: bool = False


def change_rows(query: PortfolioQuery) -> list[Change]:
    """Everything that changed on the visible alliances since the query's `since`, by time."""
    start = timezone.make_aware(datetime.datetime.combine(query.since, datetime.time()))
    visible_ids = query.visible.values("pk")
    changes = [
        *_new_alliances(query, start),
        *_transitions(visible_ids, start),
        *_rag_changes(visible_ids, start),
        *_rag_edits(visible_ids, start),
    ]
    changes.sort(key=lambda change: change.when)
    return changes


def _new_alliances(query: PortfolioQuery, start) -> Iterator[Change]:
    for code, name, created, first, last, username, secret in (
        query.visible.filter(created_at__gte=start)
        .values_list(
            "code", "name", "created_at", "lead__first_name", "lead__last_name", "lead__username",
            "confidential",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        yield Change(created, code, name, "new", None, "", "", first, last, username, "", secret)


def _transitions(visible_ids, start) -> Iterator[Change]:
    for when, code, name, kind, before, after, first, last, username, note, secret in (
        StageTransition.objects.filter(alliance__in=visible_ids, created_at__gte=start)
        .values_list(
            "created_at", "alliance__code", "alliance__name", "field", "from_value", "to_value",
            "actor__first_name", "actor__last_name", "actor__username", "note",
            "alliance__confidential",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        yield Change(
            when, code, name, kind, None, before, after, first, last, username, note, secret
        )


def _rag_changes(visible_ids, start) -> Iterator[Change]:
    """A report written since `start` whose RAG as written differs from the alliance's latest
    report on an earlier month (however many months back that is). As written: the RAG before
    the report's first RAG edit, if it has one (the edits follow as rows of their own), so the
    two never contradict."""
    previous_rag = (
        StatusReport.objects.filter(alliance=OuterRef("alliance"), month__lt=OuterRef("month"))
        .order_by("-month")
        .values("rag")[:1]
    )
    first_edit = (
        ActivityLog.objects.filter(
            verb=REPORT_UPDATED, object_id=OuterRef("pk"), changes__has_key="rag"
        )
        .order_by("created_at", "pk")
        .annotate(before=KT("changes__rag__0"))
        .values("before")[:1]
    )
    for when, month, before, rag, code, name, first, last, username, headline, secret in (
        StatusReport.objects.filter(alliance__in=visible_ids, created_at__gte=start)
        .annotate(
            before=Subquery(previous_rag),
            written=Coalesce(Subquery(first_edit), F("rag"), output_field=CharField()),
        )
        .filter(~Q(before=F("written")), before__isnull=False)
        .order_by()  # sorted with the other changes
        .values_list(
            "created_at", "month", "before", "written", "alliance__code", "alliance__name",
            "author__first_name", "author__last_name", "author__username", "headline",
            "alliance__confidential",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        yield Change(
            when, code, name, "rag", month, before, rag, first, last, username, headline, secret
        )


def _rag_edits(visible_ids, start) -> Iterator[Change]:
    """A report's RAG changed afterwards: from the activity log, which keeps before and
    after."""
    reports = StatusReport.objects.filter(pk=OuterRef("object_id"))
    for when, code, name, month, headline, (before, after), first, last, username, secret in (
        ActivityLog.objects.filter(
            verb=REPORT_UPDATED,
            alliance__in=visible_ids,
            created_at__gte=start,
            changes__has_key="rag",
        )
        .annotate(
            month=Subquery(reports.values("month")), headline=Subquery(reports.values("headline"))
        )
        .order_by()
        .values_list(
            "created_at", "alliance__code", "alliance__name", "month", "headline", "changes__rag",
            "actor__first_name", "actor__last_name", "actor__username", "alliance__confidential",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        yield Change(
            when, code, name, "rag_edited", month, before, after, first, last, username, headline,
            secret,
        )  # fmt: skip


def front_door_requests(*, user, requests: Q | None = None) -> Iterator[tuple]:
    """The open requests `user` sees through the API (title, requester's first, last and user
    name, area, status, submitted at, SLA due), earliest SLA first. Listed only where the API
    lists them: the pipeline's figures count more (pipeline_counts)."""
    return (
        IntakeRequest.objects.in_pipeline()
        .visible_to(user)
        .filter(requests or Q())
        .order_by("sla_due", "pk")
        .values_list(
            "title", "requester__first_name", "requester__last_name", "requester__username",
            "therapeutic_area__name", "status", "submitted_at", "sla_due",
        )
        .iterator(chunk_size=CHUNK)
    )  # fmt: skip


def pipeline_counts(
    *, user, day: datetime.date, requests: Q | None = None
) -> dict[str, tuple[int, int]]:
    """Open requests by status as `user` may count them (IntakeRequest counted_for: an
    executive counts every request that is not confidential), with how many are overdue on
    `day`: {status: (requests, overdue)}, in one query."""
    return {
        status: (n, overdue)
        for status, n, overdue in IntakeRequest.objects.in_pipeline()
        .counted_for(user)
        .filter(requests or Q())
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=intake_overdue_q(day)))
        .values_list("status", "n", "overdue")
    }


def demand_rows(*, user) -> list[dict]:
    """Demand against capacity per service over the capacity horizon, with the pipeline
    counted for `user`: no names."""
    return capacity.capacity_report(user=user)["services"]


def service_names() -> dict[str, str]:
    return dict(Service.objects.values_list("code", "name"))


def trend_counts(query: PortfolioQuery, *, months: list[datetime.date]) -> dict:
    """{month: Counter of RAG} of the status reports for `months` on the visible alliances
    (each alliance's report of that month); one grouped query."""
    counts = {month: Counter() for month in months}
    for month, rag, n in (
        StatusReport.objects.filter(
            alliance__in=query.visible.values("pk"), month__gte=months[0], month__lte=months[-1]
        )
        .order_by()
        .values("month", "rag")
        .annotate(n=Count("pk"))
        .values_list("month", "rag", "n")
    ):
        counts[month][rag] += n
    return counts
