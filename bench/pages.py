"""Server time of the web screens on the generated portfolio (make bench seeds it: 10,000
alliances, 100,000 tasks, 60,000 status reports, 100,000 obligations): each role's home page
(the admin index: what needs them now) and the main lists, through django.test.Client signed
in with force_login. Prints the median wall and CPU time of BENCH_RUNS runs (after warm-up),
the first run's time with the cache empty, and its queries; target <= 150 ms a page, the
same queries whatever the data.

Seeds, once, what the homes read that the other seeds do not make: an intake pipeline of 500
requests (some breached, some needing information, a few of them the bench requester's, with
a question), and signs the bench's people in as staff: a lead (the first generated lead), the
busiest specialist, an executive, the head, and a requester.

`python bench/pages.py [DATABASE_URL]` runs against another database (the demo's copy, say):
then it seeds nothing and signs in as the demo's people (head, lead, specialist, executive,
requester).

`BENCH_ONLY=<words>` times only the pages whose label contains those words ("home as the
lead", "meetings"), to iterate on one page."""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
if len(sys.argv) > 1:
    os.environ["BENCH_DATABASE_URL"] = sys.argv[1]

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from alliances.calendar import today  # noqa: E402
from alliances.choices import Role  # noqa: E402
from alliances.models import Alliance, Partner, TherapeuticArea  # noqa: E402
from resourcing.choices import OPEN_WORK, IntakeStatus, MessageKind  # noqa: E402
from resourcing.models import IntakeMessage, IntakeRequest, Service, Task  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
ONLY = os.environ.get("BENCH_ONLY", "")
WARMUP = 2
TARGET_MS = 150
MARK = "Bench home intake"
PIPELINE = 500
DEMO = len(sys.argv) > 1

LISTS = [
    ("alliances", "/admin/alliances/alliance/"),
    ("intake requests", "/admin/resourcing/intakerequest/"),
    ("obligations, overdue", "/admin/governance/obligation/?when=overdue"),
    ("meetings", "/admin/governance/meeting/"),
]


def _staff(user, role: str | None = None):
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def _user(username: str, **extra):
    return get_user_model().objects.get_or_create(username=username, defaults=extra)[0]


def bench_people() -> dict:
    User = get_user_model()
    if DEMO:
        return {name: User.objects.get(username=name) for name in ROLES}
    busiest = (
        Task.objects.filter(status__in=OPEN_WORK)
        .values("assignee")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    lead = (
        User.objects.filter(groups__name=Role.ALLIANCE_LEAD, username__startswith="seed-lead")
        .order_by("username")
        .first()
    )
    head = User.objects.filter(is_superuser=True).order_by("pk").first() or _user(
        "bench-head", is_superuser=True
    )
    return {
        "head": _staff(head),
        "lead": _staff(lead),
        "specialist": _staff(User.objects.get(pk=busiest["assignee"])),
        "executive": _staff(_user("bench-executive", first_name="Bench"), Role.EXECUTIVE),
        "requester": _user("bench-requester", first_name="Bench", last_name="Requester"),
    }


ROLES = ("head", "lead", "specialist", "executive", "requester")


@transaction.atomic
def seed_pipeline(people: dict) -> None:
    """500 open requests over the last and next three weeks of SLA; idempotent."""
    if IntakeRequest.objects.filter(title__startswith=MARK).exists():
        return
    day = today()
    areas = list(TherapeuticArea.objects.values_list("pk", flat=True))
    partners = list(Partner.objects.values_list("pk", flat=True)[:50])
    services = list(Service.objects.values_list("pk", flat=True))
    leads = [people["lead"], people["requester"]]
    statuses = [IntakeStatus.SUBMITTED, IntakeStatus.TRIAGE, IntakeStatus.NEEDS_INFO]
    now = timezone.now()
    requests = IntakeRequest.objects.bulk_create(
        IntakeRequest(
            requester=people["requester"] if n % 10 == 0 else leads[0],
            title=f"{MARK} {n:03d}",
            partner_id=partners[n % len(partners)],
            therapeutic_area_id=areas[n % len(areas)],
            alliance_type="licensing",
            direction="in",
            description="A generated request.",
            differentiating=bool(n % 2),
            mission_critical=bool(n % 3),
            complexity="medium",
            estimated_value=10_000_000,
            currency="USD",
            desired_start_date=day + datetime.timedelta(days=30 + n % 60),
            confidential=n % 25 == 0,
            status=statuses[n % 3],
            submitted_at=now - datetime.timedelta(days=n % 30),
            sla_due=day + datetime.timedelta(days=(n % 42) - 21),
        )
        for n in range(PIPELINE)
    )
    through = IntakeRequest.requested_services.through
    through.objects.bulk_create(
        through(intakerequest_id=r.pk, service_id=services[i % len(services)])
        for i, r in enumerate(requests)
    )
    IntakeMessage.objects.bulk_create(
        IntakeMessage(
            intake_request=r,
            kind=MessageKind.QUESTION,
            author=people["lead"],
            text="Is the CDA signed?",
        )
        for r in requests
        if r.status == IntakeStatus.NEEDS_INFO
    )


def measure(client: Client, path: str) -> tuple[float, float, float, int]:
    """(median wall ms, median CPU ms, the first run's wall ms with the cache empty, its
    queries). CPU time (the process's, SQLite included) is what the page costs on an idle
    machine; wall time includes waiting for a shared CPU."""
    wall, cpu = [], []
    cache.clear()
    for run in range(RUNS + WARMUP):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            elapsed_cpu = (time.process_time() - started_cpu) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if run == 0:
            cold, queries = elapsed, len(captured)
        if run >= WARMUP:
            wall.append(elapsed)
            cpu.append(elapsed_cpu)
    return statistics.median(wall), statistics.median(cpu), cold, queries


def timed(label: str, client: Client, path: str) -> None:
    if ONLY in label:
        show(label, *measure(client, path))


def show(label: str, median: float, cpu: float, cold: float, queries: int) -> None:
    flag = "" if cpu <= TARGET_MS else f"  (over the {TARGET_MS} ms target)"
    print(
        f"  {label:<36} median {median:7.1f} ms  cpu {cpu:7.1f} ms  first {cold:7.1f} ms"
        f"  {queries:3d} queries{flag}"
    )


def main() -> None:
    settings.DEBUG = False
    people = bench_people()
    if not DEMO:
        seed_pipeline(people)
    database = connection.settings_dict["NAME"]
    print(
        f"Web screens on {Path(str(database)).name}: {Alliance.objects.count():,} alliances, "
        f"{Task.objects.count():,} tasks; median of {RUNS} runs, server time through the test "
        f"client"
    )
    clients = {}
    for role in ROLES:
        client = Client()
        client.force_login(people[role])
        clients[role] = client
        timed(f"home as the {role}", client, "/admin/")
    for who in ("lead", "head"):
        for label, path in LISTS:
            timed(f"{label} as the {who}", clients[who], path)
    timed(
        "tasks queue as the specialist",
        clients["specialist"],
        "/admin/resourcing/task/?whose=mine&open=yes",
    )
    timed("tasks, all open, as the lead", clients["lead"], "/admin/resourcing/task/?open=yes")


if __name__ == "__main__":
    main()
