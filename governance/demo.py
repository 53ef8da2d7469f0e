"""Demo governance, built through the services and dated around today: most active alliances
have a joint steering committee (some a development committee or a subteam below it), people
at each partner, a year of past meetings (some minutes still awaiting approval, some action
items overdue, one committee below its contractual cadence) and upcoming meetings with their
logistics steps; training for a few people, and one co-chair without it."""

import datetime
import random
import zoneinfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliances.calendar import today
from alliances.choices import Status
from alliances.models import Alliance

from .choices import BodyKind, CourseKind, DecisionRule, MemberRole, Side
from .models import Meeting
from .services import bodies, meetings, records, training

PEOPLE = [
    ("Mei Tanaka", "VP Alliance Management"),
    ("Jonas Keller", "Head of Clinical Development"),
    ("Priya Raman", "Director, Business Development"),
    ("Lucas Moreau", "Head of Regulatory Affairs"),
    ("Sofia Lindgren", "Alliance Director"),
    ("Daniel Okoye", "Chief Scientific Officer"),
]
ZONES = ["Europe/London", "America/New_York", "Europe/Zurich", "Asia/Tokyo", "Europe/Paris"]
DECISIONS = [
    ("Approve the updated joint development plan and budget.", "approved"),
    ("Move the phase 2 readout review to the next meeting.", "deferred"),
    ("Extend the research term by six months.", "approved"),
    ("Opt-in to the second indication.", "escalated"),
    ("Add a third CMO for drug substance.", "rejected"),
]
ACTIONS = [
    "Circulate the revised budget to both finance teams",
    "Share the CMC transfer plan with partner QA",
    "Confirm the publication committee members",
    "Send the updated risk register",
    "Book the site visit for the partner's manufacturing team",
]


def _at(day: datetime.date, hour: int, zone: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), zoneinfo.ZoneInfo(zone))


def build_governance() -> None:
    rng = random.Random(2026)
    users = {u.username: u for u in get_user_model().objects.all()}
    actor = users.get("head") or next(iter(users.values()))
    day = today()
    now = timezone.now()
    _training(actor=actor, users=users, day=day)
    alliances = (
        Alliance.objects.filter(status__in=[Status.ACTIVE, Status.RESET, Status.STARTUP])
        .select_related("partner", "lead", "executive_sponsor")
        .order_by("pk")
    )
    contacts = {}
    for n, alliance in enumerate(alliances):
        if n % 5 == 4:
            continue  # no committee recorded yet
        partner_people = contacts.get(alliance.partner_id)
        if partner_people is None:
            picks = rng.sample(PEOPLE, 2)
            partner_people = contacts[alliance.partner_id] = [
                bodies.partner_contact_create(
                    actor=actor,
                    data={
                        "partner": alliance.partner,
                        "name": name,
                        "title": title,
                        "email": f"{name.split()[0].lower()}.{alliance.partner_id}@partner.example",
                    },
                )
                for name, title in picks
            ]
        zone = ZONES[n % len(ZONES)]
        jsc = bodies.body_create(
            actor=actor,
            data={
                "alliance": alliance,
                "kind": BodyKind.JSC,
                "name": f"{alliance.name} JSC",
                "min_meetings_per_year": 4 if n % 3 else 2,
                "decision_rule": DecisionRule.ALTERNATING if n % 4 == 0 else DecisionRule.CONSENSUS,
                "chartered_on": day - datetime.timedelta(days=500),
            },
        )
        chair = alliance.executive_sponsor or actor
        # Co-chairs are trained, except cbeaumont (flagged in compliance).
        bodies.body_member_add(actor=actor, body=jsc, role=MemberRole.CO_CHAIR, user=chair)
        if alliance.lead_id != chair.pk:
            bodies.body_member_add(
                actor=actor, body=jsc, role=MemberRole.ALLIANCE_MANAGER, user=alliance.lead
            )
        bodies.body_member_add(
            actor=actor, body=jsc, role=MemberRole.CO_CHAIR, contact=partner_people[0]
        )
        bodies.body_member_add(
            actor=actor, body=jsc, role=MemberRole.MEMBER, contact=partner_people[1]
        )
        # The fourth committee met once in the last year against a contract that asks for four.
        below_cadence = n == 3
        # The next JSC is in the diary for a third of them (its logistics steps under way);
        # the rest are still to be scheduled.
        _meetings(
            actor, jsc, zone, rng, day, now, quarters=1 if below_cadence else 4, upcoming=n % 3 == 1
        )
        if n % 3 == 0:
            jdc = bodies.body_create(
                actor=actor,
                data={
                    "alliance": alliance,
                    "kind": BodyKind.JDC,
                    "name": f"{alliance.name} JDC",
                    "parent": jsc,
                    "min_meetings_per_year": 4,
                    "chartered_on": day - datetime.timedelta(days=450),
                },
            )
            bodies.body_member_add(
                actor=actor, body=jdc, role=MemberRole.CO_CHAIR, user=alliance.lead
            )
            bodies.body_member_add(
                actor=actor, body=jdc, role=MemberRole.CO_CHAIR, contact=partner_people[1]
            )
            _meetings(actor, jdc, zone, rng, day, now, quarters=4, offset_days=20, upcoming=False)
            if n % 9 == 0:
                sub = bodies.body_create(
                    actor=actor,
                    data={
                        "alliance": alliance,
                        "kind": BodyKind.SUBTEAM,
                        "name": f"{alliance.name} CMC subteam",
                        "parent": jdc,
                        "min_meetings_per_year": 0,
                    },
                )
                bodies.body_member_add(
                    actor=actor, body=sub, role=MemberRole.MEMBER, user=alliance.lead
                )


def _training(*, actor, users, day):
    role = training.course_create(
        actor=actor,
        data={
            "name": "Governance roles: co-chairs, secretaries and alliance managers",
            "kind": CourseKind.GOVERNANCE_ROLE,
            "description": "Running a joint committee: charters, decision rules, escalation, "
            "minutes and action follow-up.",
            "validity_months": 24,
        },
    )
    partnering = training.course_create(
        actor=actor,
        data={
            "name": "Partnering essentials",
            "kind": CourseKind.PARTNERING,
            "description": "General partnering skills for everyone on an alliance team.",
            "validity_months": 36,
        },
    )
    trained = ["head", "lead", "lead2", "executive", "hlindqvist", "mokafor", "rdesai"]
    trained += ["jharwood", "tnakamura", "aferreira"]
    for n, username in enumerate(trained):
        if username in users:
            training.completion_record(
                actor=actor,
                data={
                    "course": role,
                    "user": users[username],
                    "completed_on": day - datetime.timedelta(days=90 + 60 * n),
                },
            )
    for username in ("lead", "lead2", "specialist"):
        if username in users:
            training.completion_record(
                actor=actor,
                data={
                    "course": partnering,
                    "user": users[username],
                    "completed_on": day - datetime.timedelta(days=200),
                },
            )
    return role, partnering


def _meetings(actor, body, zone, rng, day, now, *, quarters, offset_days=0, upcoming=True):
    """A meeting a quarter for the last `quarters` quarters, held, and (if `upcoming`) the
    next one scheduled, with its logistics steps."""
    members = list(body.members.all())
    internal = [m for m in members if m.side == Side.INTERNAL]
    past = []
    for q in range(quarters, 0, -1):
        on = day - datetime.timedelta(days=91 * q - 35 - offset_days)
        starts = _at(on, 10 if zone != "Asia/Tokyo" else 9, zone)
        if starts >= now:
            continue
        # Past meetings are the record: entered as they happened, with no logistics steps.
        meeting = Meeting.objects.create(
            alliance=body.alliance,
            body=body,
            title=f"{body.name} {starts:%b %Y}",
            starts_at=starts,
            time_zone=zone,
            duration_minutes=120,
            location="Video call" if q % 2 else "Partner offices",
            created_by=actor,
        )
        meetings.meeting_mark_held(actor=actor, meeting=meeting, attendees=members)
        past.append(meeting)
    for k, meeting in enumerate(past):
        last = k == len(past) - 1
        meetings.minutes_save(
            actor=actor,
            meeting=meeting,
            text="Attendance, decisions and actions as recorded below.",
            document_url=f"https://contracts.example.com/minutes/{body.alliance.code}-{meeting.pk}",
        )
        # On one committee in three the latest minutes still await the partner (overdue).
        meetings.minutes_approve(actor=actor, meeting=meeting, side=Side.INTERNAL)
        partner_chair = next((m for m in members if m.side == Side.PARTNER), None)
        if (not last or body.pk % 3) and partner_chair is not None:
            meetings.minutes_approve(
                actor=actor, meeting=meeting, side=Side.PARTNER, contact=partner_chair.contact
            )
        text, outcome = rng.choice(DECISIONS)
        escalate_to = body.parent if outcome == "escalated" else None
        if outcome == "escalated" and escalate_to is None:
            outcome = "deferred"
        records.decision_create(
            actor=actor,
            data={
                "meeting": meeting,
                "text": text,
                "outcome": outcome,
                "escalated_to": escalate_to,
            },
        )
        owner = rng.choice(internal) if internal else None
        if owner is None:
            continue
        due = meeting.local_start.date() + datetime.timedelta(days=75 if last else 21)
        item = records.action_item_create(
            actor=actor,
            data={
                "meeting": meeting,
                "title": rng.choice(ACTIONS),
                "owner_user": owner.user,
                "due_date": due,
            },
        )
        # Most older actions are done; the rest, and the latest meeting's, are open (overdue
        # once past due).
        if not last and rng.random() < 0.8:
            records.action_item_move(actor=actor, item=item, action="done")
    if not upcoming:
        return
    upcoming = day + datetime.timedelta(days=91 - 35 + offset_days + rng.randint(0, 20))
    meetings.meeting_schedule(
        actor=actor,
        data={
            "body": body,
            "title": f"{body.name} {upcoming:%b %Y}",
            "starts_at": _at(upcoming, 14, zone),
            "time_zone": zone,
            "duration_minutes": 120,
            "location": "Video call",
            "call_link": "https://meet.example.com/" + body.alliance.code.lower(),
        },
    )
