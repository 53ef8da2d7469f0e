"""The workbook's sheets, written with openpyxl in write-only mode from what reports.portfolio
.read gives. Every piece of user text goes through text() or cell(): never a formula."""

import datetime

from django.utils import timezone
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
from resourcing.capacity import HORIZON_WEEKS
from resourcing.choices import INTAKE_OPEN_STATUSES, IntakeStatus
from resourcing.models import IntakeRequest

from ..choices import Rag, Trend
from ..safe_cells import cell, money_format, plain, text
from . import obligations, read
from .columns import (
    CHANGES,
    CONFIDENTIAL,
    DEMAND,
    FRONT_DOOR,
    PIPELINE,
    REGISTER,
    label,
    person,
)
from .params import PortfolioQuery


def _sheet(wb, title: str, columns, freeze=True):
    ws = wb.create_sheet(title)
    for index, (_, width, _) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        ws.freeze_panes = "A2"
    return ws


def _header(ws, columns) -> list:
    return [cell(ws, name, bold=True) for name, _, _ in columns]


def _finish(ws, columns, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"


# Register ----------------------------------------------------------------------------------


def _masked_row(ws, row) -> list:
    area, stage, status = row
    return [
        cell(ws, CONFIDENTIAL),
        cell(ws, CONFIDENTIAL),
        cell(ws, CONFIDENTIAL),
        None,
        cell(ws, area),
        cell(ws, label(Stage, stage)),
        cell(ws, label(Status, status)),
    ]


def _register_row(ws, row) -> list:
    (code, name, partner, kind, area, stage, status, kind_of_deal, direction, model,
     lf, ll, lu, sf, sl, su, rag, trend, headline, month, start, upfront, milestones,
     currency, open_tasks, overdue_tasks) = row  # fmt: skip
    money = money_format(currency)
    # Labels, dates, numbers and currency codes are ours; only user text needs text().
    return [
        text(ws, code),
        text(ws, name),
        text(ws, partner),
        label(PartnerKind, kind),
        text(ws, area),
        label(Stage, stage),
        label(Status, status),
        label(AllianceType, kind_of_deal),
        label(Direction, direction),
        label(ManagementModel, model),
        text(ws, person(lf, ll, lu)),
        text(ws, person(sf, sl, su)) if su else None,
        label(Rag, rag) if rag else None,
        label(Trend, trend) if trend else None,
        text(ws, headline) if headline else None,
        month,
        start,
        cell(ws, upfront, money) if upfront is not None else None,
        cell(ws, milestones, money) if milestones is not None else None,
        currency or None,
        open_tasks,
        overdue_tasks,
    ]


def write_register(wb, query: PortfolioQuery, progress=None) -> int:
    ws = _sheet(wb, "Register", REGISTER)
    ws.append(_header(ws, REGISTER))
    count = 0
    for masked, row in read.register_rows(query):
        ws.append(_masked_row(ws, row) if masked else _register_row(ws, row))
        count += 1
        if progress is not None:
            progress(1)
    _finish(ws, REGISTER, count)
    return count


# Summary -----------------------------------------------------------------------------------


def _summary_heading(ws, query: PortfolioQuery) -> list[list]:
    user = query.user
    filters = "; ".join(f"{k}={','.join(v)}" for k, v in sorted(query.params.items()))
    return [
        [cell(ws, "Alliance portfolio", bold=True)],
        [
            cell(ws, "As of"),
            cell(ws, timezone.now()),
            cell(ws, str(timezone.get_current_timezone())),
        ],
        [cell(ws, "Prepared for"), cell(ws, user.get_full_name() or user.get_username())],
        [cell(ws, "Changes since"), cell(ws, query.since)],
        [cell(ws, "Filters"), cell(ws, filters or "none")],
        [],
    ]


def _stage_grid(ws, counts: read.SummaryCounts, rows: list) -> tuple[int, int]:
    """Alliances by therapeutic area and stage, masked rows included, with totals; appended
    to `rows`. Returns the header's and the totals' row numbers, for the chart."""
    areas = read.therapeutic_areas()
    stages = list(Stage)
    rows.append([cell(ws, "Alliances by therapeutic area and stage", bold=True)])
    rows.append(
        [cell(ws, "Therapeutic area", bold=True)]
        + [cell(ws, s.label, bold=True) for s in stages]
        + [cell(ws, "Total", bold=True)]
    )
    header_row = len(rows)
    for area_id, area_name in areas:
        by_stage = [counts.grid[s.value, area_id] for s in stages]
        if sum(by_stage):
            rows.append([cell(ws, area_name), *by_stage, sum(by_stage)])
    totals = [sum(counts.grid[s.value, a] for a, _ in areas) for s in stages]
    rows.append([cell(ws, "Total", bold=True), *totals, sum(totals)])
    total_row = len(rows)
    rows.append([])
    return header_row, total_row


def _breakdowns(ws, counts: read.SummaryCounts) -> list[list]:
    """By status, management model and type, and the RAG mix."""
    masked = [[cell(ws, f"{CONFIDENTIAL} (not shown)"), counts.masked]] if counts.masked else []
    rows = [[cell(ws, "By status", bold=True)]]
    rows += [[cell(ws, s.label), counts.status.get(s.value, 0)] for s in Status]
    rows.append([])
    for title, by, choices in (
        ("By management model", counts.model, ManagementModel),
        ("By type", counts.kind, AllianceType),
    ):
        rows.append([cell(ws, title, bold=True)])
        rows += [[cell(ws, value.label), by.get(value.value, 0)] for value in choices]
        rows += [*masked, []]
    rows.append([cell(ws, "RAG mix (latest status report)", bold=True)])
    rows += [[cell(ws, value.title()), counts.rag.get(value, 0)] for value in Rag.values]
    rows.append([cell(ws, "No report yet"), counts.rag.get(None, 0)])
    rows += [*masked, []]
    return rows


def _attention(ws, query: PortfolioQuery) -> None:
    ws.append([cell(ws, "Needs attention", bold=True)])
    ws.append([cell(ws, h, bold=True) for h in ("Code", "Name", "Why", "RAG", "Trend", "Headline")])
    for code, name, rag, trend, headline, missing in read.attention_rows(query, day=today()):
        why = [
            reason
            for reason, applies in (
                ("red RAG", rag == Rag.RED),
                ("declining", trend == Trend.DECLINING),
                ("status report missing", missing),
            )
            if applies
        ]
        ws.append(
            [
                text(ws, code),
                text(ws, name),
                ", ".join(why),
                label(Rag, rag),
                label(Trend, trend),
                text(ws, headline or ""),
            ]
        )


def _stage_chart(ws, header_row: int, total_row: int) -> None:
    stages = len(Stage)
    chart = BarChart()
    chart.title = "Alliances by stage"
    chart.y_axis.title = "Alliances"
    chart.legend = None
    data = Reference(ws, min_col=2, max_col=1 + stages, min_row=total_row, max_row=total_row)
    labels = Reference(ws, min_col=2, max_col=1 + stages, min_row=header_row, max_row=header_row)
    chart.add_data(data, from_rows=True, titles_from_data=False)
    chart.set_categories(labels)
    chart.height, chart.width = 7, 14
    ws.add_chart(chart, "I2")


def write_summary(wb, query: PortfolioQuery) -> None:
    ws = wb.create_sheet("Summary", 0)
    # Column A holds labels and codes; B-F the stage grid and the needs-attention list.
    for letter, width in zip("ABCDEF", (30, 22, 28, 14, 14, 60), strict=True):
        ws.column_dimensions[letter].width = width
    rows = _summary_heading(ws, query)
    counts = read.summary_counts(query)
    header_row, total_row = _stage_grid(ws, counts, rows)
    rows += _breakdowns(ws, counts)
    for row in rows:
        ws.append(row)
    obligations.write_money(ws, query)
    _attention(ws, query)
    _stage_chart(ws, header_row, total_row)


# Obligations -------------------------------------------------------------------------------


def write_obligations(wb, query: PortfolioQuery) -> int:
    """The open obligations due in the next 90 days and everything overdue."""
    return obligations.write_obligations(wb, query, sheet=_sheet, header=_header, finish=_finish)


# Changes since -----------------------------------------------------------------------------

CHANGE_TITLES = {
    "new": ("New alliance", None),
    TransitionField.STAGE: ("Stage", Stage),
    TransitionField.STATUS: ("Status", Status),
    TransitionField.MANAGEMENT_MODEL: ("Management model", ManagementModel),
}


def _change_title(change: read.Change) -> tuple[str, object]:
    if change.kind == "rag":
        return f"RAG ({change.month:%b %Y})", Rag
    if change.kind == "rag_edited":
        return (f"RAG ({change.month:%b %Y}) edited" if change.month else "RAG edited"), Rag
    return CHANGE_TITLES[change.kind]


def write_changes(wb, query: PortfolioQuery) -> None:
    ws = _sheet(wb, "Changes since", CHANGES)
    ws.append(_header(ws, CHANGES))
    changes = read.change_rows(query)
    for change in changes:
        title, choices = _change_title(change)
        before = label(choices, change.before) if choices else change.before
        after = label(choices, change.after) if choices else change.after
        by = person(change.first_name, change.last_name, change.username)
        ws.append(
            [
                plain(change.when),
                *(text(ws, value) for value in (change.code, change.name, title, before, after)),
                text(ws, by),
                text(ws, change.note),
            ]
        )
    _finish(ws, CHANGES, len(changes))


# Front door --------------------------------------------------------------------------------


def _request_rows(ws, *, user, day: datetime.date) -> int:
    count = 0
    for title, first, last, username, area, status, submitted, sla_due in read.front_door_requests(
        user=user
    ):
        overdue = IntakeRequest(status=status, sla_due=sla_due).is_overdue(day)
        ws.append(
            [
                cell(ws, title),
                cell(ws, person(first, last, username)),
                cell(ws, area),
                cell(ws, label(IntakeStatus, status)),
                cell(ws, business_days_since(local_date(submitted), day)),
                cell(ws, sla_due),
                cell(ws, "yes" if overdue else "no"),
            ]
        )
        count += 1
    return count


def _pipeline_counts(ws, *, user, day: datetime.date) -> None:
    counts = read.pipeline_counts(user=user, day=day)
    ws.append([cell(ws, "Open requests by status (counted, not all listed)", bold=True)])
    ws.append([cell(ws, name, bold=True) for name, _, _ in PIPELINE])
    for status in INTAKE_OPEN_STATUSES:
        n, overdue = counts.get(status, (0, 0))
        ws.append([cell(ws, label(IntakeStatus, status)), n, overdue])
    total = [sum(n for n, _ in counts.values()), sum(o for _, o in counts.values())]
    ws.append([cell(ws, "Total", bold=True), *total])


def _demand(ws, *, user) -> None:
    ws.append([cell(ws, f"Demand against capacity, next {HORIZON_WEEKS} weeks (hours)", bold=True)])
    ws.append([cell(ws, name, bold=True) for name, _, _ in DEMAND])
    for row in read.demand_rows(user=user):
        ratios = [row["utilisation"], row["utilisation_with_pipeline"]]
        ws.append(
            [
                cell(ws, row["service"]),
                row["specialists"],
                row["capacity_hours"],
                row["demand_hours"],
                row["pipeline_hours"],
                *(cell(ws, ratio, "0%") if ratio is not None else None for ratio in ratios),
            ]
        )


def write_front_door(wb, *, user) -> None:
    """The requests `user` sees through the API; then figures counted for them, which may
    include requests not listed (an executive's counts cover the whole non-confidential
    pipeline), and name no request."""
    ws = _sheet(wb, "Front door", FRONT_DOOR)
    ws.append(_header(ws, FRONT_DOOR))
    day = today()
    count = _request_rows(ws, user=user, day=day)
    ws.append([])
    _pipeline_counts(ws, user=user, day=day)
    ws.append([])
    _demand(ws, user=user)
    _finish(ws, FRONT_DOOR, count)


# Data dictionary ---------------------------------------------------------------------------


def write_dictionary(wb) -> None:
    columns = [("Sheet", 16, ""), ("Column", 24, ""), ("Meaning", 90, "")]
    ws = _sheet(wb, "Data dictionary", columns)
    ws.append(_header(ws, columns))
    entries = [
        ("Summary", "As of", "When the workbook was made, in the portfolio's time zone."),
        ("Summary", "Counts", "Confidential alliances you are not on count as masked rows."),
        ("Summary", "Needs attention", "Red RAG, declining trend, or the due report missing."),
    ]
    for sheet, cols in (
        ("Register", REGISTER),
        ("Changes since", CHANGES),
        ("Front door", FRONT_DOOR),
        ("Front door", PIPELINE),
        ("Front door", DEMAND),
    ):
        entries += [(sheet, name, meaning) for name, _, meaning in cols]
    entries += obligations.dictionary_entries()
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
