"""The front door on the generated data (make bench seeds it: 500 specialists, 10,000 alliances,
100,000 open tasks). Prints median times and query counts of the intake recommendation, a
specialist's queue page of 100, and accept."""

import datetime
import os
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
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIRequestFactory, force_authenticate  # noqa: E402

from alliances.models import Alliance  # noqa: E402
from resourcing.api.views import IntakeRequestViewSet, TaskViewSet  # noqa: E402
from resourcing.choices import OPEN_WORK  # noqa: E402
from resourcing.models import IntakeRequest, Service, Specialist, Task  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
factory = APIRequestFactory()


def timed(view, user, make_request, runs=RUNS, warmup=2, view_kwargs=lambda run: {}):
    """`view_kwargs(run)` gives the URL arguments of each run."""
    timings, queries = [], 0
    for run in range(runs + warmup):
        request = make_request(run)
        force_authenticate(request, user=user)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = view(request, **view_kwargs(run))
            response.render()
            elapsed = time.perf_counter() - started
        assert response.status_code < 300, response.data
        if run >= warmup:
            timings.append(elapsed * 1000)
            queries = len(captured)
    return timings, queries, response


def show(label, timings, queries):
    print(
        f"  {label:<44} median {statistics.median(timings):7.2f} ms  "
        f"(min {min(timings):.2f}, max {max(timings):.2f})  {queries} queries"
    )


def head_user():
    User = get_user_model()
    return User.objects.filter(is_superuser=True).first() or User.objects.create(
        username="bench-head", is_superuser=True
    )


def recommendation(head):
    intake = IntakeRequest.objects.get(title="Generated intake for benchmarks")
    view = IntakeRequestViewSet.as_view({"get": "recommendation"})
    path = f"/api/v1/intake-requests/{intake.pk}/recommendation/"
    timings, queries, response = timed(
        view, head, lambda run: factory.get(path), view_kwargs=lambda run: {"pk": intake.pk}
    )
    show(f"recommendation ({len(response.data['services'])} services)", timings, queries)


def queue():
    busiest = (
        Task.objects.filter(status__in=OPEN_WORK, title__startswith="Generated")
        .values("assignee")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    user = get_user_model().objects.get(pk=busiest["assignee"])
    view = TaskViewSet.as_view({"get": "list"})
    params = {"assignee": "me", "open": "true", "page_size": 100}
    timings, queries, _response = timed(
        view, user, lambda run: factory.get("/api/v1/tasks/", params)
    )
    show(f"queue page of 100 ({busiest['n']} open tasks)", timings, queries)


def accept(head):
    source = IntakeRequest.objects.get(title="Generated intake for benchmarks")
    services = list(source.requested_services.all())
    runs, warmup = min(RUNS, 20), 2
    intakes = []
    for n in range(runs + warmup):
        intake = IntakeRequest.objects.create(
            requester=source.requester,
            title=f"Generated accept {timezone.now().timestamp()}-{n}",
            partner=source.partner,
            therapeutic_area=source.therapeutic_area,
            alliance_type="licensing",
            direction="in",
            description="Benchmark accept.",
            differentiating=False,
            mission_critical=True,
            complexity="medium",
            estimated_value=Decimal("1000000"),
            currency="USD",
            desired_start_date=timezone.localdate() + datetime.timedelta(days=30),
            status="triage",
            submitted_at=timezone.now(),
            sla_due=timezone.localdate(),
        )
        intake.requested_services.set(services)
        intakes.append(intake)
    view = IntakeRequestViewSet.as_view({"post": "accept"})

    def make_request(run):
        return factory.post(
            f"/api/v1/intake-requests/{intakes[run].pk}/accept/",
            {"management_model": "specialist_supported"},
            format="json",
        )

    timings, queries, response = timed(
        view,
        head,
        make_request,
        runs=runs,
        warmup=warmup,
        view_kwargs=lambda run: {"pk": intakes[run].pk},
    )
    show(
        f"accept ({len(response.data['assignments'])} services, "
        f"{len(response.data['tasks'])} tasks)",
        timings,
        queries,
    )


def main() -> None:
    head = head_user()
    print(
        f"front door: {Specialist.objects.count()} specialists, {Alliance.objects.count()} "
        f"alliances, {Task.objects.filter(status__in=OPEN_WORK).count()} open tasks, "
        f"{Service.objects.count()} services, {RUNS} runs, {connection.vendor}"
    )
    recommendation(head)
    queue()
    accept(head)


if __name__ == "__main__":
    main()
