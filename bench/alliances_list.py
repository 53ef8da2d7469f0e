"""The alliances list, page of 100, on the generated portfolio (make bench seeds it).

Prints the median time and the query count of the real view, and of the same view with a
deliberately naive serializer/queryset (no joins) measured in the same run."""

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

from alliances.api.views import AllianceViewSet  # noqa: E402
from alliances.choices import Role  # noqa: E402
from alliances.models import Alliance  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "100"))
PAGE = 100


class NaiveAllianceViewSet(AllianceViewSet):
    """The same serializer over a queryset without select_related: one query per relation
    per row."""

    def get_queryset(self):
        return Alliance.objects.visible_to(self.request.user)


def measure(view, user, params) -> tuple[float, int]:
    factory = APIRequestFactory()
    timings, queries = [], 0
    for run in range(RUNS + 3):
        request = factory.get("/api/v1/alliances/", params)
        force_authenticate(request, user=user)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = view(request)
            response.render()
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.data
        if run >= 3:  # warm-up runs are not counted
            timings.append(elapsed * 1000)
            queries = len(captured)
    return statistics.median(timings), queries


def main() -> None:
    User = get_user_model()
    total = Alliance.objects.count()
    head = (
        User.objects.filter(groups__name=Role.ALLIANCE_HEAD).first()
        or User.objects.filter(is_superuser=True).first()
    )
    if head is None:
        head = User.objects.create(username="bench-head", is_superuser=True)
    lead = User.objects.filter(groups__name=Role.ALLIANCE_LEAD).first()
    print(f"alliances list, page of {PAGE}, {total} alliances, {RUNS} runs, {connection.vendor}")
    print("(queries: the list's own; a real request adds one for the token, one for roles)")
    list_view = AllianceViewSet.as_view({"get": "list"})
    naive_view = NaiveAllianceViewSet.as_view({"get": "list"})
    for label, user in (("head", head), ("lead", lead)):
        for params in ({"page_size": PAGE}, {"page_size": PAGE, "page": 50, "ordering": "-name"}):
            median, queries = measure(list_view, user, params)
            shown = ",".join(f"{k}={v}" for k, v in params.items())
            print(f"  {label:<5} {shown:<36} median {median:7.2f} ms  {queries:4d} queries")
    median, queries = measure(naive_view, head, {"page_size": PAGE})
    print(
        f"  naive (no select_related), head, page_size={PAGE}: median {median:7.2f} ms  "
        f"{queries:4d} queries"
    )


if __name__ == "__main__":
    main()
