"""Six months of generated status reports for every generated alliance (benchmarks)."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from alliances.calendar import today
from alliances.models import Alliance
from reports.demo import date_reports
from reports.latest import due_month, previous_month
from reports.models import StatusReport

BATCH = 5000


RAGS = ["red", "amber", "green"]
# Month to month, most alliances keep their RAG (about one in six moves), and the portfolio
# settles at roughly half green, a third amber and a tenth red.
MOVES = {
    "green": {"green": 88, "amber": 10, "red": 2},
    "amber": {"green": 16, "amber": 80, "red": 4},
    "red": {"green": 8, "amber": 17, "red": 75},
}


def next_rag(rng: random.Random, rag: str) -> tuple[str, str]:
    """Next month's RAG and trend: the trend follows a move, and is mostly stable otherwise."""
    moves = MOVES[rag]
    new = rng.choices(list(moves), weights=list(moves.values()))[0]
    if new == rag:
        return rag, rng.choices(["stable", "improving", "declining"], weights=[8, 1, 1])[0]
    return new, "improving" if RAGS.index(new) > RAGS.index(rag) else "declining"


class Command(BaseCommand):
    help = "Generate six months of status reports for the generated portfolio (seed_portfolio)."

    @transaction.atomic
    def handle(self, *args, **options):
        rng = random.Random(11)
        months = [due_month(today())]
        for _ in range(5):
            months.append(previous_month(months[-1]))
        done = set(
            StatusReport.objects.filter(alliance__name__startswith="SEED-")
            .values_list("alliance_id", flat=True)
            .distinct()
        )
        rows = []
        created = 0
        for alliance_id, lead_id in Alliance.objects.filter(name__startswith="SEED-").values_list(
            "pk", "lead_id"
        ):
            if alliance_id in done:
                continue
            rag = rng.choices(["green", "amber", "red"], weights=[6, 3, 1])[0]
            for month in reversed(months):  # oldest first
                rag, trend = next_rag(rng, rag)
                rows.append(
                    StatusReport(
                        alliance_id=alliance_id,
                        month=month,
                        rag=rag,
                        trend=trend,
                        headline=f"Generated headline for {month:%B %Y}: {rag}",
                        author_id=lead_id,
                    )
                )
            if len(rows) >= BATCH:
                StatusReport.objects.bulk_create(rows)
                created += len(rows)
                rows = []
        StatusReport.objects.bulk_create(rows)
        created += len(rows)
        date_reports(StatusReport.objects.filter(alliance__name__startswith="SEED-"), months)
        self.stdout.write(f"Generated {created} status reports.")
