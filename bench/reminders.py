"""The daily reminder scan on the generated portfolio (make bench seeds it: 10,000 alliances,
500 specialists, 100,000 open tasks). Prints the scan's time and query count on a day when
nothing was told yet (every notification written) and again the same day (each already told:
what a second beat tick costs), inside a transaction that is rolled back, so the benchmark
database keeps no notifications."""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from alliances.calendar import today  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.reminders import run_reminders  # noqa: E402
from resourcing.models import Task  # noqa: E402


class Rollback(Exception):
    pass


def scan(day: datetime.date) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        told = run_reminders(day)
        elapsed = time.perf_counter() - started
    return elapsed * 1000, len(queries), told


def main() -> None:
    day = today()
    overdue = Task.objects.overdue(day).count()
    print(
        f"Reminder scan: {Task.objects.open_work().count()} open tasks, {overdue} overdue, "
        f"{Notification.objects.count()} notifications before"
    )
    try:
        with transaction.atomic():
            for label in ("first tick of the day", "second tick, same day"):
                ms, queries, told = scan(day)
                print(f"  {label:<26} {ms:9.1f} ms  {queries:6d} queries  {told:6d} notified")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
