"""The embedded install (SQLite, several gunicorn workers) under a race: two leads accept the
same request at the same moment. One gets 201, the other 409, never a 500 or "database is
locked"."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


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
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def server(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "CACHE_URL": "locmemcache://",
        "STATIC_ROOT": str(tmp_path / "static"),
        "TOKEN_THROTTLE_RATE": "1000/minute",
    }
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Up to a minute on a loaded machine; time.monotonic is the real clock under the test
        # clock (time-machine moves only wall-clock time).
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            try:
                if call(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_simultaneous_accepts_on_sqlite_give_201_and_409(server):
    port = server
    tokens = {
        name: call(
            port, "POST", "/api/v1/auth/token/", {"username": name, "password": f"{name}-demo-2026"}
        )[1]["token"]
        for name in ("lead", "lead2")
    }
    intakes = call(port, "GET", "/api/v1/intake-requests/?status=triage", token=tokens["lead"])[1]
    intake = next(row for row in intakes["results"] if not row["confidential"])
    barrier = threading.Barrier(2)
    results = []

    def accept(name):
        barrier.wait()
        results.append(
            call(
                port,
                "POST",
                f"/api/v1/intake-requests/{intake['id']}/accept/",
                {"management_model": "specialist_supported"},
                token=tokens[name],
            )
        )

    threads = [threading.Thread(target=accept, args=(name,)) for name in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(code for code, _ in results) == [201, 409], results
    refusal = next(body for code, body in results if code == 409)
    assert refusal["code"] == "already_accepted"
    query = urllib.parse.urlencode({"search": intake["title"]})
    alliances = call(port, "GET", f"/api/v1/alliances/?{query}", token=tokens["lead"])
    assert alliances[1]["count"] == 1
