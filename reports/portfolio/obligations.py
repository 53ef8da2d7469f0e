"""The workbook's obligations: the Obligations sheet (what is open and due in the next
OBLIGATIONS_DAYS days, and everything overdue) and the Summary's Money section (the next
MONEY_QUARTERS quarters, in and out, per currency, from governance.forecast: the same figures
as the API's obligations/forecast/). Read and written here, for the same
alliances as the register (the PortfolioQuery): the ones the reader sees, and the
confidential ones they do not as masked rows, which show only what the register's mask would
allow of an obligation (its kind, direction, due date, days overdue and status; never the
alliance, agreement, title, owner or money). The Money section counts only what the reader
sees. One query for the sheet and the forecast's few for the section, whatever the
portfolio's size."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast

from alliances.calendar import today
from governance.choices import (
    OPEN_OBLIGATION,
    ObligationDirection,
    ObligationKind,
    ObligationStatus,
)
from governance.forecast import obligations_forecast
from governance.models import Obligation
from governance.querysets import obligation_overdue_q

from ..safe_cells import cell, money_format, text
from .columns import CONFIDENTIAL, person
from .layout import DATE, header_cells, template
from .params import PortfolioQuery

OBLIGATIONS_DAYS = 90
MONEY_QUARTERS = 4
CHUNK = 500

OBLIGATIONS = [
    # (header, width, meaning)
    ("Code", 11, "The alliance's code (Confidential: an alliance you may not see in detail)."),
    ("Name", 22, "The alliance's name."),
    ("Confidential", 12, "Whether the alliance is confidential (masked rows always are)."),
    ("Agreement", 30, "The agreement the obligation is under."),
    ("Kind", 18, "Upfront, milestone, royalty, cost share, invoice; report, delivery, notice, …"),
    ("Direction", 24, "Incoming (the partner owes us), outgoing (we owe) or joint."),
    ("Obligation", 34, "What is owed."),
    ("Due date", 11, "When it is due."),
    ("Days overdue", 9, "Days past its due date, if due or disputed and overdue; else empty."),
    ("Amount", 16, "What is paid, in the row's currency (financial kinds)."),
    ("Currency", 9, "ISO 4217; amounts are never summed across currencies."),
    ("Owner", 18, "Who owns it on our side."),
    ("Status", 11, "Upcoming, due or disputed (only open obligations are listed)."),
]
MONEY = [
    (
        "Quarter",
        "The calendar quarter; Overdue: due or disputed, past its due date; Waiting on a "
        "trigger: upcoming (its due date follows the trigger event).",
    ),
    ("Currency", "ISO 4217; nothing is summed across currencies."),
    (
        "In: due",
        "Incoming (the partner owes us): due or disputed, due in the quarter (from today on; "
        "what is past its due date is on the Overdue rows).",
    ),
    ("In: met", "Incoming met (received) in the quarter."),
    ("Out: due", "Outgoing (we owe): due or disputed, due in the quarter."),
    ("Out: met", "Outgoing met (paid) in the quarter."),
    ("Joint: due", "Joint (a cost share between the partners): due in the quarter."),
    ("Joint: met", "Joint met in the quarter."),
]
SIDES = (ObligationDirection.INCOMING, ObligationDirection.OUTGOING, ObligationDirection.JOINT)
# The Money section's buckets besides the quarters: past its due date; waiting on a trigger.
OVERDUE, UNDATED = -1, -2
# The forecast's sides and the directions they stand for.
SIDE_NAMES = {"in": ObligationDirection.INCOMING, "out": ObligationDirection.OUTGOING,
              "joint": ObligationDirection.JOINT}  # fmt: skip
LABELS = {
    choices: {value: str(label) for value, label in choices.choices}
    for choices in (ObligationKind, ObligationDirection, ObligationStatus)
}


def _label(choices, value) -> str:
    return LABELS[choices].get(value, value or "")


def _alliance_ids(query: PortfolioQuery):
    return Q(alliance__in=query.visible.values("pk")) | Q(alliance__in=query.masked.values("pk"))


# The sheet ---------------------------------------------------------------------------------

ROW_FIELDS = (
    "masked", "overdue", "alliance__code", "alliance__name", "agreement__title", "kind",
    "direction", "title", "due_date", "money", "currency", "owner__first_name",
    "owner__last_name", "owner__username", "status", "alliance__confidential",
)  # fmt: skip
# What a masked row shows: masked, overdue, kind, direction, due date, status.
MASKED_SHOWS = {ROW_FIELDS.index(name) for name in (
    "masked", "overdue", "kind", "direction", "due_date", "status",
)}  # fmt: skip


def _unless_masked(field: str, output_field):
    """`field`, or nothing for a masked row: its order must not tell what it hides."""
    return Case(When(masked=True, then=Value(None)), default=F(field), output_field=output_field)


def obligation_rows(query: PortfolioQuery, *, day: datetime.date) -> Iterator[tuple]:
    """Open obligations with a due date up to OBLIGATIONS_DAYS after `day` (so everything
    overdue too), overdue first, then by due date; masked rows stripped to what they show.
    Rows of ROW_FIELDS."""
    horizon = day + datetime.timedelta(days=OBLIGATIONS_DAYS)
    rows = (
        Obligation.objects.filter(_alliance_ids(query))
        .filter(status__in=OPEN_OBLIGATION, due_date__isnull=False, due_date__lte=horizon)
        .annotate(
            masked=Case(
                When(alliance__in=query.masked.values("pk"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            overdue=ExpressionWrapper(obligation_overdue_q(day), output_field=BooleanField()),
            # Floats, as the register's money: Excel numbers are doubles anyway.
            money=Cast("amount", FloatField()),
        )
        .order_by(
            F("overdue").desc(),
            "due_date",
            "masked",
            _unless_masked("alliance__code", CharField()).asc(nulls_first=True),
            "kind",
            "direction",
            "status",
            _unless_masked("agreement__title", CharField()).asc(nulls_first=True),
            _unless_masked("title", CharField()).asc(nulls_first=True),
            _unless_masked("pk", IntegerField()).asc(nulls_first=True),
        )
        .values_list(*ROW_FIELDS)
    )
    for row in rows.iterator(chunk_size=CHUNK):
        if row[0]:  # masked: nothing but what MASKED_SHOWS names leaves here
            yield tuple(value if i in MASKED_SHOWS else None for i, value in enumerate(row))
        else:
            yield row


def _obligation_row(ws, row, *, day: datetime.date) -> list:
    (masked, overdue, code, name, agreement, kind, direction, title, due, money, currency,
     first, last, username, status, confidential) = row  # fmt: skip
    late = (day - due).days if overdue else None
    shown = [
        _label(ObligationKind, kind),
        _label(ObligationDirection, direction),
    ]
    if masked:
        return [
            cell(ws, CONFIDENTIAL),
            cell(ws, CONFIDENTIAL),
            True,
            None,
            *shown,
            None,
            template(ws, number_format=DATE)(due),
            late,
            None,
            None,
            None,
            _label(ObligationStatus, status),
        ]
    owner = person(first, last, username)
    return [
        text(ws, code),
        text(ws, name),
        bool(confidential),
        text(ws, agreement),
        *shown,
        text(ws, title),
        template(ws, number_format=DATE)(due),
        late,
        template(ws, number_format=money_format(currency))(money) if money is not None else None,
        currency or None,
        text(ws, owner) if owner else None,
        _label(ObligationStatus, status),
    ]


def write_obligations(wb, query: PortfolioQuery, *, sheet, header, finish) -> int:
    """The Obligations sheet (`sheet`, `header` and `finish` are the workbook's own sheet
    helpers); returns its number of rows."""
    ws = sheet(wb, "Obligations", OBLIGATIONS)
    ws.append(header(ws, OBLIGATIONS))
    day = today()
    count = 0
    for row in obligation_rows(query, day=day):
        ws.append(_obligation_row(ws, row, day=day))
        count += 1
    finish(ws, OBLIGATIONS, count)
    return count


# The Summary's Money section ---------------------------------------------------------------


def quarter_starts(day: datetime.date, n: int = MONEY_QUARTERS + 1) -> list[datetime.date]:
    """The first days of the quarter of `day` and the quarters after it (n in all)."""
    first = (day.year * 12 + 3 * ((day.month - 1) // 3)) // 3
    return [datetime.date((q * 3) // 12, (q * 3) % 12 + 1, 1) for q in range(first, first + n)]


def quarter_label(start: datetime.date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def money_totals(query: PortfolioQuery, *, day: datetime.date) -> dict[tuple, Decimal]:
    """{(bucket, currency, direction, met): total}, totals that are not zero, over the
    alliances the reader sees (masked ones never count), from the obligations forecast (the
    API's: governance.forecast, grouped and summed per currency by the database in a fixed
    number of queries): met and due in each of the next MONEY_QUARTERS quarters (bucket 0 the
    current one), overdue (bucket OVERDUE) and waiting on a trigger (bucket UNDATED)."""
    forecast = obligations_forecast(
        Obligation.objects.filter(alliance__in=query.visible.values("pk")),
        quarters=MONEY_QUARTERS,
        day=day,
    )
    totals = {}

    def add(bucket, currency, side, met, value):
        if Decimal(value):
            totals[bucket, currency, SIDE_NAMES[side], met] = Decimal(value)

    for bucket, quarter in enumerate(forecast["quarters"]):
        for row in quarter["currencies"]:
            for side in SIDE_NAMES:
                add(bucket, row["currency"], side, True, row[side]["met"])
                add(bucket, row["currency"], side, False, row[side]["due"])
    for bucket, key in ((OVERDUE, "overdue"), (UNDATED, "undated")):
        for row in forecast[key]:
            for side in SIDE_NAMES:
                add(bucket, row["currency"], side, False, row[side])
    return totals


def obligation_counts(query: PortfolioQuery, *, day: datetime.date) -> tuple[int, int]:
    """(overdue, due in the next OBLIGATIONS_DAYS days and not overdue): the Obligations
    sheet's rows, counted in one query."""
    horizon = day + datetime.timedelta(days=OBLIGATIONS_DAYS)
    overdue = obligation_overdue_q(day)
    counts = (
        Obligation.objects.filter(_alliance_ids(query))
        .filter(status__in=OPEN_OBLIGATION, due_date__isnull=False, due_date__lte=horizon)
        .aggregate(overdue=Count("pk", filter=overdue), upcoming=Count("pk", filter=~overdue))
    )
    return counts["overdue"], counts["upcoming"]


def write_money(ws, query: PortfolioQuery, *, into: list | None = None) -> None:
    """The Summary's Money section: one row per quarter and currency (a quarter with none:
    one empty row), then what is overdue per currency. Appended to `ws`, or to `into` (rows
    for `ws` placed by the caller)."""
    append = into.append if into is not None else ws.append
    day = today()
    edges = quarter_starts(day)
    totals = money_totals(query, day=day)
    by_bucket = defaultdict(set)
    for bucket, currency, *_ in totals:
        by_bucket[bucket].add(currency)
    append(
        [
            cell(
                ws,
                f"Money, next {MONEY_QUARTERS} quarters (alliances you see; never summed "
                "across currencies)",
                bold=True,
            )
        ]
    )
    names = [name for name, _ in MONEY]
    append(header_cells(ws, names, set(range(2, len(names)))))
    buckets = [(n, quarter_label(start)) for n, start in enumerate(edges[:-1])]
    for bucket, title in [*buckets, (OVERDUE, "Overdue"), (UNDATED, "Waiting on a trigger")]:
        currencies = sorted(by_bucket[bucket])
        if not currencies and bucket >= 0:
            append([cell(ws, title), cell(ws, "none")])
        for currency in currencies:
            figures = []
            for side in SIDES:
                for is_met in (False, True):
                    total = totals.get((bucket, currency, side, is_met))
                    figures.append(
                        cell(ws, total, money_format(currency)) if total is not None else None
                    )
            append([cell(ws, title), currency, *figures])
    append([])


def dictionary_entries() -> list[tuple[str, str, str]]:
    """The data dictionary's lines for the sheet and the section."""
    return [
        *(("Obligations", name, meaning) for name, _, meaning in OBLIGATIONS),
        (
            "Obligations",
            "Which",
            f"Open obligations due in the next {OBLIGATIONS_DAYS} days and everything overdue, "
            "overdue first, then by due date.",
        ),
        (
            "Obligations",
            "Confidential rows",
            "Obligations of alliances you may not see in detail: only kind, direction, due "
            "date, days overdue and status are shown.",
        ),
        *(("Summary", f"Money: {name}", meaning) for name, meaning in MONEY),
    ]
