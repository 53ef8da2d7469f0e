"""The workbook's sheets, written with openpyxl in write-only mode from what reports.portfolio
.read gives. Every piece of user text goes through text(), cell() or wrapped(): never a
formula. How the sheets look and print is reports.portfolio.layout's."""

import datetime
from collections import Counter

from django.utils import timezone
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart
from openpyxl.utils import get_column_letter, quote_sheetname

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
from resourcing.choices import INTAKE_OPEN_STATUSES, IntakeStatus
from resourcing.models import IntakeRequest

from ..choices import Rag, Trend
from ..latest import previous_month
from ..safe_cells import cell, clean_text, money_format, plain, text
from . import layout, obligations, read
from .columns import (
    CHANGES,
    CONFIDENTIAL,
    DEMAND,
    FRONT_DOOR,
    LABELS,
    NUMERIC,
    PIPELINE,
    REGISTER,
    label,
    person,
)
from .params import PortfolioQuery, filters_in_words, request_filters

TREND_MONTHS = 12
ATTENTION_ROWS = 12  # on the Summary; the Register has every alliance's RAG and trend


def _sheet(wb, title: str, columns, freeze=True):
    """A sheet for a table: widths that fit the headers, the header row frozen and printed on
    every page, landscape and fitted to the page width."""
    ws = wb.create_sheet(title)
    names = [name for name, _, _ in columns]
    widths = [layout.width(name, given) for name, given, _ in columns]
    layout.prepare(ws, widths, freeze="A2" if freeze is True else freeze or None)
    header = layout.header_lines(names, widths)
    if header > 1:
        ws.row_dimensions[1].height = layout.LINE_HEIGHT * header
    return ws


def _width(columns, name: str) -> float:
    for header, given, _ in columns:
        if header == name:
            return layout.width(header, given)
    raise KeyError(name)


def _header(ws, columns, numeric=None) -> list:
    """The header row; headers of numeric columns right-aligned over their numbers."""
    names = [name for name, _, _ in columns]
    if numeric is None:
        numeric = {i for i, name in enumerate(names) if name in NUMERIC}
    return layout.header_cells(ws, names, numeric)


def _finish(ws, columns, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"


def wrapped(ws, value: str | None):
    """User text, wrapped in its cell: always a string cell, forbidden characters stripped."""
    if value is None:
        return None
    return layout.template(ws, alignment=layout.WRAP, as_text=True)(clean_text(value))


def _month(ws, value):
    return layout.template(ws, number_format=layout.MONTH)(value) if value else None


def _date(ws, value):
    return layout.template(ws, number_format=layout.DATE)(value) if value else None


def _money(ws, value, currency):
    return layout.template(ws, number_format=money_format(currency))(value)


# Register ----------------------------------------------------------------------------------

RAG_COLUMN = [name for name, _, _ in REGISTER].index("RAG") + 1
REGISTER_FIELDS_HEADLINE = read.REGISTER_FIELDS.index("latest__headline")


def _masked_row(ws, row) -> list:
    area, stage, status = row
    return [
        cell(ws, CONFIDENTIAL),
        cell(ws, CONFIDENTIAL),
        True,
        cell(ws, CONFIDENTIAL),
        None,
        cell(ws, area),
        cell(ws, label(Stage, stage)),
        cell(ws, label(Status, status)),
    ]


def _register_row_maker(ws):
    """The Register's row builder: the styled cells' makers looked up once for the sheet, not
    once per cell (ten thousand rows spent a tenth of their time finding them)."""
    month = layout.template(ws, number_format=layout.MONTH)
    date = layout.template(ws, number_format=layout.DATE)
    wrap = layout.template(ws, alignment=layout.WRAP, as_text=True)
    money_makers = {}

    def money(value, currency):
        if value is None:
            return None
        if currency not in money_makers:
            money_makers[currency] = layout.template(ws, number_format=money_format(currency))
        return money_makers[currency](value)

    kinds, stages, statuses, deals, directions, models, rags, trends = (
        LABELS[choices]
        for choices in (
            PartnerKind, Stage, Status, AllianceType, Direction, ManagementModel, Rag, Trend
        )
    )  # fmt: skip

    def row_of(row) -> list:
        (code, name, partner, kind, area, stage, status, kind_of_deal, direction, model,
         lf, ll, lu, sf, sl, su, rag, trend, headline, month_of, start, upfront, milestones,
         currency, open_tasks, overdue_tasks, confidential) = row  # fmt: skip
        # Labels, dates, numbers and currency codes are ours; only user text needs text().
        return [
            text(ws, code),
            text(ws, name),
            bool(confidential),
            text(ws, partner),
            kinds.get(kind, kind or ""),
            text(ws, area),
            stages.get(stage, stage or ""),
            statuses.get(status, status or ""),
            deals.get(kind_of_deal, kind_of_deal or ""),
            directions.get(direction, direction or ""),
            models.get(model, model or ""),
            text(ws, person(lf, ll, lu)),
            text(ws, person(sf, sl, su)) if su else None,
            rags.get(rag, rag) if rag else None,
            trends.get(trend, trend) if trend else None,
            wrap(clean_text(headline)) if headline else None,
            month(month_of) if month_of else None,
            date(start) if start else None,
            money(upfront, currency),
            money(milestones, currency),
            currency or None,
            open_tasks,
            overdue_tasks,
        ]

    return row_of


def write_register(wb, query: PortfolioQuery, progress=None) -> int:
    """Every alliance of the query, masked rows last: an Excel table (sorting, filters), code
    and name frozen with the header, RAG coloured by conditional formatting."""
    ws = _sheet(wb, "Register", REGISTER, freeze="C2")
    ws.append(_header(ws, REGISTER))
    count = 0
    headline = _width(REGISTER, "Headline")
    at = REGISTER_FIELDS_HEADLINE
    register_row = _register_row_maker(ws)
    for masked, row in read.register_rows(query):
        if masked:
            ws.append(_masked_row(ws, row))
        else:
            tall = layout.lines(row[at], headline) if row[at] and len(row[at]) > headline else 1
            layout.append(ws, count + 2, register_row(row), tall)
        count += 1
        if progress is not None:
            progress(1)
    layout.table(ws, "Register", [name for name, _, _ in REGISTER], count)
    layout.rag_formatting(ws, RAG_COLUMN, count + 1)
    return count


# Summary -----------------------------------------------------------------------------------

# The Summary is a dashboard on one printed page: the heading across the top; the stage grid
# and the RAG mix on the left with the chart beside them; what changed and the breakdowns on
# the left with "Needs attention" beside them; then the money and the obligations.
LEFT, RIGHT = 1, 7  # columns A and G
SUMMARY_WIDTHS = [30, 17, 16, 16, 16, 16, 16, 22, 18, 22, 10, 11, 11, 48]
CHART_ROWS = 14


class Canvas:
    """Cells placed by (row, column), written row by row when done: the Summary's parts sit
    side by side, and a write-only sheet takes rows in order."""

    def __init__(self):
        self.cells = {}
        self.rows = 0

    def put(self, row: int, col: int, values: list) -> int:
        for offset, value in enumerate(values):
            if value is not None:
                self.cells[row, col + offset] = value
        self.rows = max(self.rows, row)
        return row + 1

    def write(self, ws, widths: list[float]) -> None:
        width = max((col for _, col in self.cells), default=1)
        for row in range(1, self.rows + 1):
            values = [self.cells.get((row, col)) for col in range(1, width + 1)]
            tall = max(
                (
                    layout.lines(str(c.value), widths[col])
                    for col, c in enumerate(values)
                    if isinstance(c, Cell) and c.has_style and c.alignment.wrap_text
                ),
                default=1,
            )
            layout.append(ws, row, values, tall)


def _as_of(query: PortfolioQuery) -> datetime.datetime:
    """When the workbook was made: one moment for the Summary and every page's footer."""
    if getattr(query, "_as_of", None) is None:
        query._as_of = timezone.now()
    return query._as_of


def _section(ws, title: str):
    return layout.styled(ws, title, font=layout.SECTION)


def _bold(ws, value, number_format=None):
    return layout.styled(ws, value, font=layout.BOLD, number_format=number_format)


def _heading(ws, canvas: Canvas, query: PortfolioQuery, counts: read.SummaryCounts) -> int:
    user = query.user
    now = _as_of(query)
    zone = timezone.get_current_timezone()
    if counts.confidential:
        masked = f" ({counts.masked} shown as masked rows)" if counts.masked else ""
        secret = f"Confidential alliances in this file: {counts.confidential}{masked}"
    else:
        secret = "none in this file"
    rows = [
        [layout.styled(ws, layout.PRODUCT, font=layout.TITLE)],
        [cell(ws, "As of"), cell(ws, now, layout.DATETIME), cell(ws, str(zone))],
        [cell(ws, "Prepared for"), text(ws, user.get_full_name() or user.get_username())],
        [cell(ws, "Changes since"), cell(ws, query.since, layout.DATE)],
        [cell(ws, "Filters"), text(ws, filters_in_words(query) or "none")],
        [cell(ws, "Confidential"), _bold(ws, secret) if counts.confidential else secret],
    ]
    row = 1
    for values in rows:
        row = canvas.put(row, LEFT, values)
    return row + 1


def _grid(ws, canvas: Canvas, counts: read.SummaryCounts, row: int) -> tuple[int, dict]:
    """Alliances by therapeutic area and stage, masked rows included, with totals. Returns the
    next free row and where the chart's data sits."""
    areas = read.therapeutic_areas()
    stages = list(Stage)
    row = canvas.put(row, LEFT, [_section(ws, "Alliances by therapeutic area and stage")])
    names = ["Therapeutic area", *(s.label for s in stages), "Total"]
    header_row = row
    row = canvas.put(row, LEFT, layout.header_cells(ws, names, set(range(1, len(names)))))
    for area_id, area_name in areas:
        by_stage = [counts.grid[s.value, area_id] for s in stages]
        if sum(by_stage):
            row = canvas.put(row, LEFT, [text(ws, area_name), *by_stage, sum(by_stage)])
    totals = [sum(counts.grid[s.value, a] for a, _ in areas) for s in stages]
    total_row = row
    row = canvas.put(
        row, LEFT, [_bold(ws, "Total"), *(_bold(ws, n) for n in [*totals, sum(totals)])]
    )
    chart = {"header": header_row, "total": total_row, "labels": [s.label for s in stages],
             "values": totals}  # fmt: skip
    return row + 1, chart


def _rag_mix(ws, canvas: Canvas, counts: read.SummaryCounts, row: int) -> int:
    """The latest reports' RAG, coloured, with each one's share of the alliances."""
    row = canvas.put(row, LEFT, [_section(ws, "RAG mix (latest status report)")])
    parts = [
        (value.label, counts.rag.get(value.value, 0)) for value in (Rag.RED, Rag.AMBER, Rag.GREEN)
    ]
    parts.append(("No report yet", counts.rag.get(None, 0)))
    if counts.masked:
        parts.append((f"{CONFIDENTIAL} (not shown)", counts.masked))
    total = sum(n for _, n in parts)
    headers = [layout.styled(ws, "", font=layout.BOLD)]
    for name, _ in parts:
        fill, font = (
            layout.fills(name) if name in layout.RAG_COLOURS else (layout.HEADER_FILL, None)
        )
        headers.append(layout.styled(ws, name, font=font or layout.BOLD, fill=fill,
                                     alignment=layout.HEADER_RIGHT))  # fmt: skip
    row = canvas.put(row, LEFT, headers)
    row = canvas.put(row, LEFT, [cell(ws, "Alliances"), *(n for _, n in parts)])
    shares = [cell(ws, n / total if total else 0, "0%") for _, n in parts]
    row = canvas.put(row, LEFT, [cell(ws, "Share"), *shares])
    return row + 1


def _summary_chart(ws, chart: dict) -> None:
    """Alliances by stage, beside the grid: axes shown, values cached in the chart."""
    bars = BarChart()
    bars.type = "col"
    bars.title = "Alliances by stage"
    bars.y_axis.title = "Alliances"
    bars.legend = None
    n = len(chart["labels"])
    sheet = quote_sheetname(ws.title)
    last = get_column_letter(1 + n)
    bars.series.append(
        layout.series(
            f"{sheet}!$B${chart['total']}:${last}${chart['total']}",
            chart["values"],
            f"{sheet}!$B${chart['header']}:${last}${chart['header']}",
            chart["labels"],
            "Alliances",
        )
    )
    layout.show_axes(bars)
    bars.height, bars.width = 6.8, 14
    ws.add_chart(bars, f"{get_column_letter(RIGHT)}{chart['header'] - 1}")


WORSE = {(Rag.GREEN, Rag.AMBER), (Rag.GREEN, Rag.RED), (Rag.AMBER, Rag.RED)}


def _changes_block(ws, canvas: Canvas, query: PortfolioQuery, row: int) -> int:
    """What changed since `since`, counted in one block (the Changes since sheet lists it)."""
    changes = _changes(query)
    kinds = Counter(change.kind for change in changes)
    rag = [change for change in changes if change.kind in ("rag", "rag_edited")]
    worse = sum(1 for change in rag if (change.before, change.after) in WORSE)
    lines = [
        ("New alliances", kinds["new"]),
        ("Stage moves", kinds[TransitionField.STAGE]),
        ("Status moves", kinds[TransitionField.STATUS]),
        ("Management model changes", kinds[TransitionField.MANAGEMENT_MODEL]),
        ("RAG changes (new reports and edits)", len(rag)),
        ("  of which for the worse", worse),
    ]
    title = f"What changed since {layout.day(query.since)} (the Changes since sheet)"
    row = canvas.put(row, LEFT, [_section(ws, title)])
    for name, n in lines:
        row = canvas.put(row, LEFT, [cell(ws, name), n])
    return row + 1


def _breakdowns(ws, canvas: Canvas, counts: read.SummaryCounts, row: int) -> int:
    """By status and by management model, each as a header row over its counts."""
    masked = [(f"{CONFIDENTIAL} (not shown)", counts.masked)] if counts.masked else []
    for title, by, choices, extra in (
        ("By status", counts.status, Status, []),
        ("By management model", counts.model, ManagementModel, masked),
    ):
        parts = [(value.label, by.get(value.value, 0)) for value in choices] + extra
        names = [title] + [name for name, _ in parts]
        row = canvas.put(row, LEFT, layout.header_cells(ws, names, set(range(1, len(names)))))
        row = canvas.put(row, LEFT, [cell(ws, "Alliances"), *(n for _, n in parts)])
    return row + 1


def _by_type(ws, canvas: Canvas, counts: read.SummaryCounts, row: int, col: int) -> int:
    masked = [(f"{CONFIDENTIAL} (not shown)", counts.masked)] if counts.masked else []
    row = canvas.put(row, col, layout.header_cells(ws, ["By type", "Alliances"], {1}))
    for name, n in [
        (value.label, counts.kind.get(value.value, 0)) for value in AllianceType
    ] + masked:
        row = canvas.put(row, col, [cell(ws, name), n])
    return row + 1


ATTENTION = ["Code", "Name", "Lead", "Why", "RAG", "Trend", "Report month", "Headline"]


def _attention(ws, canvas: Canvas, query: PortfolioQuery, row: int) -> int:
    """The alliances needing attention, worst first (read.attention), the first
    ATTENTION_ROWS of them."""
    count, rows = read.attention(query, day=today(), limit=ATTENTION_ROWS)
    shown = f" (the worst {len(rows)} of {count})" if count > len(rows) else ""
    row = canvas.put(row, RIGHT, [_section(ws, f"Needs attention: {count}{shown}")])
    row = canvas.put(row, RIGHT, layout.header_cells(ws, ATTENTION))
    for item in rows:
        why = read.SEVERITY[item.rank][0] if item.rank < len(read.SEVERITY) else ""
        if item.missing:
            why = f"{why}, report missing" if why else "report missing"
        rag = label(Rag, item.rag) if item.rag else None
        fill, font = layout.fills(rag) if rag else (None, None)
        row = canvas.put(
            row,
            RIGHT,
            [
                layout.styled(ws, clean_text(item.code), alignment=layout.INDENT),
                text(ws, item.name),
                text(ws, item.lead) if item.lead else None,
                why,
                layout.styled(ws, rag, fill=fill, font=font) if rag else None,
                label(Trend, item.trend) if item.trend else None,
                _month(ws, item.month) or "none yet",
                wrapped(ws, item.headline) if item.headline else None,
            ],
        )
    if not rows:
        row = canvas.put(row, RIGHT, [cell(ws, "none")])
    return row + 1


def _obligation_lines(ws, canvas: Canvas, query: PortfolioQuery, row: int) -> int:
    overdue, upcoming = obligations.obligation_counts(query, day=today())
    row = canvas.put(row, LEFT, [_section(ws, "Obligations (the Obligations sheet)")])
    row = canvas.put(row, LEFT, [cell(ws, "Overdue"), overdue])
    days = obligations.OBLIGATIONS_DAYS
    return canvas.put(row, LEFT, [cell(ws, f"Due in the next {days} days"), upcoming]) + 1


def write_summary(wb, query: PortfolioQuery) -> read.SummaryCounts:
    """The one-page dashboard; returns its counts (the confidential ones mark every page)."""
    ws = wb.create_sheet("Summary", 0)
    layout.prepare(ws, SUMMARY_WIDTHS, freeze=None, one_page=True)
    counts = read.summary_counts(query)
    canvas = Canvas()
    row = _heading(ws, canvas, query, counts)
    band = row
    row, chart = _grid(ws, canvas, counts, row)
    row = _rag_mix(ws, canvas, counts, row)
    row = max(row, band + CHART_ROWS + 1)
    band = row
    row = _changes_block(ws, canvas, query, row)
    row = _breakdowns(ws, canvas, counts, row)
    right = _attention(ws, canvas, query, band)
    band = max(row, right)
    money = []
    obligations.write_money(ws, query, into=money)
    row = band
    for values in money:
        row = canvas.put(row, LEFT, list(values))
    row = _obligation_lines(ws, canvas, query, row)
    _by_type(ws, canvas, counts, band, RIGHT + 3)
    canvas.write(ws, SUMMARY_WIDTHS)
    _summary_chart(ws, chart)
    return counts


# Trend -------------------------------------------------------------------------------------


def trend_months(day: datetime.date, n: int = TREND_MONTHS) -> list[datetime.date]:
    """The first days of the last `n` months, the current one last."""
    months = [day.replace(day=1)]
    for _ in range(n - 1):
        months.insert(0, previous_month(months[0]))
    return months


TREND = [
    ("Month", 12, "The reporting month (the current one's reports may still be coming)."),
    ("Red", 8, "Status reports of the month rated red."),
    ("Amber", 8, "Status reports of the month rated amber."),
    ("Green", 8, "Status reports of the month rated green."),
    ("Reported", 10, "Alliances with a report for the month (each alliance's report of it)."),
]


def write_trend(wb, query: PortfolioQuery) -> None:
    """The RAG mix per month over the last TREND_MONTHS months, with a stacked column chart:
    the alliances the reader sees (masked rows show no RAG)."""
    ws = _sheet(wb, "Trend", TREND)
    ws.append(_header(ws, TREND))
    months = trend_months(today())
    counts = read.trend_counts(query, months=months)
    order = (Rag.RED, Rag.AMBER, Rag.GREEN)
    for month in months:
        by_rag = [counts[month].get(rag, 0) for rag in order]
        ws.append([_month(ws, month), *by_rag, sum(by_rag)])
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "RAG mix per month (status reports)"
    chart.y_axis.title = "Alliances"
    sheet = quote_sheetname(ws.title)
    last = len(months) + 1
    labels = [f"{month:%b %Y}" for month in months]
    for col, rag in enumerate(order, start=2):
        letter = get_column_letter(col)
        s = layout.series(
            f"{sheet}!${letter}$2:${letter}${last}",
            [counts[month].get(rag, 0) for month in months],
            f"{sheet}!$A$2:$A${last}",
            labels,
            rag.label,
        )
        s.graphicalProperties.solidFill = layout.RAG_SERIES[rag.label]
        s.graphicalProperties.line.solidFill = layout.RAG_SERIES[rag.label]
        chart.series.append(s)
    layout.show_axes(chart)
    chart.height, chart.width = 9, 18
    ws.add_chart(chart, "G2")
    _finish(ws, TREND, len(months))


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


def _changes(query: PortfolioQuery) -> list[read.Change]:
    """The changes since `since`, read once for the Summary and the sheet."""
    if getattr(query, "_changes", None) is None:
        query._changes = read.change_rows(query)
    return query._changes


def write_changes(wb, query: PortfolioQuery) -> None:
    """Each alliance's changes together, in the order they happened: one story per alliance."""
    ws = _sheet(wb, "Changes since", CHANGES)
    ws.append(_header(ws, CHANGES))
    changes = sorted(_changes(query), key=lambda change: (change.code, change.when))
    note = _width(CHANGES, "Note")
    for number, change in enumerate(changes, start=2):
        title, choices = _change_title(change)
        before = label(choices, change.before) if choices else change.before
        after = label(choices, change.after) if choices else change.after
        by = person(change.first_name, change.last_name, change.username)
        tall = layout.lines(change.note, note) if len(change.note or "") > note else 1
        layout.append(
            ws,
            number,
            [
                layout.template(ws, number_format=layout.DATETIME)(plain(change.when)),
                text(ws, change.code),
                text(ws, change.name),
                bool(change.confidential),
                *(text(ws, value) for value in (title, before, after)),
                text(ws, by),
                wrapped(ws, change.note) if change.note else None,
            ],
            tall,
        )
    _finish(ws, CHANGES, len(changes))


# Front door --------------------------------------------------------------------------------


def _request_rows(ws, *, user, day: datetime.date, requests=None) -> int:
    count = 0
    for title, first, last, username, area, status, submitted, sla_due in read.front_door_requests(
        user=user, requests=requests
    ):
        overdue = IntakeRequest(status=status, sla_due=sla_due).is_overdue(day)
        layout.append(
            ws,
            count + 2,
            [
                wrapped(ws, title),
                cell(ws, person(first, last, username)),
                cell(ws, area),
                cell(ws, label(IntakeStatus, status)),
                cell(ws, business_days_since(local_date(submitted), day)),
                _date(ws, sla_due),
                overdue,
            ],
            layout.lines(title, _width(FRONT_DOOR, "Request")),
        )
        count += 1
    return count


def _applied(labels: list[str]) -> str:
    if not labels:
        return "All open requests"
    return f"Filtered by {', '.join(labels)}"


def _pipeline_counts(ws, *, user, day: datetime.date, requests=None) -> int:
    counts = read.pipeline_counts(user=user, day=day, requests=requests)
    for status in INTAKE_OPEN_STATUSES:
        n, overdue = counts.get(status, (0, 0))
        ws.append([cell(ws, label(IntakeStatus, status)), n, overdue])
    total = [sum(n for n, _ in counts.values()), sum(o for _, o in counts.values())]
    ws.append([_bold(ws, "Total"), *(_bold(ws, n) for n in total)])
    return len(INTAKE_OPEN_STATUSES) + 1


def _demand(ws, *, user) -> int:
    names = read.service_names()
    rows = read.demand_rows(user=user)
    for row in rows:
        ratios = [row["utilisation"], row["utilisation_with_pipeline"]]
        ws.append(
            [
                cell(ws, names.get(row["service"], row["service"])),
                row["specialists"],
                *(
                    cell(ws, row[key], layout.HOURS)
                    for key in ("capacity_hours", "demand_hours", "pipeline_hours")
                ),
                *(cell(ws, ratio, "0%") if ratio is not None else None for ratio in ratios),
            ]
        )
    return len(rows)


def write_front_door(wb, *, user, query: PortfolioQuery | None = None) -> None:
    """Three sheets, each one table: the open requests `user` sees through the API (Front
    door); the figures counted for them, which may include requests not listed (an
    executive's counts cover the whole non-confidential pipeline) and name no request
    (Pipeline); demand against capacity per service (Demand). The workbook's filters that
    mean the same on a request (area, type, direction, partner) apply to the first two."""
    requests, labels = request_filters(query) if query is not None else (None, [])
    day = today()
    ws = _sheet(wb, "Front door", FRONT_DOOR)
    ws.append(_header(ws, FRONT_DOOR))
    count = _request_rows(ws, user=user, day=day, requests=requests)
    _finish(ws, FRONT_DOOR, count)
    ws.oddHeader.left.text = ws.evenHeader.left.text = _applied(labels)

    ws = _sheet(wb, "Pipeline", PIPELINE)
    ws.append(_header(ws, PIPELINE, numeric={1, 2}))
    count = _pipeline_counts(ws, user=user, day=day, requests=requests)
    _finish(ws, PIPELINE, count)
    ws.oddHeader.left.text = ws.evenHeader.left.text = _applied(labels)

    ws = _sheet(wb, "Demand", DEMAND)
    ws.append(_header(ws, DEMAND))
    count = _demand(ws, user=user)
    _finish(ws, DEMAND, count)


# Data dictionary ---------------------------------------------------------------------------


def write_dictionary(wb) -> None:
    columns = [("Sheet", 16, ""), ("Column", 24, ""), ("Meaning", 90, "")]
    ws = _sheet(wb, "Data dictionary", columns)
    ws.append(_header(ws, columns))
    entries = [
        ("Summary", "As of", "When the workbook was made, in the portfolio's time zone."),
        ("Summary", "Counts", "Confidential alliances you are not on count as masked rows."),
        (
            "Summary",
            "Needs attention",
            "Red RAG, declining trend, or the due report missing; worst first: red and "
            "declining, red, declining, then missing reports, the oldest report first.",
        ),
        ("Summary", "Confidential", "How many confidential alliances the file holds."),
    ]
    for sheet, cols in (
        ("Register", REGISTER),
        ("Trend", TREND),
        ("Changes since", CHANGES),
        ("Front door", FRONT_DOOR),
        ("Pipeline", PIPELINE),
        ("Demand", DEMAND),
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
    entries.append(
        (
            "Every sheet",
            "Page header",
            "“Contains confidential alliances” on every printed page when the file holds any.",
        )
    )
    for number, (sheet, column, meaning) in enumerate(entries, start=2):
        values = [cell(ws, sheet), cell(ws, column), wrapped(ws, meaning)]
        layout.append(ws, number, values, layout.lines(meaning, columns[2][1]))
    _finish(ws, columns, len(entries))


# The whole file ----------------------------------------------------------------------------


def finish_workbook(wb, query: PortfolioQuery, counts: read.SummaryCounts) -> None:
    """Document properties, and every sheet's printed header and footer."""
    as_of = plain(_as_of(query))
    wb.properties.title = f"{layout.PRODUCT}, {as_of:%d %b %Y}"
    wb.properties.subject = "Alliance portfolio workbook"
    wb.properties.creator = wb.properties.lastModifiedBy = layout.PRODUCT
    wb.properties.description = f"Prepared for {clean_text(query.user.get_username())}"
    for ws in wb.worksheets:
        layout.finish(ws, as_of=as_of, confidential=bool(counts.confidential))
