"""The intake recommendation on the generated front door (make bench seeds it): 500
specialists and 100,000 open tasks. Prints the median time and the query count."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIRequestFactory, force_authenticate  # noqa: E402

from resourcing.api.views import IntakeRequestViewSet  # noqa: E402
from resourcing.choices import OPEN_WORK  # noqa: E402
from resourcing.models import IntakeRequest, Specialist, Task  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def main() -> None:
    intake = IntakeRequest.objects.get(title="Generated intake for benchmarks")
    head = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create(username="bench-head", is_superuser=True)
    view = IntakeRequestViewSet.as_view({"get": "recommendation"})
    factory = APIRequestFactory()
    timings, queries = [], 0
    for run in range(RUNS + 2):
        request = factory.get(f"/api/v1/intake-requests/{intake.pk}/recommendation/")
        force_authenticate(request, user=head)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = view(request, pk=intake.pk)
            response.render()
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.data
        if run >= 2:
            timings.append(elapsed * 1000)
            queries = len(captured)
    services = response.data["services"]
    print(
        f"recommendation: {Specialist.objects.count()} specialists, "
        f"{Task.objects.filter(status__in=OPEN_WORK).count()} open tasks, "
        f"{len(services)} services requested, {RUNS} runs, {connection.vendor}"
    )
    print(
        f"  median {statistics.median(timings):7.2f} ms  (min {min(timings):.2f}, "
        f"max {max(timings):.2f})  {queries} queries"
    )
    print(
        "  candidates per service: "
        + ", ".join(f"{s['service']}={len(s['candidates'])}" for s in services)
    )


if __name__ == "__main__":
    main()
