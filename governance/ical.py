"""iCalendar (RFC 5545, through the `icalendar` package): a user's private feed and a meeting's
invitation. What a feed holds is read through the one visibility rule, as the API reads it;
the rest of this module only renders.

Rows are read as plain values (a frozen snapshot per event, not model instances: building 500
instances with their related objects cost more than the queries), and each event is rendered
from its snapshot alone, so its text is kept per process (`_event_text`): a feed read again
renders only what changed. The key holds every value the text shows, so a kept text is never
stale.

Due dates are all-day VEVENTs, not VTODOs: Google Calendar and Outlook ignore VTODO in a
subscribed calendar, and the tasks are worked in the portfolio, not ticked off in a calendar.
They are TRANSPARENT, so they never show the owner as busy."""

import dataclasses
import datetime
import functools
import zoneinfo
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vDDDTypes
from icalendar.parser_tools import DEFAULT_ENCODING

from alliances.calendar import today
from alliances.models import Alliance
from resourcing.models import Task

from .choices import ActionStatus, BodyKind, MeetingStatus
from .models import ActionItem, BodyMember, Meeting

PRODID = "-//Alliance portfolio//Governance calendar//EN"
# What a feed spans: recent history for context, and the year ahead that people plan in.
WINDOW_BACK = datetime.timedelta(days=90)
WINDOW_AHEAD = datetime.timedelta(days=366)
# How often calendar clients that read the hint (Outlook, Apple) should fetch the feed again.
REFRESH = datetime.timedelta(hours=1)
FOLD_LIMIT = 75  # octets in a content line
# Rendered events kept per process (about 1.5 KB each with its key: 15 MB at most).
KEPT_EVENTS = 10_000


@dataclasses.dataclass(frozen=True)
class Site:
    """Where links point, and the host that makes UIDs unique (`meeting-12@host`)."""

    url: str  # absolute, without a trailing slash

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "localhost"

    def link(self, path: str) -> str:
        return f"{self.url}{path}"


@dataclasses.dataclass(frozen=True)
class MeetingRow:
    """What a meeting's event shows."""

    pk: int
    updated_at: datetime.datetime
    sequence: int
    starts_at: datetime.datetime
    time_zone: str
    duration_minutes: int
    title: str
    location: str
    call_link: str
    status: str
    cancel_reason: str
    body_name: str
    body_kind: str
    alliance_name: str
    alliance_code: str
    confidential: bool

    FIELDS = (
        "pk",
        "updated_at",
        "sequence",
        "starts_at",
        "time_zone",
        "duration_minutes",
        "title",
        "location",
        "call_link",
        "status",
        "cancel_reason",
        "body__name",
        "body__kind",
        "alliance__name",
        "alliance__code",
        "alliance__confidential",
    )


@dataclasses.dataclass(frozen=True)
class DueRow:
    """What a due date's event shows: an open task's or an open action item's."""

    kind: str  # "task" or "action-item": the UID's and the link's
    pk: int
    updated_at: datetime.datetime
    due_date: datetime.date
    title: str
    alliance_name: str
    alliance_code: str
    detail: str  # the task's service or the action item's body
    status: str  # a label
    note: str


@dataclasses.dataclass
class FeedContent:
    meetings: list[MeetingRow]
    due: list[DueRow]

    def __len__(self) -> int:
        return len(self.meetings) + len(self.due)


# Reading -----------------------------------------------------------------------------------


def meeting_rows(meetings) -> list[MeetingRow]:
    """`meetings` (already narrowed to what the reader may see) as snapshots; one query."""
    return [MeetingRow(*row) for row in meetings.values_list(*MeetingRow.FIELDS)]


def feed_content(user, now: datetime.datetime | None = None) -> FeedContent:
    """What `user`'s feed shows, seen as `user` sees the API: the meetings of the bodies they
    sit on or whose alliances they lead (cancelled ones too), and the due dates of their own
    open tasks and open action items, from WINDOW_BACK ago to WINDOW_AHEAD. Three queries
    (after the user's roles), whatever the number of events."""
    now = now or timezone.now()
    first_day, last_day = today() - WINDOW_BACK, today() + WINDOW_AHEAD
    # Two indexed id lists rather than a join, so neither side scans every meeting.
    bodies = BodyMember.objects.filter(user=user).values("body_id")
    led = Alliance.objects.filter(lead=user).values("pk")
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(Q(body_id__in=bodies) | Q(alliance_id__in=led))
        .filter(starts_at__gte=now - WINDOW_BACK, starts_at__lte=now + WINDOW_AHEAD)
        .order_by("starts_at", "pk")
    )
    tasks = (
        Task.objects.visible_to(user)
        .open_work()
        # An action item's task is the action item's event, not a second one.
        .filter(assignee=user, action_item__isnull=True)
        .filter(due_date__gte=first_day, due_date__lte=last_day)
        .order_by("due_date", "pk")
        .values_list(
            "pk",
            "updated_at",
            "due_date",
            "title",
            "alliance__name",
            "alliance__code",
            "service__name",
            "status",
            "priority",
        )
    )
    items = (
        ActionItem.objects.visible_to(user)
        .filter(owner_user=user, status=ActionStatus.OPEN)
        .filter(due_date__gte=first_day, due_date__lte=last_day)
        .order_by("due_date", "pk")
        .values_list(
            "pk",
            "updated_at",
            "due_date",
            "title",
            "alliance__name",
            "alliance__code",
            "meeting__body__name",
            "note",
        )
    )
    task_status = dict(Task._meta.get_field("status").choices)
    priority = dict(Task._meta.get_field("priority").choices)
    due = [
        DueRow(
            "task",
            pk,
            at,
            day,
            title,
            name,
            code,
            f"Task for {service}",
            task_status[status],
            f"Priority: {priority[level]}",
        )
        for pk, at, day, title, name, code, service, status, level in tasks
    ]
    due += [
        DueRow(
            "action-item",
            pk,
            at,
            day,
            title,
            name,
            code,
            f"Action item from {body}",
            ActionStatus.OPEN.label,
            note,
        )
        for pk, at, day, title, name, code, body, note in items
    ]
    return FeedContent(meeting_rows(meetings), due)


# Rendering ---------------------------------------------------------------------------------


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    return calendar


def _description(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def meeting_event(row: MeetingRow, site: Site, stamp: datetime.datetime | None = None) -> Event:
    """One meeting in its own time zone. SEQUENCE is the meeting's (raised on each reschedule
    and cancel), so clients replace what they had. DTSTAMP is when it last changed (a feed's
    rule) unless `stamp` says otherwise (an invitation's: when it was sent)."""
    zone = zoneinfo.ZoneInfo(row.time_zone)
    start = row.starts_at.astimezone(zone)
    # Add the duration in UTC: across a DST change, wall-clock arithmetic would be an hour out.
    end = (row.starts_at + datetime.timedelta(minutes=row.duration_minutes)).astimezone(zone)
    cancelled = row.status == MeetingStatus.CANCELLED
    summary = f"{row.alliance_name} {row.body_name}"
    if row.title:
        summary = f"{summary}: {row.title}"
    if cancelled:
        summary = f"Cancelled: {summary}"
    event = Event()
    event.add("uid", f"meeting-{row.pk}@{site.host}")
    event.add("dtstamp", stamp or row.updated_at)
    event.add("sequence", row.sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if row.confidential:
        event.add("class", "CONFIDENTIAL")
    if row.location or row.call_link:
        event.add("location", row.location or row.call_link)
    if row.call_link:
        event.add("url", row.call_link)
    event.add(
        "description",
        _description(
            f"{BodyKind(row.body_kind).label}: {row.body_name}",
            f"Alliance: {row.alliance_name} ({row.alliance_code})",
            f"Status: {MeetingStatus(row.status).label}",
            f"Reason: {row.cancel_reason}" if cancelled and row.cancel_reason else "",
            f"Call: {row.call_link}" if row.call_link else "",
            f"In the portfolio: {site.link(f'/api/v1/meetings/{row.pk}/')}",
        ),
    )
    return event


def due_event(row: DueRow, site: Site) -> Event:
    prefix = "Due" if row.kind == "task" else "Action due"
    path = "tasks" if row.kind == "task" else "action-items"
    event = Event()
    event.add("uid", f"{row.kind}-{row.pk}@{site.host}")
    event.add("dtstamp", row.updated_at)
    event.add("dtstart", row.due_date)
    event.add("dtend", row.due_date + datetime.timedelta(days=1))
    event.add("summary", f"{prefix}: {row.title} ({row.alliance_name})")
    event.add("transp", "TRANSPARENT")
    event.add(
        "description",
        _description(
            f"{row.detail} on {row.alliance_name} ({row.alliance_code})",
            f"Status: {row.status}",
            row.note,
            f"In the portfolio: {site.link(f'/api/v1/{path}/{row.pk}/')}",
        ),
    )
    return event


def _fold(line) -> str:
    """RFC 5545 folding (lines of at most 75 octets), as icalendar folds, but by slicing: its
    character-by-character loop was most of a 500-event feed's time. Never splits right after
    a backslash or caret (an escape), as icalendar avoids; non-ASCII lines are icalendar's."""
    if not line.isascii():
        return line.to_ical().decode(DEFAULT_ENCODING)
    if len(line) < FOLD_LIMIT:
        return line
    segments, start = [], 0
    while len(line) - start >= FOLD_LIMIT:
        end = start + FOLD_LIMIT - 1
        if end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        segments.append(line[start:end])
        start = end
    segments.append(line[start:])
    return "\r\n ".join(segments)


def _text(component) -> str:
    """A component's content lines, folded, each ending in CRLF."""
    return "".join(f"{_fold(line)}\r\n" for line in component.content_lines() if line)


@functools.lru_cache(maxsize=KEPT_EVENTS)
def _event_text(row: MeetingRow | DueRow, site: Site) -> str:
    event = meeting_event(row, site) if isinstance(row, MeetingRow) else due_event(row, site)
    return _text(event)


@functools.lru_cache(maxsize=256)
def _time_zone_text(tzid: str, first_year: int, last_year: int) -> str:
    """A VTIMEZONE spanning only the given years (the full 1970-2038 history would be most of
    the feed). Slow to make, as icalendar warns, so kept per process."""
    try:
        component = Timezone.from_tzid(
            tzid,
            first_date=datetime.date(first_year, 1, 1),
            last_date=datetime.date(last_year + 1, 1, 1),
        )
    except ValueError:  # a zone icalendar cannot describe: clients fall back to their own
        return ""
    return _text(component)


@functools.lru_cache(maxsize=256)
def _tzid(time_zone: str) -> str | None:
    """The TZID icalendar writes for a time in this zone; None for UTC (its times end in Z)."""
    moment = datetime.datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo(time_zone))
    return vDDDTypes(moment).params.get("TZID")


def _time_zones(meetings: list[MeetingRow]) -> str:
    """A VTIMEZONE for each TZID the meetings use, spanning their years."""
    years: dict[str, list[int]] = {}
    for row in meetings:
        tzid = _tzid(row.time_zone)
        if tzid:
            years.setdefault(tzid, []).append(row.starts_at.year)
    return "".join(
        _time_zone_text(tzid, min(found) - 1, max(found) + 1)
        for tzid, found in sorted(years.items())
    )


def _assemble(calendar: Calendar, meetings: list[MeetingRow], events: list[str]) -> bytes:
    """The calendar's own properties, its VTIMEZONEs, then the events."""
    head = _text(calendar)
    end = "END:VCALENDAR\r\n"
    assert head.endswith(end)
    body = "".join([head[: -len(end)], _time_zones(meetings), *events, end])
    return body.encode(DEFAULT_ENCODING)


def feed_calendar(content: FeedContent, site: Site, name: str) -> bytes:
    calendar = _calendar(name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    events = [_event_text(row, site) for row in content.meetings]
    events += [_event_text(row, site) for row in content.due]
    return _assemble(calendar, content.meetings, events)


def invitation_calendar(row: MeetingRow, site: Site) -> bytes:
    """One meeting to add to a calendar. METHOD:PUBLISH, not REQUEST: nobody here takes the
    replies that a REQUEST would invite; the portfolio records who attended."""
    calendar = _calendar(row.title or f"{row.alliance_name} {row.body_name}")
    calendar.add("method", "PUBLISH")
    event = _text(meeting_event(row, site, stamp=timezone.now()))
    return _assemble(calendar, [row], [event])
