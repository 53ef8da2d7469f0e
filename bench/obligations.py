"""The obligations register and the money forecast on the generated portfolio (make bench seeds
it: 10,000 alliances). Seeds, once, a main agreement for every alliance (and a subsidiary one
for a third) and about 100,000 obligations under them: milestones, royalties, invoices, cost
shares and upfront payments in five currencies, reports, deliveries, notices, audits and
diligence duties, in both directions and joint; met (over the last two years), due (some
overdue), waiting on a trigger, waived and disputed. Then prints the median time and query
count of `GET obligations/?overdue=true` for a page, as the head and as a lead (target
<= 30 ms a page, the same queries whatever the page), and of `GET obligations/forecast/`
(target <= 100 ms)."""

import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIRequestFactory, force_authenticate  # noqa: E402

from alliances.calendar import today  # noqa: E402
from alliances.choices import Role  # noqa: E402
from alliances.models import Alliance  # noqa: E402
from governance.api.obligations import ObligationViewSet  # noqa: E402
from governance.choices import (  # noqa: E402
    FINANCIAL_KINDS,
    AgreementKind,
    AgreementStatus,
    ObligationStatus,
    Recurrence,
)
from governance.models import Agreement, Obligation  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
URL = "/api/v1/obligations/"
MARK = "Bench register"  # seeded agreements' titles start with it
PER_ALLIANCE = 10
BATCH = 2000
factory = APIRequestFactory()

KINDS = {
    "milestone": 20,
    "royalty": 18,
    "invoice": 10,
    "cost_share": 7,
    "upfront": 3,
    "report": 18,
    "delivery": 6,
    "notice": 6,
    "audit": 6,
    "diligence": 6,
}
DIRECTIONS = {"incoming": 55, "outgoing": 35, "joint": 10}
CURRENCIES = {"USD": 50, "EUR": 25, "GBP": 10, "JPY": 8, "CHF": 7}
STATUSES = {"met": 35, "due": 40, "upcoming": 15, "waived": 5, "disputed": 5}
RECURRING = {"royalty": Recurrence.QUARTERLY, "report": Recurrence.QUARTERLY, "audit": "annual"}


def pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def seed() -> None:
    """Idempotent: nothing happens when the bench's agreements are there already."""
    if Agreement.objects.filter(title__startswith=MARK).exists():
        return
    started = time.perf_counter()
    rng = random.Random(12)
    User = get_user_model()
    people = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    creator = people[0]
    with transaction.atomic():
        agreements = _agreements(rng, creator)
        count = _obligations(rng, agreements, people, creator)
    print(
        f"Seeded obligations in {time.perf_counter() - started:.1f} s: {len(agreements)} "
        f"agreements, {count} obligations"
    )


def _agreements(rng, creator) -> list[tuple[int, int]]:
    """(agreement id, alliance id) for every agreement made."""
    alliances = list(Alliance.objects.order_by("pk").values_list("pk", "start_date"))
    rows = []
    for pk, start in alliances:
        rows.append(
            Agreement(
                alliance_id=pk,
                kind=AgreementKind.COLLABORATION,
                title=f"{MARK} collaboration and licence agreement",
                status=AgreementStatus.EXECUTED,
                effective_date=start,
                payment_terms_days=rng.choice([30, 45, 60]),
                created_by_id=creator,
            )
        )
        if rng.random() < 1 / 3:
            rows.append(
                Agreement(
                    alliance_id=pk,
                    kind=rng.choice([AgreementKind.SUPPLY, AgreementKind.QUALITY]),
                    title=f"{MARK} subsidiary agreement",
                    status=rng.choice([AgreementStatus.NEGOTIATING, AgreementStatus.EXECUTED]),
                    created_by_id=creator,
                )
            )
    Agreement.objects.bulk_create(rows, batch_size=BATCH)
    return list(Agreement.objects.filter(title__startswith=MARK).values_list("pk", "alliance_id"))


def _obligation(rng, agreement, alliance, people, creator, day) -> Obligation:
    kind = pick(rng, KINDS)
    status = pick(rng, STATUSES)
    financial = kind in FINANCIAL_KINDS
    due = None
    met_on = None
    if status == ObligationStatus.MET:
        met_on = day - datetime.timedelta(days=rng.randint(0, 730))
        due = met_on + datetime.timedelta(days=rng.randint(-20, 20))
    elif status in (ObligationStatus.DUE, ObligationStatus.DISPUTED, ObligationStatus.WAIVED):
        # mostly ahead, a slice overdue
        due = day + datetime.timedelta(days=rng.randint(-120, 720))
    direction = pick(rng, DIRECTIONS)
    return Obligation(
        alliance_id=alliance,
        agreement_id=agreement,
        kind=kind,
        direction=direction,
        title=f"{kind.replace('_', ' ').capitalize()} {rng.randint(1, 40)}",
        trigger_event="First patient dosed" if status == ObligationStatus.UPCOMING else "",
        due_date=due,
        amount=Decimal(rng.randint(1_000, 500_000_000)) / 100 if financial else None,
        currency=pick(rng, CURRENCIES) if financial else "",
        we_invoice=financial and direction == "incoming" and rng.random() < 0.5,
        owner_id=rng.choice(people) if rng.random() < 0.7 else None,
        status=status,
        status_reason="Bench" if status in ("waived", "disputed") else "",
        met_on=met_on,
        recurrence=RECURRING.get(kind, ""),
        created_by_id=creator,
    )


def _obligations(rng, agreements, people, creator) -> int:
    day = today()
    per_alliance: dict[int, list[int]] = {}
    for agreement, alliance in agreements:
        per_alliance.setdefault(alliance, []).append(agreement)
    rows, total = [], 0
    for alliance, theirs in per_alliance.items():
        for _ in range(PER_ALLIANCE):
            rows.append(_obligation(rng, rng.choice(theirs), alliance, people, creator, day))
        if len(rows) >= BATCH:
            Obligation.objects.bulk_create(rows, batch_size=BATCH)
            total += len(rows)
            rows = []
    Obligation.objects.bulk_create(rows, batch_size=BATCH)
    return total + len(rows)


def timed(view, user, path, params, runs=RUNS, warmup=2):
    timings, counts = [], set()
    for run in range(runs + warmup):
        request = factory.get(path, params)
        force_authenticate(request, user=user)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = view(request)
            response.render()
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.data
        if run >= warmup:
            timings.append(elapsed * 1000)
            counts.add(len(captured))
    return timings, counts, response


def show(label, timings, counts):
    print(
        f"  {label:<52} median {statistics.median(timings):7.2f} ms  "
        f"(min {min(timings):.2f}, max {max(timings):.2f})  "
        f"{'/'.join(str(c) for c in sorted(counts))} queries"
    )


def head_user():
    User = get_user_model()
    return User.objects.filter(is_superuser=True).first() or User.objects.create(
        username="bench-head", is_superuser=True
    )


def lead_user():
    return get_user_model().objects.filter(groups__name=Role.ALLIANCE_LEAD).order_by("pk").first()


def main() -> None:
    seed()
    page = ObligationViewSet.as_view({"get": "list"})
    forecast = ObligationViewSet.as_view({"get": "forecast"})
    overdue = Obligation.objects.overdue().count()
    print(f"Obligations: {Obligation.objects.count()} obligations, {overdue} overdue")
    for label, user in (("head", head_user()), ("lead", lead_user())):
        for size, number in ((50, 1), (50, 10), (100, 1)):
            params = {"overdue": "true", "page_size": size, "page": number}
            timings, counts, response = timed(page, user, URL, params)
            show(
                f"overdue page {number} of {size} as {label} ({response.data['count']} rows)",
                timings,
                counts,
            )
        timings, counts, _ = timed(page, user, URL, {"page_size": 50})
        show(f"register page of 50 as {label}", timings, counts)
        for quarters in (4, 12):
            timings, counts, _ = timed(forecast, user, f"{URL}forecast/", {"quarters": quarters})
            show(f"forecast of {quarters} quarters as {label}", timings, counts)


if __name__ == "__main__":
    main()
