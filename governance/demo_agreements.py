"""Demo agreements and obligations, built through the services around today: every demo
alliance has its main agreement; many have subsidiary agreements in every status; milestones,
royalties, reports, audits and notices in both directions and several currencies, some met,
some overdue, some waiting on their trigger, and one disputed."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from alliances.calendar import today
from alliances.choices import Direction, Status
from alliances.models import Alliance

from .choices import AgreementKind, AgreementStatus, InternalFunction
from .models import Agreement
from .services import agreements, obligations

# Each subsidiary agreement's kind, title and the function that owns it.
SUBSIDIARIES = [
    (AgreementKind.QUALITY, "Quality agreement", InternalFunction.QUALITY),
    (AgreementKind.PV_SDEA, "Safety data exchange agreement", InternalFunction.PHARMACOVIGILANCE),
    (AgreementKind.SUPPLY, "Clinical supply agreement", InternalFunction.SUPPLY_CHAIN),
    (AgreementKind.DATA_USE, "Data-use agreement", InternalFunction.DATA_PRIVACY),
]
# How far each subsidiary agreement got, in order of the statuses it passes through.
PATHS = {
    AgreementStatus.PLANNED: [],
    AgreementStatus.DRAFTING: [AgreementStatus.DRAFTING],
    AgreementStatus.NEGOTIATING: [AgreementStatus.DRAFTING, AgreementStatus.NEGOTIATING],
    AgreementStatus.EXECUTED: [
        AgreementStatus.DRAFTING,
        AgreementStatus.NEGOTIATING,
        AgreementStatus.EXECUTED,
    ],
    AgreementStatus.ABANDONED: [AgreementStatus.DRAFTING, AgreementStatus.ABANDONED],
}
CURRENCIES = ["USD", "EUR", "GBP", "CHF", "JPY"]


def _move(actor, agreement, path, note="As recorded in the contract repository."):
    for to in path:
        agreement = agreements.agreement_transition(
            actor=actor, agreement=agreement, to=to, note=note
        )
    return agreement


def build_agreements() -> None:
    rng = random.Random(2027)
    users = {u.username: u for u in get_user_model().objects.all()}
    actor = users.get("head") or next(iter(users.values()))
    day = today()
    disputed = False
    for n, alliance in enumerate(Alliance.objects.select_related("partner", "lead").order_by("pk")):
        currency = alliance.currency or CURRENCIES[n % len(CURRENCIES)]
        start = alliance.start_date or day - datetime.timedelta(days=700)
        if alliance.status == Status.CLOSED:
            # A closed alliance's record, as it stood: the main agreement ended.
            Agreement.objects.create(
                alliance=alliance,
                kind=AgreementKind.COLLABORATION,
                title=f"{alliance.name} collaboration and licence agreement",
                status=AgreementStatus.TERMINATED,
                owning_function=InternalFunction.BUSINESS_DEVELOPMENT,
                effective_date=start,
                created_by=actor,
            )
            continue
        main = agreements.agreement_create(
            actor=actor,
            data={
                "alliance": alliance,
                "kind": AgreementKind.COLLABORATION,
                "title": f"{alliance.name} collaboration and licence agreement",
                "owning_function": InternalFunction.BUSINESS_DEVELOPMENT,
                "effective_date": start,
                "expiry_date": start + datetime.timedelta(days=365 * 10)
                if n % 6
                else day + datetime.timedelta(days=220),  # notice due within 60 days
                "notice_days": 180,
                "payment_terms_days": 45,
                "document_url": f"https://contracts.example.com/{alliance.code}/main",
            },
        )
        main = _move(actor, main, PATHS[AgreementStatus.EXECUTED])
        if alliance.status != Status.STARTUP and n % 2 == 0:
            kind, title, function = SUBSIDIARIES[n // 2 % len(SUBSIDIARIES)]
            target_status = list(PATHS)[n // 2 % len(PATHS)]
            sub = agreements.agreement_create(
                actor=actor,
                data={
                    "alliance": alliance,
                    "kind": kind,
                    "title": f"{alliance.name} {title.lower()}",
                    "parent": main,
                    "owning_function": function,
                    "target_date": day + datetime.timedelta(days=40 + 15 * (n % 7)),
                    "effective_date": day - datetime.timedelta(days=30)
                    if target_status == AgreementStatus.EXECUTED
                    else None,
                },
            )
            _move(actor, sub, PATHS[target_status])
        disputed = _obligations(
            actor=actor,
            alliance=alliance,
            main=main,
            currency=currency,
            start=start,
            day=day,
            n=n,
            rng=rng,
            disputed=disputed,
        )


def _obligations(*, actor, alliance, main, currency, start, day, n, rng, disputed) -> bool:
    """The main agreement's money and deliverables; returns whether one is now disputed."""
    # The deal's payments: to us when we licensed out, else from us.
    money_in = "incoming" if alliance.direction == Direction.OUT else "outgoing"
    scale = Decimal(1000 if currency == "JPY" else 10)

    def create(**data):
        return obligations.obligation_create(
            actor=actor, data={"agreement": main, "owner": alliance.lead, **data}
        )

    upfront = create(
        kind="upfront",
        direction=money_in,
        title="Upfront payment",
        due_date=start + datetime.timedelta(days=45),
        amount=scale * Decimal(rng.choice([1_500_000, 2_500_000, 4_000_000])),
        currency=currency,
        we_invoice=money_in == "incoming",
    )
    obligations.obligation_meet(
        actor=actor, obligation=upfront, met_on=min(upfront.due_date, day), note="Received."
    )
    # A milestone waiting on its event, and one already triggered (due, or overdue).
    create(
        kind="milestone",
        direction=money_in,
        title="Development milestone: first patient dosed in phase 2",
        trigger_event="First patient dosed in the phase 2 study",
        amount=scale * Decimal(rng.choice([800_000, 1_200_000, 2_000_000])),
        currency=currency,
    )
    if n % 3 == 0:
        triggered = create(
            kind="milestone",
            direction=money_in,
            title="Regulatory milestone: IND accepted",
            trigger_event="IND accepted by the FDA",
            amount=scale * Decimal(rng.choice([500_000, 750_000])),
            currency=currency,
        )
        obligations.obligation_trigger(
            actor=actor,
            obligation=triggered,
            occurred_on=day - datetime.timedelta(days=rng.choice([20, 60, 75])),
        )
        if not disputed and n >= 6:
            obligations.obligation_dispute(
                actor=actor,
                obligation=triggered,
                reason="The partner disputes that the IND acceptance meets the milestone's "
                "definition; escalated to the JSC.",
            )
            disputed = True
    if alliance.status == Status.ACTIVE and n % 2:
        create(
            kind="royalty",
            direction=money_in,
            title="Quarterly royalty report and payment",
            due_date=day + datetime.timedelta(days=10 + n % 50),
            amount=scale * Decimal(rng.choice([120_000, 260_000, 410_000])),
            currency=currency,
            recurrence="quarterly",
        )
    # Deliverables both ways: our annual report to the partner, the partner's audit rights.
    report = create(
        kind="report",
        direction="outgoing",
        title="Annual development report to the partner",
        due_date=day + datetime.timedelta(days=(n * 11) % 200 - 20),
        recurrence="annual",
    )
    if report.due_date < day and n % 4:
        obligations.obligation_meet(
            actor=actor, obligation=report, met_on=report.due_date, note="Sent to the JSC."
        )
    if n % 5 == 0:
        create(
            kind="audit",
            direction="incoming",
            title="Partner's records open to audit",
            due_date=day + datetime.timedelta(days=120 + n),
            recurrence="annual",
        )
    if n % 7 == 3:
        create(
            kind="cost_share",
            direction="outgoing",
            title="Development cost share, second half",
            due_date=day - datetime.timedelta(days=12),  # overdue
            amount=scale * Decimal(350_000),
            currency="EUR" if currency != "EUR" else "USD",
        )
    return disputed
