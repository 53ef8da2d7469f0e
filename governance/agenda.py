"""What concerns someone in the weeks ahead, for their calendar page: the meetings of the bodies
they sit on or whose alliances they lead (as their calendar feed has them), the open
obligations due on the alliances they are on or that they own, and their own open action items,
each read through the one visibility rule. What is already late (an obligation or action item
past due, a meeting whose minutes are overdue) comes first, whatever its date.

Three queries, whatever the number of entries."""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from alliances.calendar import today
from alliances.models import Alliance
from config import display

from .choices import OPEN_OBLIGATION, ActionStatus, MeetingStatus
from .models import ActionItem, BodyMember, Meeting, Obligation
from .querysets import minutes_overdue_q

WEEKS = 8


@dataclasses.dataclass(frozen=True)
class Entry:
    """One line of the calendar. `kind` is "meeting", "obligation" or "action_item"; `pk` the
    object's (for a link to its page); `days_late` how late it is (None when not)."""

    kind: str
    pk: int
    day: datetime.date
    title: str
    alliance: str
    detail: str
    status: str  # the state's label
    status_code: str
    days_late: int | None = None
    time: str = ""  # a meeting's local start and zone
    at: float = 0.0  # a meeting's start (a timestamp), to order a day's meetings

    @property
    def kind_label(self) -> str:
        return {"meeting": "Meeting", "obligation": "Obligation", "action_item": "Action item"}[
            self.kind
        ]


@dataclasses.dataclass
class Week:
    first_day: datetime.date
    entries: list[Entry]

    @property
    def last_day(self) -> datetime.date:
        return self.first_day + datetime.timedelta(days=6)


@dataclasses.dataclass
class Agenda:
    first_day: datetime.date
    last_day: datetime.date
    late: list[Entry]
    weeks: list[Week]

    def __len__(self) -> int:
        return len(self.late) + sum(len(week.entries) for week in self.weeks)


def _alliance(code: str, name: str) -> str:
    return f"{code} {name}"


def _meetings(user, first_day, last_day, now) -> list[Entry]:
    bodies = BodyMember.objects.filter(user=user).values("body_id")
    led = Alliance.objects.filter(lead=user).values("pk")
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, zone)
    rows = (
        Meeting.objects.visible_to(user)
        .filter(Q(body_id__in=bodies) | Q(alliance_id__in=led))
        .filter(Q(starts_at__gte=start, starts_at__lt=end) | minutes_overdue_q(now))
        .select_related("body", "alliance")
        .order_by("starts_at", "pk")
    )
    labels = dict(MeetingStatus.choices)
    cutoff = now - datetime.timedelta(days=settings.MINUTES_APPROVAL_DAYS)
    found = []
    for meeting in rows:
        local = meeting.local_start
        late = None
        if meeting.status == MeetingStatus.HELD and meeting.starts_at < cutoff:
            due = local.date() + datetime.timedelta(days=settings.MINUTES_APPROVAL_DAYS)
            late = max((today() - due).days, 1)
        city = meeting.time_zone.rsplit("/", 1)[-1].replace("_", " ")
        found.append(
            Entry(
                kind="meeting",
                pk=meeting.pk,
                day=local.date(),
                title=str(meeting),
                alliance=_alliance(meeting.alliance.code, meeting.alliance.name),
                detail=meeting.body.name if late is None else "Minutes not approved",
                status=labels[meeting.status],
                status_code=meeting.status,
                days_late=late,
                time=f"{local:%H:%M} {city} time",
                at=meeting.starts_at.timestamp(),
            )
        )
    return found


def _obligations(user, last_day) -> list[Entry]:
    mine = Alliance.objects.involving(user).values("pk")
    rows = (
        Obligation.objects.visible_to(user)
        .filter(status__in=OPEN_OBLIGATION, due_date__lte=last_day)
        .filter(Q(alliance_id__in=mine) | Q(owner=user))
        .select_related("alliance")
        .order_by("due_date", "pk")
    )
    found = []
    day = today()
    for obligation in rows:
        late = (day - obligation.due_date).days
        money = display.money(obligation.amount, obligation.currency)
        kind = obligation.get_kind_display()
        found.append(
            Entry(
                kind="obligation",
                pk=obligation.pk,
                day=obligation.due_date,
                title=obligation.title,
                alliance=_alliance(obligation.alliance.code, obligation.alliance.name),
                detail=kind if obligation.amount is None else f"{kind}, {money}",
                status=obligation.get_status_display(),
                status_code=obligation.status,
                days_late=late if late > 0 else None,
            )
        )
    return found


def _action_items(user, last_day) -> list[Entry]:
    rows = (
        ActionItem.objects.visible_to(user)
        .filter(owner_user=user, status=ActionStatus.OPEN, due_date__lte=last_day)
        .select_related("alliance", "meeting__body")
        .order_by("due_date", "pk")
    )
    found = []
    day = today()
    for item in rows:
        late = (day - item.due_date).days
        found.append(
            Entry(
                kind="action_item",
                pk=item.meeting_id,  # its page is its meeting's
                day=item.due_date,
                title=item.title,
                alliance=_alliance(item.alliance.code, item.alliance.name),
                detail=f"From {item.meeting.body.name}",
                status=item.get_status_display(),
                status_code=item.status,
                days_late=late if late > 0 else None,
            )
        )
    return found


def agenda_for(user, weeks: int = WEEKS, now: datetime.datetime | None = None) -> Agenda:
    """`user`'s calendar from the Monday of this week for `weeks` weeks, late entries first."""
    now = now or timezone.now()
    day = today()
    first_day = day - datetime.timedelta(days=day.weekday())
    last_day = first_day + datetime.timedelta(weeks=weeks, days=-1)
    entries = [
        *_meetings(user, first_day, last_day, now),
        *_obligations(user, last_day),
        *_action_items(user, last_day),
    ]

    def order(entry: Entry):
        return (entry.day, entry.at, entry.kind, entry.pk)

    late = sorted((e for e in entries if e.days_late), key=lambda e: (-e.days_late, order(e)))
    on_time = sorted((e for e in entries if not e.days_late), key=order)
    calendar = [Week(first_day + datetime.timedelta(weeks=n), []) for n in range(weeks)]
    for entry in on_time:
        index = (entry.day - first_day).days // 7
        if 0 <= index < weeks:
            calendar[index].entries.append(entry)
    return Agenda(first_day=first_day, last_day=last_day, late=late, weeks=calendar)
