"""Governance compliance on the generated portfolio (make bench seeds it: 10,000 alliances, 500
specialists, 100,000 open tasks). Seeds, once, a committee structure for every alliance in
start-up, active or reset: a JSC each, a JDC for a third and a subteam under it for a tenth,
members from both sides (co-chairs, a co-secretary, an alliance manager, members), a year of
meetings (some bodies below cadence, some minutes unapproved past MINUTES_APPROVAL_DAYS), two
action items a meeting (some overdue, some the partner's), one upcoming meeting each, and
governance-role training for most people. Then prints the median time and query count of
`GET governance/compliance/` for a page of 100 bodies, as the head and as a lead (target
<= 100 ms, the same queries whatever the page), and of the summary over everything they see."""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIRequestFactory, force_authenticate  # noqa: E402

from alliances.calendar import today  # noqa: E402
from alliances.choices import Role, Status  # noqa: E402
from alliances.models import Alliance, Partner  # noqa: E402
from governance.api.compliance import ComplianceViewSet  # noqa: E402
from governance.choices import (  # noqa: E402
    ActionStatus,
    BodyKind,
    CourseKind,
    MeetingStatus,
    MemberRole,
)
from governance.models import (  # noqa: E402
    ActionItem,
    BodyMember,
    GovernanceBody,
    Meeting,
    PartnerContact,
    TrainingCompletion,
    TrainingCourse,
)
from governance.services.training import add_months  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
URL = "/api/v1/governance/compliance/"
MARK = "Bench"  # seeded bodies' names start with it
factory = APIRequestFactory()
BATCH = 2000


def seed() -> None:
    """Idempotent: nothing happens when the bench's bodies are there already."""
    if GovernanceBody.objects.filter(name__startswith=MARK).exists():
        return
    started = time.perf_counter()
    rng = random.Random(11)
    User = get_user_model()
    people = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    creator = people[0]
    now = timezone.now()
    with transaction.atomic():
        contacts = _contacts(rng)
        bodies = _bodies(rng)
        members = _members(rng, bodies, people, contacts)
        meetings = _meetings(rng, bodies, now, creator)
        items = _action_items(rng, meetings, bodies, people, contacts, creator)
        trained = _training(rng, people, creator)
    print(
        f"Seeded governance in {time.perf_counter() - started:.1f} s: {len(bodies)} bodies, "
        f"{members} members, {len(meetings)} meetings, {items} action items, "
        f"{trained} training completions"
    )


def _contacts(rng) -> dict[int, list[int]]:
    rows = [
        PartnerContact(partner_id=pk, name=f"{MARK} contact {pk}-{n}", title="Alliance director")
        for pk in Partner.objects.values_list("pk", flat=True)
        for n in range(3)
    ]
    PartnerContact.objects.bulk_create(rows, batch_size=BATCH)
    by_partner: dict[int, list[int]] = {}
    for pk, partner in PartnerContact.objects.filter(name__startswith=MARK).values_list(
        "pk", "partner_id"
    ):
        by_partner.setdefault(partner, []).append(pk)
    return by_partner


def _bodies(rng) -> list[tuple[int, int, int, int]]:
    """(body id, alliance id, partner id, minimum a year) for every body made."""
    alliances = list(
        Alliance.objects.filter(status__in=[Status.STARTUP, Status.ACTIVE, Status.RESET])
        .order_by("pk")
        .values_list("pk", "partner_id", "start_date")
    )
    jscs = [
        GovernanceBody(
            alliance_id=pk,
            kind=BodyKind.JSC,
            name=f"{MARK} JSC",
            min_meetings_per_year=rng.choice([2, 3, 4]),
            chartered_on=start,
        )
        for pk, _partner, start in alliances
    ]
    GovernanceBody.objects.bulk_create(jscs, batch_size=BATCH)
    jsc_of = dict(
        GovernanceBody.objects.filter(name=f"{MARK} JSC").values_list("alliance_id", "pk")
    )
    jdcs = [
        GovernanceBody(
            alliance_id=pk,
            kind=BodyKind.JDC,
            name=f"{MARK} JDC",
            parent_id=jsc_of[pk],
            min_meetings_per_year=4,
        )
        for pk, _partner, _start in alliances
        if rng.random() < 1 / 3
    ]
    GovernanceBody.objects.bulk_create(jdcs, batch_size=BATCH)
    jdc_of = dict(
        GovernanceBody.objects.filter(name=f"{MARK} JDC").values_list("alliance_id", "pk")
    )
    subteams = [
        GovernanceBody(
            alliance_id=alliance,
            kind=BodyKind.SUBTEAM,
            name=f"{MARK} CMC subteam",
            parent_id=jdc,
            min_meetings_per_year=6,
        )
        for alliance, jdc in jdc_of.items()
        if rng.random() < 0.3
    ]
    GovernanceBody.objects.bulk_create(subteams, batch_size=BATCH)
    partner_of = {pk: partner for pk, partner, _start in alliances}
    return [
        (pk, alliance, partner_of[alliance], minimum)
        for pk, alliance, minimum in GovernanceBody.objects.filter(
            name__startswith=MARK
        ).values_list("pk", "alliance_id", "min_meetings_per_year")
    ]


def _members(rng, bodies, people, contacts) -> int:
    rows = []
    for body, _alliance, partner, _minimum in bodies:
        chosen = rng.sample(people, 5)
        roles = [MemberRole.CO_CHAIR, MemberRole.CO_SECRETARY, MemberRole.ALLIANCE_MANAGER]
        roles += [MemberRole.MEMBER, MemberRole.MEMBER]
        rows += [
            BodyMember(body_id=body, user_id=u, role=r) for u, r in zip(chosen, roles, strict=True)
        ]
        theirs = contacts.get(partner, [])
        rows += [
            BodyMember(body_id=body, contact_id=c, role=MemberRole.CO_CHAIR if n == 0 else "member")
            for n, c in enumerate(theirs[:2])
        ]
    BodyMember.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _meetings(rng, bodies, now, creator) -> list[tuple[int, int, int, datetime.datetime]]:
    """(meeting id, body id, alliance id, starts at) of the past meetings made."""
    rows = []
    for body, alliance, _partner, minimum in bodies:
        held = minimum if rng.random() > 0.12 else max(0, minimum - 1)  # some below cadence
        for n in range(held):
            starts = now - datetime.timedelta(days=int(360 * (n + 0.5) / max(held, 1)))
            recent = (now - starts).days < 30
            unapproved = recent or rng.random() < 0.08  # some minutes overdue
            rows.append(
                Meeting(
                    alliance_id=alliance,
                    body_id=body,
                    title=f"{MARK} meeting",
                    starts_at=starts,
                    time_zone="Europe/London",
                    status=MeetingStatus.HELD if unapproved else MeetingStatus.MINUTES_APPROVED,
                    created_by_id=creator,
                )
            )
        rows.append(
            Meeting(
                alliance_id=alliance,
                body_id=body,
                title=f"{MARK} meeting",
                starts_at=now + datetime.timedelta(days=rng.randint(5, 120)),
                time_zone="Europe/London",
                status=MeetingStatus.SCHEDULED,
                created_by_id=creator,
            )
        )
    Meeting.objects.bulk_create(rows, batch_size=BATCH)
    return list(
        Meeting.objects.filter(title=f"{MARK} meeting", starts_at__lt=now).values_list(
            "pk", "body_id", "alliance_id", "starts_at"
        )
    )


def _action_items(rng, meetings, bodies, people, contacts, creator) -> int:
    partner_of = {body: partner for body, _alliance, partner, _minimum in bodies}
    day = today()
    rows = []
    for meeting, body, alliance, starts in meetings:
        for _ in range(2):
            due = starts.date() + datetime.timedelta(days=rng.randint(14, 60))
            theirs = contacts.get(partner_of[body]) if rng.random() < 0.3 else None
            status = ActionStatus.OPEN if due >= day or rng.random() < 0.15 else ActionStatus.DONE
            rows.append(
                ActionItem(
                    alliance_id=alliance,
                    meeting_id=meeting,
                    title=f"{MARK} action",
                    owner_user_id=None if theirs else rng.choice(people),
                    owner_contact_id=theirs[0] if theirs else None,
                    due_date=due,
                    status=status,
                    created_by_id=creator,
                )
            )
    ActionItem.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _training(rng, people, creator) -> int:
    course, _ = TrainingCourse.objects.get_or_create(
        name=f"{MARK} governance roles",
        defaults={"kind": CourseKind.GOVERNANCE_ROLE, "validity_months": 24},
    )
    rows = []
    for person in people:
        if rng.random() < 0.85:
            done = today() - datetime.timedelta(days=rng.randint(10, 900))  # some expired
            rows.append(
                TrainingCompletion(
                    course=course,
                    user_id=person,
                    completed_on=done,
                    expires_on=add_months(done, 24),
                    recorded_by_id=creator,
                )
            )
    TrainingCompletion.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


# Timing -------------------------------------------------------------------------------------


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
    page = ComplianceViewSet.as_view({"get": "list"})
    summary = ComplianceViewSet.as_view({"get": "summary"})
    print(
        f"Governance compliance: {GovernanceBody.objects.count()} bodies, "
        f"{Meeting.objects.count()} meetings, {ActionItem.objects.count()} action items"
    )
    for label, user in (("head", head_user()), ("lead", lead_user())):
        for size in (10, 100):
            timings, counts, response = timed(page, user, URL, {"page_size": size})
            show(
                f"compliance page of {size} as {label} ({response.data['count']} bodies)",
                timings,
                counts,
            )
        timings, counts, response = timed(page, user, URL, {"page_size": 100, "page": 50})
        show(f"compliance page 50 of 100 as {label}", timings, counts)
        timings, counts, response = timed(
            summary, user, f"{URL}summary/", {}, runs=max(3, RUNS // 10)
        )
        show(f"compliance summary as {label}", timings, counts)


if __name__ == "__main__":
    main()
