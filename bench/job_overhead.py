"""What a report job costs over the export it wraps, on the generated portfolio (make bench seeds
it; run on a copy, BENCH_DATABASE_URL=sqlite:////tmp/….sqlite3, so the file is not disturbed).

For the same user (a lead) and filters (`since` the first of the month), in one warm process,
interleaved, BENCH_JOB_RUNS times each (default 5, after one untimed warm-up of each):

- direct: what GET reports/portfolio.xlsx does (reports.api.views.workbook_response: the
  PortfolioQuery and the workbook built into a spooled temporary file);
- job: reports.jobs.queue_portfolio_job, then reports.jobs.run_job(job_id) as the Celery task
  calls it: claim, count the rows, build with progress writes, save the file through Django's
  storage, mark it done, tell the owner. Only the broker's send (a message of a few hundred
  bytes, after commit) is left out: no worker is running here.

Prints both medians, the overhead in percent (target: under 10 %), and where the job's extra
time went: the rows count, the progress writes, the storage save and the job's own row updates,
with their query counts.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
# The job's files go to a temporary folder, its "ready" email nowhere (the inbox row is kept).
MEDIA = tempfile.TemporaryDirectory(prefix="job-overhead-")
os.environ["MEDIA_ROOT"] = MEDIA.name
os.environ["EMAIL_URL"] = "dummymail://"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402

import reports.jobs as jobs  # noqa: E402
from alliances.calendar import today  # noqa: E402
from alliances.choices import Role  # noqa: E402
from alliances.models import Alliance  # noqa: E402
from reports.api.views import workbook_response  # noqa: E402
from reports.models import ReportJob  # noqa: E402
from reports.portfolio.params import PortfolioQuery  # noqa: E402

RUNS = int(os.environ.get("BENCH_JOB_RUNS", "5"))
TARGET_PERCENT = 10


class Timer:
    """Wall time and queries spent inside one function, patched where the job calls it."""

    def __init__(self, owner, name):
        self.owner, self.name, self.original = owner, name, getattr(owner, name)
        self.seconds, self.calls, self.queries = 0.0, 0, 0

    def __enter__(self):
        def timed(*args, **kwargs):
            queries = []
            begun = time.perf_counter()
            with connection.execute_wrapper(counting(queries)):
                result = self.original(*args, **kwargs)
            self.seconds += time.perf_counter() - begun
            self.calls += 1
            self.queries += len(queries)
            return result

        setattr(self.owner, self.name, timed)
        return self

    def __exit__(self, *exc):
        setattr(self.owner, self.name, self.original)


def counting(queries: list):
    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def params() -> QueryDict:
    return QueryDict(f"since={today().replace(day=1).isoformat()}")


def direct(user) -> tuple[float, int]:
    queries: list = []
    with connection.execute_wrapper(counting(queries)):
        begun = time.perf_counter()
        response = workbook_response(user=user, params=params())
        seconds = time.perf_counter() - begun
    response.close()
    return seconds, len(queries)


def job(user) -> tuple[float, int, dict]:
    queries: list = []
    sent = []
    jobs.enqueue, original_enqueue = sent.append, jobs.enqueue  # the broker's send, left out
    parts = {
        "rows count": Timer(PortfolioQuery, "count"),
        "progress and status writes": Timer(jobs, "_write"),
        "storage save": Timer(default_storage, "save"),
        "owner told": Timer(jobs, "tell_owners"),
    }
    try:
        for part in parts.values():
            part.__enter__()
        with connection.execute_wrapper(counting(queries)):
            begun = time.perf_counter()
            queued = jobs.queue_portfolio_job(actor=user, params=params())
            outcome = jobs.run_job(queued.pk)
            seconds = time.perf_counter() - begun
    finally:
        for part in parts.values():
            part.__exit__()
        jobs.enqueue = original_enqueue
    assert outcome == "done", ReportJob.objects.get(pk=queued.pk).error
    assert sent == [queued.pk]
    return seconds, len(queries), parts


def main() -> None:
    User = get_user_model()
    lead = User.objects.filter(groups__name=Role.ALLIANCE_LEAD).order_by("pk").first()
    total = Alliance.objects.count()
    print(
        f"report job against the direct export: {total} alliances, user {lead.username}, "
        f"since the 1st, median of {RUNS}, {connection.vendor}"
    )
    direct(lead)  # warm-up: imports and first queries are not a job's cost
    job(lead)
    directs, runs = [], []
    for _ in range(RUNS):  # interleaved, so drift on the machine hits both alike
        directs.append(direct(lead))
        runs.append(job(lead))
    plain = statistics.median(s for s, _ in directs)
    queued = statistics.median(s for s, _, _ in runs)
    overhead = (queued - plain) / plain * 100
    for label, seconds, queries in (
        ("direct export (GET reports/portfolio.xlsx)", plain, directs[0][1]),
        ("report job (queue + run_job, file saved)", queued, runs[0][1]),
    ):
        print(f"  {label:<44} median {seconds:7.3f} s  {queries} queries")
    verdict = "under" if overhead < TARGET_PERCENT else "NOT under"
    print(f"  overhead {overhead:+.1f} % ({verdict} the {TARGET_PERCENT} % target)")
    print("  inside the job (median run):")
    middle = sorted(runs, key=lambda run: run[0])[RUNS // 2][2]
    for label, part in middle.items():
        print(
            f"    {label:<28} {part.seconds * 1000:8.1f} ms  {part.calls:3d} calls  "
            f"{part.queries:3d} queries"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        MEDIA.cleanup()
