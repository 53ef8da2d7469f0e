"""What `make run` starts (the Procfile under honcho, settings `local`): gunicorn and a Celery
worker with embedded beat on the filesystem broker. A report job queued through the API is run
by the worker, not in the request; if the worker dies, the whole run stops and says so."""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WAIT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, token=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(condition, what, log):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}:\n{log.read_text()}"
        time.sleep(0.25)


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL="locmemcache://",
        MEDIA_ROOT=str(tmp_path / "media"),
        PATH=f"{BIN}:{env.get('PATH', '')}",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = (
        "from django.contrib.auth.models import Group, User; "
        "from rest_framework.authtoken.models import Token; "
        "u = User.objects.create_user('exec', password='x'); "
        "u.groups.add(Group.objects.get(name='executive')); "
        "print(Token.objects.create(user=u).key)"
    )
    token = subprocess.run(
        [*manage, "shell", "-v0", "-c", script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip
    port = free_port()
    env.update(RUN_BIND=f"127.0.0.1:{port}", RUN_WORKERS="2")
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "--procfile", "Procfile", "start"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    pids = lambda: dict(re.findall(r"(\w+)\.1 started \(pid=(\d+)\)", log.read_text()))  # noqa: E731
    try:
        wait_for(
            lambda: "celery@" in log.read_text() and " ready." in log.read_text(), "the worker", log
        )
        wait_for(lambda: _up(port), "gunicorn", log)
        yield {"port": port, "token": token, "log": log, "honcho": honcho, "pids": pids()}
    finally:
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                honcho.wait(timeout=60)
            except subprocess.TimeoutExpired:
                honcho.kill()
        for pid in pids().values():  # nothing outlives the run, whatever happened
            with contextlib.suppress(OSError):
                os.killpg(int(pid), signal.SIGKILL)


def _up(port) -> bool:
    try:
        return call(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_job_runs_on_the_worker_and_a_dead_worker_stops_the_run(run):
    port, token, log = run["port"], run["token"], run["log"]
    status, body = call(port, "POST", "/api/v1/reports/portfolio-jobs/", {}, token)
    assert status == 202, body
    job = json.loads(body)
    assert job["status"] == "queued"  # not made in the request: the worker does it

    def finished():
        nonlocal job
        job = json.loads(
            call(port, "GET", f"/api/v1/reports/portfolio-jobs/{job['id']}/", None, token)[1]
        )
        return job["status"] in ("done", "failed")

    wait_for(finished, "the job", log)
    assert job["status"] == "done", job
    status, content = call(
        port, "GET", f"/api/v1/reports/portfolio-jobs/{job['id']}/file/", None, token
    )
    assert status == 200 and content[:2] == b"PK"  # an xlsx (zip)
    assert "reports.tasks.run_report_job" in log.read_text()

    worker = int(run["pids"]["worker"])
    os.kill(worker, signal.SIGKILL)
    honcho = run["honcho"]
    honcho.wait(timeout=WAIT_SECONDS)
    assert honcho.returncode != 0
    assert "worker.1 stopped (rc=-9)" in log.read_text()
    web = int(run["pids"]["web"])
    wait_for(lambda: not _alive(web), "gunicorn to stop", log)
