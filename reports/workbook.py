"""The executive portfolio workbook: Summary, Changes since, Register, Front door and a data
dictionary. Written with openpyxl in write-only mode from values() rows fetched in chunks, so
the query count and the memory the register and summary take do not grow with the portfolio
(the changes sheet holds the window's changes to sort them by time)."""

import datetime
import re
from collections import Counter
from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.http import QueryDict
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from alliances.calendar import business_days_since, local_date, today
from alliances.choices import (
    AllianceType,
    Direction,
    ManagementModel,
    PartnerKind,
    Stage,
    Status,
    TransitionField,
)
from alliances.filters import ALLIANCE_SEARCH_FIELDS, AllianceFilter
from alliances.models import ActivityLog, Alliance, StageTransition, TherapeuticArea
from config.api.filters import StrictSearchFilter
from resourcing import capacity
from resourcing.choices import IntakeStatus
from resourcing.models import IntakeRequest, Task

from .choices import Rag, Trend
from .latest import missing_q, with_latest
from .models import StatusReport
from .safe_cells import cell, money_format, plain, text
from .services import REPORT_UPDATED

CONFIDENTIAL = "Confidential"
# Rows fetched from the database at a time: what the export holds in memory at once.
CHUNK = 500
MASKED_FILTERS = ("stage", "status", "therapeutic_area")

REGISTER = [
    # (header, width, meaning)
    ("Code", 11, "System reference of the alliance; never changes."),
    ("Name", 22, "The code name people use."),
    ("Partner", 26, "The other party."),
    ("Partner kind", 12, "pharma, biotech, academic, technology, CDMO/CRO, consortium or other."),
    ("Therapeutic area", 16, "The area the alliance belongs to."),
    ("Stage", 12, "Product lifecycle: Pre-PoC, Development, Commercial."),
    ("Status", 11, "Relationship lifecycle: Start-up, Active, Reset, Wind-down, Closed."),
    ("Type", 20, "Deal structure (licensing, co-development, ...)."),
    ("Direction", 12, "In-licensed, out-licensed or mutual."),
    ("Management model", 22, "Dedicated, specialist-supported or self-managed."),
    ("Lead", 18, "Who leads the alliance."),
    ("Executive sponsor", 18, "The executive who sponsors it."),
    ("RAG", 7, "Latest status report: green, amber or red."),
    ("Trend", 10, "Latest status report: improving, stable or declining."),
    ("Headline", 40, "Latest status report's one-line headline."),
    ("Report month", 12, "Month of the latest status report."),
    ("Start date", 11, "When the alliance started."),
    ("Upfront", 16, "Upfront payment, in the row's currency."),
    ("Potential milestones", 18, "Potential milestone payments, in the row's currency."),
    ("Currency", 9, "ISO 4217 currency of the deal values; never summed across currencies."),
    ("Open tasks", 10, "Open work on the alliance: open, in progress, waiting, blocked."),
    ("Overdue tasks", 12, "Open work past its due date."),
]
CHANGES = [
    ("When", 17, "When it happened, in the portfolio's time zone."),
    ("Code", 11, "The alliance's code."),
    ("Name", 22, "The alliance's name."),
    (
        "Change",
        18,
        "New alliance; stage, status or management model; RAG (a new report's against the "
        "previous report's, or a report's RAG edited).",
    ),
    ("From", 16, "The value before."),
    ("To", 16, "The value after."),
    ("By", 18, "Who made the change (for RAG changes: the report's author)."),
    ("Note", 40, "The reason given, or the report's headline."),
]
FRONT_DOOR = [
    ("Request", 34, "Title of the open intake request."),
    ("Requester", 18, "Who asked."),
    ("Therapeutic area", 16, "The request's area."),
    ("Status", 12, "Submitted, in triage or needs information."),
    ("Age (business days)", 12, "Business days since it last entered submitted."),
    ("SLA due", 11, "Triage is due by the end of this day."),
    ("Overdue", 9, "Still waiting for triage past its SLA."),
]
DEMAND = [
    ("Service", 28, "The service specialists deliver."),
    ("Specialists", 11, "Active specialists delivering it."),
    (
        "Capacity (h)",
        12,
        "Their hours over the next 12 weeks, leave removed, shared between services.",
    ),
    ("Demand (h)", 12, "Remaining effort of open work due in the next 12 weeks."),
    ("Pipeline (h)", 12, "Playbook effort the open intake requests would add."),
    ("Utilisation", 11, "Demand over capacity."),
    ("With pipeline", 12, "Demand and pipeline over capacity."),
]


_LABELS = {
    choices: {value: str(label) for value, label in choices.choices}
    for choices in (
        Stage,
        Status,
        AllianceType,
        ManagementModel,
        Direction,
        PartnerKind,
        Rag,
        Trend,
        IntakeStatus,
    )
}


def _label(choices, value) -> str:
    return _LABELS[choices].get(value, value or "")


def _person(first, last, username) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _sheet(wb, title: str, columns, freeze=True):
    ws = wb.create_sheet(title)
    for index, (_, width, _) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        ws.freeze_panes = "A2"
    return ws


def _header(ws, columns) -> None:
    ws.append([cell(ws, name, bold=True) for name, _, _ in columns])


def _finish(ws, columns, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"


WORKBOOK_PARAMS = ("since", "search")
EARLIEST_SINCE = datetime.date(1900, 1, 1)  # Excel has no earlier dates
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def since_param(params) -> datetime.date:
    """`since` for the changes sheet: a date up to today, by default 30 days ago."""
    raw = params.get("since")
    if not raw:
        return today() - datetime.timedelta(days=30)
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        since = datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"since": ["Give a date as YYYY-MM-DD."]}) from None
    if not EARLIEST_SINCE <= since <= today():
        raise ValidationError(
            {"since": [f"Give a date from {EARLIEST_SINCE:%Y-%m-%d} up to today."]}
        )
    return since


MULTIPLE = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


def _check_names(params: QueryDict) -> None:
    """Unknown parameters, and several values for one that takes one, are refused: either
    would otherwise be ignored without a word, and the workbook would not be what was asked."""
    filters = AllianceFilter.base_filters
    errors = {}
    known = ", ".join(sorted([*filters, *WORKBOOK_PARAMS]))
    for name, values in params.lists():
        if name not in filters and name not in WORKBOOK_PARAMS:
            errors[name] = [f"Not a filter of the portfolio workbook; use one of {known}."]
        elif len(values) > 1 and not (
            name in filters and issubclass(filters[name].field_class, MULTIPLE)
        ):
            errors[name] = ["Give one value."]
    if errors:
        raise ValidationError(errors)


class PortfolioQuery:
    """Which alliances a reader gets: the ones they see, filtered and searched as on the
    alliances list; and the confidential ones they do not see, as masked rows. Only filters
    on what a masked row shows (stage, status, therapeutic area), `confidential=true` and
    `mine=false` can match those; any other filter, or a search, leaves them out, since
    matching on a hidden field would tell what it holds."""

    def __init__(self, *, user, params: QueryDict):
        _check_names(params)
        self.user = user
        self.since = since_param(params)
        request = SimpleNamespace(user=user, query_params=params)
        filtered = AllianceFilter(
            data=params, queryset=Alliance.objects.visible_to(user), request=request
        )
        if not filtered.is_valid():
            raise ValidationError(filtered.errors)
        view = SimpleNamespace(search_fields=ALLIANCE_SEARCH_FIELDS)
        self.visible = StrictSearchFilter().filter_queryset(request, filtered.qs, view)
        self.masked = Alliance.objects.none()
        if _masked_rows_match(filtered.form.cleaned_data, search=params.get("search")):
            hidden = Alliance.objects.filter(confidential=True).exclude(
                pk__in=Alliance.objects.visible_to(user).values("pk")
            )
            masked_params = QueryDict(mutable=True)
            for name in MASKED_FILTERS:
                if name in params:
                    masked_params.setlist(name, params.getlist(name))
            masked = AllianceFilter(data=masked_params, queryset=hidden, request=request)
            masked.is_valid()
            self.masked = masked.qs
        # What the Summary shows as the filters: the ones given a value.
        self.params = {
            name: values
            for name, values in params.lists()
            if any(value.strip() for value in values)
        }

    def count(self) -> int:
        """Register rows: the visible alliances and the masked ones."""
        return self.visible.count() + self.masked.count()


def _masked_rows_match(cleaned: dict, *, search) -> bool:
    if search and search.strip():
        return False
    for name, value in cleaned.items():
        if value in (None, "", [], ()) or name in MASKED_FILTERS:
            continue
        if (name, value) in (("confidential", True), ("mine", False)):
            continue
        return False
    return True


def _count(tasks) -> Coalesce:
    return Coalesce(
        Subquery(tasks.order_by().values("alliance_id").annotate(n=Count("*")).values("n")),
        0,
        output_field=IntegerField(),
    )


def register_rows(query: PortfolioQuery):
    """Visible rows, then masked rows; plain tuples straight from the database cursor."""
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
        .values_list(
            "code",
            "name",
            "partner__name",
            "partner__kind",
            "therapeutic_area__name",
            "stage",
            "status",
            "alliance_type",
            "direction",
            "management_model",
            "lead__first_name",
            "lead__last_name",
            "lead__username",
            "executive_sponsor__first_name",
            "executive_sponsor__last_name",
            "executive_sponsor__username",
            "latest__rag",
            "latest__trend",
            "latest__headline",
            "latest__month",
            "start_date",
            "upfront",
            "milestones",
            "currency",
            "open_tasks",
            "overdue_tasks",
        )
    )
    for row in visible.iterator(chunk_size=CHUNK):
        yield False, row
    # Ordered by what they show: their codes would tell the order they were made in.
    masked = query.masked.order_by("therapeutic_area__name", "stage", "status").values_list(
        "therapeutic_area__name", "stage", "status"
    )
    for row in masked.iterator(chunk_size=CHUNK):
        yield True, row


def write_register(wb, query: PortfolioQuery, progress=None) -> int:
    ws = _sheet(wb, "Register", REGISTER)
    _header(ws, REGISTER)
    count = 0
    for masked, row in register_rows(query):
        if masked:
            area, stage, status = row
            values = [
                cell(ws, CONFIDENTIAL),
                cell(ws, CONFIDENTIAL),
                cell(ws, CONFIDENTIAL),
                None,
                cell(ws, area),
                cell(ws, _label(Stage, stage)),
                cell(ws, _label(Status, status)),
            ]
        else:
            (code, name, partner, kind, area, stage, status, kind_of_deal, direction, model,
             lf, ll, lu, sf, sl, su, rag, trend, headline, month, start, upfront, milestones,
             currency, open_tasks, overdue_tasks) = row  # fmt: skip
            money = money_format(currency)
            # Labels, dates, numbers and currency codes are ours; only user text needs text().
            values = [
                text(ws, code),
                text(ws, name),
                text(ws, partner),
                _label(PartnerKind, kind),
                text(ws, area),
                _label(Stage, stage),
                _label(Status, status),
                _label(AllianceType, kind_of_deal),
                _label(Direction, direction),
                _label(ManagementModel, model),
                text(ws, _person(lf, ll, lu)),
                text(ws, _person(sf, sl, su)) if su else None,
                _label(Rag, rag) if rag else None,
                _label(Trend, trend) if trend else None,
                text(ws, headline) if headline else None,
                month,
                start,
                cell(ws, upfront, money) if upfront is not None else None,
                cell(ws, milestones, money) if milestones is not None else None,
                currency or None,
                open_tasks,
                overdue_tasks,
            ]
        ws.append(values)
        count += 1
        if progress is not None:
            progress(1)
    _finish(ws, REGISTER, count)
    return count


def write_summary(wb, query: PortfolioQuery, *, user, since: datetime.date) -> None:
    ws = wb.create_sheet("Summary", 0)
    # Column A holds labels and codes; B-F the stage grid and the needs-attention list.
    for letter, width in zip("ABCDEF", (30, 22, 28, 14, 14, 60), strict=True):
        ws.column_dimensions[letter].width = width
    now = timezone.now()
    rows = [
        [cell(ws, "Alliance portfolio", bold=True)],
        [cell(ws, "As of"), cell(ws, now), cell(ws, str(timezone.get_current_timezone()))],
        [cell(ws, "Prepared for"), cell(ws, user.get_full_name() or user.get_username())],
        [cell(ws, "Changes since"), cell(ws, since)],
        [
            cell(ws, "Filters"),
            cell(
                ws,
                "; ".join(f"{k}={','.join(v)}" for k, v in sorted(query.params.items())) or "none",
            ),
        ],
        [],
    ]
    # Every count below from two grouped queries: the visible alliances (with their latest
    # RAG) and the masked ones, which count only by what they show.
    grid, status, model, kind, rag = (Counter() for _ in range(5))
    for stage, area, status_value, model_value, kind_value, rag_value, n in (
        with_latest(query.visible)
        .order_by()
        .values(
            "stage", "therapeutic_area", "status", "management_model", "alliance_type",
            "latest__rag",
        )
        .annotate(n=Count("pk"))
        .values_list(
            "stage", "therapeutic_area", "status", "management_model", "alliance_type",
            "latest__rag", "n",
        )
    ):  # fmt: skip
        grid[stage, area] += n
        status[status_value] += n
        model[model_value] += n
        kind[kind_value] += n
        rag[rag_value] += n
    masked_count = 0
    for stage, area, status_value, n in (
        query.masked.order_by()
        .values("stage", "therapeutic_area", "status")
        .annotate(n=Count("pk"))
        .values_list("stage", "therapeutic_area", "status", "n")
    ):
        grid[stage, area] += n
        status[status_value] += n
        masked_count += n

    # Alliances by stage and therapeutic area, masked rows included, with totals.
    areas = list(TherapeuticArea.objects.order_by("name").values_list("pk", "name"))
    stages = list(Stage)
    rows.append([cell(ws, "Alliances by therapeutic area and stage", bold=True)])
    rows.append(
        [cell(ws, "Therapeutic area", bold=True)]
        + [cell(ws, s.label, bold=True) for s in stages]
        + [cell(ws, "Total", bold=True)]
    )
    stage_header_row = len(rows)
    for area_id, area_name in areas:
        counts = [grid[s.value, area_id] for s in stages]
        if sum(counts):
            rows.append([cell(ws, area_name), *counts, sum(counts)])
    totals = [sum(grid[s.value, a] for a, _ in areas) for s in stages]
    rows.append([cell(ws, "Total", bold=True), *totals, sum(totals)])
    total_row = len(rows)
    rows.append([])

    rows.append([cell(ws, "By status", bold=True)])
    for s in Status:
        rows.append([cell(ws, s.label), status.get(s.value, 0)])
    rows.append([])
    for title, counts, choices in (
        ("By management model", model, ManagementModel),
        ("By type", kind, AllianceType),
    ):
        rows.append([cell(ws, title, bold=True)])
        for value in choices:
            rows.append([cell(ws, value.label), counts.get(value.value, 0)])
        if masked_count:
            rows.append([cell(ws, f"{CONFIDENTIAL} (not shown)"), masked_count])
        rows.append([])
    latest = with_latest(query.visible)
    rows.append([cell(ws, "RAG mix (latest status report)", bold=True)])
    for value in ("green", "amber", "red"):
        rows.append([cell(ws, value.title()), rag.get(value, 0)])
    rows.append([cell(ws, "No report yet"), rag.get(None, 0)])
    if masked_count:
        rows.append([cell(ws, f"{CONFIDENTIAL} (not shown)"), masked_count])
    rows.append([])

    rows.append([cell(ws, "Needs attention", bold=True)])
    rows.append(
        [cell(ws, h, bold=True) for h in ("Code", "Name", "Why", "RAG", "Trend", "Headline")]
    )
    for row in rows:
        ws.append(row)
    # Streamed from the database, like the register: it is as long as the trouble is.
    missing = missing_q(today())
    attention = (
        latest.annotate(missing=ExpressionWrapper(missing, output_field=BooleanField()))
        .filter(Q(latest__rag=Rag.RED) | Q(latest__trend=Trend.DECLINING) | missing)
        .order_by("code")
        .values_list("code", "name", "latest__rag", "latest__trend", "latest__headline", "missing")
    )
    for code, name, rag_value, trend, headline, report_missing in attention.iterator(
        chunk_size=CHUNK
    ):
        why = [
            reason
            for reason, applies in (
                ("red RAG", rag_value == Rag.RED),
                ("declining", trend == Trend.DECLINING),
                ("status report missing", report_missing),
            )
            if applies
        ]
        ws.append(
            [
                text(ws, code),
                text(ws, name),
                ", ".join(why),
                _label(Rag, rag_value),
                _label(Trend, trend),
                text(ws, headline or ""),
            ]
        )

    chart = BarChart()
    chart.title = "Alliances by stage"
    chart.y_axis.title = "Alliances"
    chart.legend = None
    data = Reference(ws, min_col=2, max_col=1 + len(stages), min_row=total_row, max_row=total_row)
    labels = Reference(
        ws, min_col=2, max_col=1 + len(stages), min_row=stage_header_row, max_row=stage_header_row
    )
    chart.add_data(data, from_rows=True, titles_from_data=False)
    chart.set_categories(labels)
    chart.height, chart.width = 7, 14
    ws.add_chart(chart, "I2")


def write_changes(wb, query: PortfolioQuery, *, since: datetime.date) -> None:
    ws = _sheet(wb, "Changes since", CHANGES)
    _header(ws, CHANGES)
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time()))
    visible_ids = query.visible.values("pk")
    changes = []
    for code, name, created, first, last, username in (
        query.visible.filter(created_at__gte=start)
        .values_list(
            "code", "name", "created_at", "lead__first_name", "lead__last_name", "lead__username"
        )
        .iterator(chunk_size=CHUNK)
    ):
        changes.append(
            (created, code, name, "New alliance", "", "", _person(first, last, username), "")
        )
    labels = {
        TransitionField.STAGE: ("Stage", Stage),
        TransitionField.STATUS: ("Status", Status),
        TransitionField.MANAGEMENT_MODEL: ("Management model", ManagementModel),
    }
    for when, code, name, field, before, after, first, last, username, note in (
        StageTransition.objects.filter(alliance__in=visible_ids, created_at__gte=start)
        .values_list(
            "created_at", "alliance__code", "alliance__name", "field", "from_value", "to_value",
            "actor__first_name", "actor__last_name", "actor__username", "note",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        title, choices = labels[field]
        changes.append(
            (when, code, name, title, _label(choices, before), _label(choices, after),
             _person(first, last, username), note)
        )  # fmt: skip
    # A RAG change: a report written since `since` whose RAG differs from the alliance's
    # latest report on an earlier month (however many months back that is).
    previous_rag = (
        StatusReport.objects.filter(alliance=OuterRef("alliance"), month__lt=OuterRef("month"))
        .order_by("-month")
        .values("rag")[:1]
    )
    for when, month, before, rag, code, name, first, last, username, headline in (
        StatusReport.objects.filter(alliance__in=visible_ids, created_at__gte=start)
        .annotate(before=Subquery(previous_rag))
        .filter(~Q(before=F("rag")), before__isnull=False)
        .order_by()  # sorted with the other changes below
        .values_list(
            "created_at", "month", "before", "rag", "alliance__code", "alliance__name",
            "author__first_name", "author__last_name", "author__username", "headline",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        changes.append(
            (when, code, name, f"RAG ({month:%b %Y})", _label(Rag, before), _label(Rag, rag),
             _person(first, last, username), headline)
        )  # fmt: skip
    # A report's RAG changed afterwards: from the activity log, which keeps before and after.
    reports = StatusReport.objects.filter(pk=OuterRef("object_id"))
    for when, code, name, month, headline, rag, first, last, username in (
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
            "actor__first_name", "actor__last_name", "actor__username",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        before, after = rag
        changes.append(
            (when, code, name, f"RAG ({month:%b %Y}) edited" if month else "RAG edited",
             _label(Rag, before),
             _label(Rag, after), _person(first, last, username), headline)
        )  # fmt: skip
    changes.sort(key=lambda change: change[0])
    for when, *rest in changes:
        ws.append([plain(when), *(text(ws, value) for value in rest)])
    _finish(ws, CHANGES, len(changes))


def write_front_door(wb, *, user) -> None:
    ws = _sheet(wb, "Front door", FRONT_DOOR)
    _header(ws, FRONT_DOOR)
    day = today()
    count = 0
    for title, first, last, username, area, status, submitted, sla_due in (
        # Listed only where the API lists them: the pipeline's figures count more (below).
        IntakeRequest.objects.in_pipeline()
        .visible_to(user)
        .order_by("sla_due", "pk")
        .values_list(
            "title", "requester__first_name", "requester__last_name", "requester__username",
            "therapeutic_area__name", "status", "submitted_at", "sla_due",
        )
        .iterator(chunk_size=CHUNK)
    ):  # fmt: skip
        ws.append(
            [
                cell(ws, title),
                cell(ws, _person(first, last, username)),
                cell(ws, area),
                cell(ws, _label(IntakeStatus, status)),
                cell(ws, business_days_since(local_date(submitted), day)),
                cell(ws, sla_due),
                cell(
                    ws,
                    "yes"
                    if IntakeRequest(status=status, sla_due=sla_due).is_overdue(day)
                    else "no",
                ),
            ]
        )
        count += 1
    ws.append([])
    ws.append([cell(ws, "Demand against capacity, next 12 weeks (hours)", bold=True)])
    ws.append([cell(ws, name, bold=True) for name, _, _ in DEMAND])
    for row in capacity.capacity_report(weeks=12, user=user)["services"]:
        ws.append(
            [
                cell(ws, row["service"]),
                row["specialists"],
                row["capacity_hours"],
                row["demand_hours"],
                row["pipeline_hours"],
                cell(ws, row["utilisation"], "0%") if row["utilisation"] is not None else None,
                cell(ws, row["utilisation_with_pipeline"], "0%")
                if row["utilisation_with_pipeline"] is not None
                else None,
            ]
        )
    _finish(ws, FRONT_DOOR, count)


def write_dictionary(wb) -> None:
    columns = [("Sheet", 16, ""), ("Column", 24, ""), ("Meaning", 90, "")]
    ws = _sheet(wb, "Data dictionary", columns)
    _header(ws, columns)
    entries = [
        ("Summary", "As of", "When the workbook was made, in the portfolio's time zone."),
        ("Summary", "Counts", "Confidential alliances you are not on count as masked rows."),
        ("Summary", "Needs attention", "Red RAG, declining trend, or the due report missing."),
    ]
    for sheet, cols in (
        ("Register", REGISTER),
        ("Changes since", CHANGES),
        ("Front door", FRONT_DOOR),
        ("Front door", DEMAND),
    ):
        entries += [(sheet, name, meaning) for name, _, meaning in cols]
    entries.append(
        (
            "Register",
            "Confidential rows",
            "Alliances you may not see in detail: only stage, "
            "status and therapeutic area are shown, so totals add up.",
        )
    )
    for row in entries:
        ws.append([cell(ws, value) for value in row])
    _finish(ws, columns, len(entries))


def portfolio_workbook_build(query: PortfolioQuery, *, out, progress=None) -> int:
    """Write the workbook for the query's reader to `out` (a path or a binary file); returns
    the number of register rows."""
    user, since = query.user, query.since
    wb = Workbook(write_only=True)
    write_summary(wb, query, user=user, since=since)
    write_changes(wb, query, since=since)
    rows = write_register(wb, query, progress=progress)
    write_front_door(wb, user=user)
    write_dictionary(wb)
    wb.save(out)
    return rows
