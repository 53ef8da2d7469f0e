"""The money forecast (a read): per calendar quarter, from the current one, and per currency,
what comes in (incoming obligations) and goes out (outgoing), each split into `met` (met in
that quarter) and `due` (open, due in that quarter from today on). What is past its due date
is `overdue`, and what waits on its trigger event has no date: `undated`; both per currency,
outside the quarters. Joint obligations (a cost share settled between the partners) belong to
neither side, so they are shown on their own (`joint`), never netted into in or out.

Only financial kinds with an amount count; amounts are summed by the database per currency,
never across currencies. The caller's queryset (the one visibility rule, and the list's
filters) decides which rows count, so nobody's totals include what they may not see. Four
grouped queries, whatever the portfolio's size."""

import datetime
import itertools
from decimal import Decimal

from django.db import models
from django.db.models import Case, IntegerField, Sum, When

from alliances.calendar import today

from .choices import FINANCIAL_KINDS, ObligationDirection, ObligationStatus
from .querysets import obligation_overdue_q
from .services.training import add_months

MAX_QUARTERS = 12
SIDES = {
    ObligationDirection.INCOMING: "in",
    ObligationDirection.OUTGOING: "out",
    ObligationDirection.JOINT: "joint",
}
ZERO = Decimal("0.00")


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter_of(field: str, edges: list[datetime.date]) -> Case:
    """The index of the quarter `field` falls in (rows are already limited to the window)."""
    return Case(
        *(When(**{f"{field}__lt": edge}, then=n) for n, edge in enumerate(edges[1:])),
        output_field=IntegerField(),
    )


def _money(queryset):
    return queryset.filter(kind__in=FINANCIAL_KINDS, amount__isnull=False).exclude(currency="")


def _total():
    return Sum("amount", output_field=models.DecimalField(max_digits=20, decimal_places=2))


def _text(value) -> str:
    return str(Decimal(value or 0).quantize(ZERO))


def _per_currency(rows) -> list[dict]:
    """[{currency, in, out, joint}] from rows of (currency, direction, total)."""
    table: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        sides = table.setdefault(row["currency"], dict.fromkeys(SIDES.values(), ZERO))
        sides[SIDES[row["direction"]]] += row["total"] or ZERO
    return [
        {"currency": currency, **{side: _text(v) for side, v in sides.items()}}
        for currency, sides in sorted(table.items())
    ]


def obligations_forecast(queryset, *, quarters: int = 4, day: datetime.date | None = None):
    """`queryset`: the obligations the caller sees (already filtered as they asked)."""
    day = day or today()
    first = quarter_start(day)
    edges = [add_months(first, 3 * n) for n in range(quarters + 1)]
    money = _money(queryset)
    grouped = ("currency", "direction", "quarter")
    met = (
        money.filter(status=ObligationStatus.MET, met_on__gte=edges[0], met_on__lt=edges[-1])
        .annotate(quarter=_quarter_of("met_on", edges))
        .values(*grouped)
        .annotate(total=_total())
        .order_by()
    )
    due = (
        money.filter(
            status__in=[ObligationStatus.DUE, ObligationStatus.DISPUTED],
            due_date__gte=day,
            due_date__lt=edges[-1],
        )
        .annotate(quarter=_quarter_of("due_date", edges))
        .values(*grouped)
        .annotate(total=_total())
        .order_by()
    )
    overdue = (
        money.filter(obligation_overdue_q(day))
        .values("currency", "direction")
        .annotate(total=_total())
        .order_by()
    )
    undated = (
        money.filter(status=ObligationStatus.UPCOMING)
        .values("currency", "direction")
        .annotate(total=_total())
        .order_by()
    )
    return {
        "as_of": day,
        "quarters": _quarters(edges, met=list(met), due=list(due)),
        "overdue": _per_currency(overdue),
        "undated": _per_currency(undated),
    }


def _quarters(edges, *, met: list[dict], due: list[dict]) -> list[dict]:
    currencies = sorted({row["currency"] for row in (*met, *due)})
    cells: dict[tuple, Decimal] = {}
    for split, rows in (("met", met), ("due", due)):
        for row in rows:
            key = (row["quarter"], row["currency"], SIDES[row["direction"]], split)
            cells[key] = cells.get(key, ZERO) + (row["total"] or ZERO)
    result = []
    for n, (start, end) in enumerate(itertools.pairwise(edges)):
        result.append(
            {
                "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
                "starts_on": start,
                "ends_on": end - datetime.timedelta(days=1),
                "currencies": [
                    {
                        "currency": currency,
                        **{
                            side: {
                                split: _text(cells.get((n, currency, side, split)))
                                for split in ("met", "due")
                            }
                            for side in SIDES.values()
                        },
                    }
                    for currency in currencies
                ],
            }
        )
    return result
