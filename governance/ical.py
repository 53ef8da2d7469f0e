"""iCalendar (RFC 5545, through the `icalendar` package): a user's private feed and a meeting's
invitation. What a feed holds is read through the one visibility rule, as the API reads it; the
rest of this module only renders.

Due dates are all-day VEVENTs, not VTODOs: Google Calendar and Outlook ignore VTODO in a
subscribed calendar, and the tasks are worked in the portfolio, not ticked off in a calendar.
They are TRANSPARENT, so they never show the owner as busy."""

import dataclasses
import datetime
import zoneinfo
from urllib.parse import urlsplit

from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from alliances.calendar import today
from resourcing.models import Task

from .choices import ActionStatus, MeetingStatus
from .models import ActionItem, BodyMember, Meeting

PRODID = "-//Alliance portfolio//Governance calendar//EN"
# What a feed spans: recent history for context, and the year ahead that people plan in.
WINDOW_BACK = datetime.timedelta(days=90)
WINDOW_AHEAD = datetime.timedelta(days=366)
# How often calendar clients that read the hint (Outlook, Apple) should fetch the feed again.
REFRESH = datetime.timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class Site:
    """Where links point, and the host that makes UIDs unique (`meeting-12@host`)."""

    url: str  # absolute, without a trailing slash

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "localhost"

    def link(self, path: str) -> str:
        return f"{self.url}{path}"


@dataclasses.dataclass
class FeedContent:
    meetings: list
    tasks: list
    action_items: list

    def __len__(self) -> int:
        return len(self.meetings) + len(self.tasks) + len(self.action_items)


# Reading -----------------------------------------------------------------------------------


def feed_content(user, now: datetime.datetime | None = None) -> FeedContent:
    """What `user`'s feed shows, seen as `user` sees the API: the meetings of the bodies they
    sit on or whose alliances they lead (cancelled ones too), and the due dates of their own
    open tasks and open action items, from WINDOW_BACK ago to WINDOW_AHEAD. Three queries
    (after the user's roles), whatever the number of events."""
    now = now or timezone.now()
    first_day, last_day = today() - WINDOW_BACK, today() + WINDOW_AHEAD
    bodies = BodyMember.objects.filter(user=user).values("body_id")
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(Q(body__in=bodies) | Q(alliance__lead=user))
        .filter(starts_at__gte=now - WINDOW_BACK, starts_at__lte=now + WINDOW_AHEAD)
        .select_related("body", "alliance")
        .order_by("starts_at", "pk")
    )
    tasks = (
        Task.objects.visible_to(user)
        .open_work()
        # An action item's task is the action item's event, not a second one.
        .filter(assignee=user, action_item__isnull=True)
        .filter(due_date__gte=first_day, due_date__lte=last_day)
        .select_related("alliance", "service")
        .order_by("due_date", "pk")
    )
    action_items = (
        ActionItem.objects.visible_to(user)
        .filter(owner_user=user, status=ActionStatus.OPEN)
        .filter(due_date__gte=first_day, due_date__lte=last_day)
        .select_related("alliance", "meeting__body")
        .order_by("due_date", "pk")
    )
    return FeedContent(list(meetings), list(tasks), list(action_items))


# Rendering ---------------------------------------------------------------------------------


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    return calendar


def _add_time_zones(calendar: Calendar, starts: list[datetime.datetime]) -> None:
    """A VTIMEZONE for every TZID used, spanning only the events' years (the full 1970-2038
    history would be most of the feed)."""
    if not starts:
        return
    first = min(starts).date().replace(month=1, day=1)
    last = max(starts).date().replace(month=12, day=31) + datetime.timedelta(days=1)
    calendar.add_missing_timezones(first_date=first, last_date=last)


def _description(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def meeting_event(meeting: Meeting, site: Site, stamp: datetime.datetime | None = None) -> Event:
    """One meeting in its own time zone. SEQUENCE is the meeting's (raised on each reschedule
    and cancel), so clients replace what they had."""
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    start = meeting.starts_at.astimezone(zone)
    # Add the duration in UTC: across a DST change, wall-clock arithmetic would be an hour out.
    end = (meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)).astimezone(
        zone
    )
    body, alliance = meeting.body, meeting.alliance
    cancelled = meeting.status == MeetingStatus.CANCELLED
    summary = f"{alliance.name} {body.name}"
    if meeting.title:
        summary = f"{summary}: {meeting.title}"
    if cancelled:
        summary = f"Cancelled: {summary}"
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{site.host}")
    event.add("dtstamp", stamp or meeting.updated_at)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if alliance.confidential:
        event.add("class", "CONFIDENTIAL")
    location = meeting.location or meeting.call_link
    if location:
        event.add("location", location)
    if meeting.call_link:
        event.add("url", meeting.call_link)
    event.add(
        "description",
        _description(
            f"{body.get_kind_display()}: {body.name}",
            f"Alliance: {alliance.name} ({alliance.code})",
            f"Status: {meeting.get_status_display()}",
            f"Reason: {meeting.cancel_reason}" if cancelled and meeting.cancel_reason else "",
            f"Call: {meeting.call_link}" if meeting.call_link else "",
            f"In the portfolio: {site.link(f'/api/v1/meetings/{meeting.pk}/')}",
        ),
    )
    return event


def _due_event(*, uid: str, day: datetime.date, summary: str, stamp, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    event.add("description", description)
    return event


def task_event(task: Task, site: Site) -> Event:
    return _due_event(
        uid=f"task-{task.pk}@{site.host}",
        day=task.due_date,
        summary=f"Due: {task.title} ({task.alliance.name})",
        stamp=task.updated_at,
        description=_description(
            f"Task for {task.service.name} on {task.alliance.name} ({task.alliance.code})",
            f"Status: {task.get_status_display()}",
            f"Priority: {task.get_priority_display()}",
            f"In the portfolio: {site.link(f'/api/v1/tasks/{task.pk}/')}",
        ),
    )


def action_item_event(item: ActionItem, site: Site) -> Event:
    return _due_event(
        uid=f"action-item-{item.pk}@{site.host}",
        day=item.due_date,
        summary=f"Action due: {item.title} ({item.alliance.name})",
        stamp=item.updated_at,
        description=_description(
            f"Action item from {item.meeting.body.name} on {item.alliance.name} "
            f"({item.alliance.code})",
            item.note,
            f"In the portfolio: {site.link(f'/api/v1/action-items/{item.pk}/')}",
        ),
    )


def feed_calendar(content: FeedContent, site: Site, name: str) -> bytes:
    calendar = _calendar(name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for meeting in content.meetings:
        calendar.add_component(meeting_event(meeting, site))
    for task in content.tasks:
        calendar.add_component(task_event(task, site))
    for item in content.action_items:
        calendar.add_component(action_item_event(item, site))
    _add_time_zones(calendar, [meeting.starts_at for meeting in content.meetings])
    return calendar.to_ical()


def invitation_calendar(meeting: Meeting, site: Site) -> bytes:
    """One meeting to add to a calendar. METHOD:PUBLISH, not REQUEST: nobody here takes the
    replies that a REQUEST would invite; the portfolio records who attended."""
    calendar = _calendar(str(meeting))
    calendar.add("method", "PUBLISH")
    calendar.add_component(meeting_event(meeting, site, stamp=timezone.now()))
    _add_time_zones(calendar, [meeting.starts_at])
    return calendar.to_ical()
