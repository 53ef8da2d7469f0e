"""The production topology on one machine: two gunicorn nodes on two ports, two Celery workers
and one beat, all on the PostgreSQL test database and Redis, started and stopped by the test. A
job queued through one node is run by a worker and downloaded through the other; a worker killed
outright (SIGKILL) in the middle of a job leaves it to the other worker, which makes it once;
beat's reminder ticks, run by both workers, tell each person once."""

import datetime
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from alliances.calendar import today
from notifications.models import Notification
from reports.choices import JobStatus
from reports.models import ReportJob
from tests.alliances.factories import AllianceFactory
from tests.resourcing.factories import TaskFactory
from tests.test_sqlite_race import free_port

pytestmark = [
    pytest.mark.services,
    # Committed rows, so the other processes see them; serialized_rollback keeps the rows
    # migrations create (groups, the periodic tasks).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WAIT_SECONDS = 90
# A task a killed worker held goes back to the queue after this long (the Redis broker's
# visibility timeout), and a job whose worker went quiet is taken over after STALE_SECONDS.
VISIBILITY_SECONDS = 8
STALE_SECONDS = 3


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(check, what: str, logs) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what} did not happen:\n" + "\n".join(p.read_text() for p in logs)
            )
        time.sleep(0.25)


@pytest.fixture
def cluster(settings, tmp_path):
    """Two web nodes, two workers and beat on the test database, Redis and this test's
    MEDIA_ROOT. Each process leads its own process group, so a test can kill a worker whole
    (its pool children with it)."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_SECONDS),
        "REPORT_JOB_STALE_SECONDS": str(STALE_SECONDS),
    }
    processes, logs, ports, workers = [], [], [], []
    try:
        for n in range(2):
            port = free_port()
            log = tmp_path / f"web{n}.log"
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
                         "--workers", "2", "--timeout", "60"],
                        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )  # fmt: skip
            ports.append(port)
            logs.append(log)
        for n in range(2):
            log = tmp_path / f"worker{n}.log"
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [str(BIN / "celery"), "--app", "config", "worker",
                         "--queues", "default,exports", "--concurrency", "1",
                         "--without-gossip", "--without-mingle",
                         "--hostname", f"node{n}-{uuid.uuid4().hex[:6]}@%h", "--loglevel", "INFO"],
                        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )  # fmt: skip
            workers.append(processes[-1])
            logs.append(log)
        beat_log = tmp_path / "beat.log"
        with beat_log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "celery"), "--app", "config", "beat",
                     "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                     "--loglevel", "INFO"],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip
        for port in ports:
            wait_for(lambda port=port: _answers(port), f"node on {port} answering", logs)
        for log in logs[2:]:
            wait_for(lambda log=log: b" ready." in log.read_bytes(), "a worker ready", logs)
        yield {
            "ports": ports,
            "logs": logs,
            "worker_logs": logs[2:],
            "workers": workers,
            "beat_log": beat_log,
        }
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def call(port, method, path, token, body=None):
    import json

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(raw) if "json" in kind else raw
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_job_queued_on_one_node_is_run_by_a_worker_and_downloaded_from_the_other(
    cluster, executive
):
    AllianceFactory(name="BOREALIS")
    token = Token.objects.create(user=executive).key
    node_a, node_b = cluster["ports"]
    status, job = call(node_a, "POST", "/api/v1/reports/portfolio-jobs/", token, {})
    assert status == 202, job

    def finished():
        _, seen = call(node_b, "GET", f"/api/v1/reports/portfolio-jobs/{job['id']}/", token)
        return seen["status"] in ("done", "failed")

    wait_for(finished, "the job finishing", cluster["logs"])
    status, body = call(node_b, "GET", f"/api/v1/reports/portfolio-jobs/{job['id']}/file/", token)
    assert status == 200
    assert body[:2] == b"PK"  # an xlsx (zip) file
    ran = [log for log in cluster["logs"][2:] if b"run_report_job[" in log.read_bytes()]
    assert ran, "no worker ran the job"


def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_to_the_other_which_makes_it_once(
    cluster, executive
):
    # Enough alliances that the register takes a few seconds to write.
    call_command("seed_portfolio", alliances=4000, partners=200, verbosity=0)
    token = Token.objects.create(user=executive).key
    status, job = call(cluster["ports"][0], "POST", "/api/v1/reports/portfolio-jobs/", token, {})
    assert status == 202, job

    def mid_register():
        seen = ReportJob.objects.get(pk=job["id"])
        return seen.status == JobStatus.RUNNING and 0 < seen.rows_done < seen.rows_total

    wait_for(mid_register, "the job writing its register", cluster["logs"])
    holder = next(
        n for n, log in enumerate(cluster["worker_logs"]) if b"run_report_job[" in log.read_bytes()
    )
    os.killpg(cluster["workers"][holder].pid, signal.SIGKILL)
    cluster["workers"][holder].wait(timeout=10)
    killed = ReportJob.objects.get(pk=job["id"])
    assert (killed.status, killed.attempt) == (JobStatus.RUNNING, 1), "finished before the kill"

    def finished():
        return ReportJob.objects.get(pk=job["id"]).status in (JobStatus.DONE, JobStatus.FAILED)

    wait_for(finished, "the other worker finishing the job", cluster["logs"])
    done = ReportJob.objects.get(pk=job["id"])
    assert (done.status, done.attempt, done.error) == (JobStatus.DONE, 2, "")
    other = cluster["worker_logs"][1 - holder].read_bytes()
    assert b"run_report_job[" in other
    # One file, whole: the workbook's register holds every row the job counted.
    _, files = default_storage.listdir("report-jobs")
    assert files == [f"{job['id']}.xlsx"]
    with default_storage.open(done.file.name) as handle:
        register = load_workbook(handle, read_only=True)["Register"]
        rows = sum(1 for _ in register.iter_rows(min_row=2, values_only=True))
    assert rows == done.rows_total == done.rows_done > 0


@pytest.fixture
def reminders_every_second():
    """Beat sends the reminders every second instead of daily (set before beat starts)."""
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    reminders = PeriodicTask.objects.get(name="reminders")
    reminders.crontab, reminders.interval = None, every_second
    reminders.save()


@pytest.mark.usefixtures("reminders_every_second")
def test_beats_reminder_ticks_run_by_both_workers_tell_each_person_once(cluster, specialist):
    day = today()
    for n in range(3):
        TaskFactory(assignee=specialist, due_date=day - datetime.timedelta(days=n + 1))
    ticks = 6

    def ticked():
        done = b"".join(log.read_bytes() for log in cluster["worker_logs"])
        return done.count(b"notifications.tasks.send_reminders[") >= 2 * ticks  # got, succeeded

    wait_for(ticked, f"{ticks} of beat's ticks run", [cluster["beat_log"]] + cluster["worker_logs"])
    assert b"Sending due task reminders" in cluster["beat_log"].read_bytes()
    assert Notification.objects.filter(recipient=specialist, kind="tasks_overdue").count() == 1
