"""Contract governance's reminders: an obligation due within 30 days, within 7 days, and
overdue, to its owner and the alliance's lead; an executed agreement whose notice date is
within 60 days, to the alliance's lead. Each is keyed by the obligation's due date (the
agreement's notice date), so it is told once per threshold: a tick run twice, or a day
missed, tells nobody twice; a due date moved is a new event. Every message is `about` the
obligation or agreement, so nobody hears of an alliance they may not see. A fixed number of
queries for the scan, whatever the number of obligations."""

import datetime

from django.db.models import Q

from notifications.choices import Kind
from notifications.services import Message, notify_many

from .choices import OPEN_OBLIGATION, AgreementStatus, ObligationKind
from .models import Agreement, Obligation
from .querysets import obligation_overdue_q

DUE_SOON_DAYS = (7, 30)  # the thresholds, nearest first
NOTICE_DAYS = 60
KIND_LABELS = dict(ObligationKind.choices)


def _money(obligation: Obligation) -> str:
    if obligation.amount is None or not obligation.currency:
        return ""
    return f", {obligation.currency} {obligation.amount:,.2f}"


def _obligation_message(obligation: Obligation, *, recipient, event: str, text: str) -> Message:
    return Message(
        recipient=recipient,
        kind=Kind.OBLIGATION_OVERDUE if event == "overdue" else Kind.OBLIGATION_DUE,
        key=f"obligation:{obligation.pk}:{event}:{obligation.due_date.isoformat()}",
        text=text,
        alliance=obligation.alliance,
        about=obligation,
        api_path=f"/api/v1/obligations/{obligation.pk}/",
        admin_path=f"/admin/governance/obligation/{obligation.pk}/change/",
    )


def _describe(obligation: Obligation) -> str:
    alliance = obligation.alliance
    kind = KIND_LABELS.get(obligation.kind, obligation.kind)
    return f"{alliance.code} {alliance.name}: “{obligation.title}” ({kind}{_money(obligation)})"


def obligation_reminders(day: datetime.date) -> int:
    """Open obligations due from `day` to 30 days ahead (the 30-day reminder; within 7 days,
    the 7-day one) and overdue ones (due or disputed, past their due date: once)."""
    horizon = day + datetime.timedelta(days=max(DUE_SOON_DAYS))
    obligations = (
        Obligation.objects.filter(status__in=OPEN_OBLIGATION, due_date__isnull=False)
        .filter(Q(due_date__gte=day, due_date__lte=horizon) | obligation_overdue_q(day))
        .select_related("alliance__lead", "owner")
        .order_by("due_date", "pk")
    )
    messages = []
    for obligation in obligations.iterator(chunk_size=500):
        due = obligation.due_date
        if due < day:  # overdue_q: due or disputed (an upcoming one is never overdue)
            event = "overdue"
            text = f"{_describe(obligation)} was due {due:%d %b %Y} and is overdue."
        else:
            within = next(n for n in DUE_SOON_DAYS if (due - day).days <= n)
            event = f"due_{within}"
            text = f"{_describe(obligation)} is due {due:%d %b %Y}."
        recipients = {obligation.owner, obligation.alliance.lead} - {None}
        messages += [
            _obligation_message(obligation, recipient=person, event=event, text=text)
            for person in sorted(recipients, key=lambda person: person.pk)
        ]
    return notify_many(messages)


def notice_reminders(day: datetime.date) -> int:
    """Executed agreements whose notice date (expiry less the notice period) falls from `day`
    to NOTICE_DAYS ahead, to the alliance's lead once per notice date. The notice date is
    matched in the database per notice period in use (one query for those), so the scan reads
    only the agreements it tells of."""
    executed = Agreement.objects.filter(
        status=AgreementStatus.EXECUTED,
        notice_days__isnull=False,
        expiry_date__gte=day,
    )
    periods = set(executed.order_by().values_list("notice_days", flat=True).distinct())
    if not periods:
        return 0
    window = Q()
    for days in periods:
        start = day + datetime.timedelta(days=days)
        window |= Q(
            notice_days=days,
            expiry_date__range=(start, start + datetime.timedelta(days=NOTICE_DAYS)),
        )
    agreements = (
        executed.filter(window).select_related("alliance__lead").order_by("expiry_date", "pk")
    )
    messages = []
    for agreement in agreements.iterator(chunk_size=500):
        alliance, notice = agreement.alliance, agreement.notice_date
        messages.append(
            Message(
                recipient=alliance.lead,
                kind=Kind.NOTICE_DUE,
                key=f"agreement:{agreement.pk}:notice:{notice.isoformat()}",
                text=f"{alliance.code} {alliance.name}: notice on “{agreement.title}” must be "
                f"given by {notice:%d %b %Y} (it expires {agreement.expiry_date:%d %b %Y}).",
                alliance=alliance,
                about=agreement,
                api_path=f"/api/v1/agreements/{agreement.pk}/",
                admin_path=f"/admin/governance/agreement/{agreement.pk}/change/",
            )
        )
    return notify_many(messages)


def contract_reminders(day: datetime.date) -> int:
    """The scan registered with notifications.reminders: obligations, then notice dates."""
    return obligation_reminders(day) + notice_reminders(day)
