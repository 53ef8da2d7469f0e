"""The production topology on one machine: two gunicorn nodes on two ports and two Celery
workers, all on the PostgreSQL test database and Redis, started and stopped by the test. A job
queued through one node is run by a worker and downloaded through the other; a reminder tick
delivered to both workers at once tells each person once."""

import datetime
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from alliances.calendar import today
from notifications.models import Notification
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
    """Two web nodes and two workers on the test database, Redis and this test's MEDIA_ROOT."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    processes, logs, ports = [], [], []
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
                    )
                )  # fmt: skip
            logs.append(log)
        for port in ports:
            wait_for(lambda port=port: _answers(port), f"node on {port} answering", logs)
        for log in logs[2:]:
            wait_for(lambda log=log: b" ready." in log.read_bytes(), "a worker ready", logs)
        yield {"ports": ports, "logs": logs}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
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
    ran = [log for log in cluster["logs"][2:] if b"run_report_job" in log.read_bytes()]
    assert ran, "no worker ran the job"


def test_a_reminder_tick_delivered_to_both_workers_tells_each_person_once(cluster, specialist):
    from config.celery import app

    day = today()
    for n in range(3):
        TaskFactory(assignee=specialist, due_date=day - datetime.timedelta(days=n + 1))
    ticks = 4
    for _ in range(ticks):
        app.send_task("notifications.tasks.send_reminders")

    def all_ran():
        done = b"".join(log.read_bytes() for log in cluster["logs"][2:])
        return done.count(b"notifications.tasks.send_reminders[") >= 2 * ticks  # got, succeeded

    wait_for(all_ran, "every tick run", cluster["logs"])
    workers = [log for log in cluster["logs"][2:] if b"send_reminders" in log.read_bytes()]
    assert Notification.objects.filter(recipient=specialist, kind="tasks_overdue").count() == 1
    assert workers  # (with one busy, the other may have run them all)
