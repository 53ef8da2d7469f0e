"""`make fuzz`: schemathesis against a live server, as the head, a lead and a requester.

A fresh SQLite database under var/fuzz/, migrated and loaded with the demo data; gunicorn on a
free loopback port; a token per user; then `schemathesis run --checks all` per user with the
configuration in schemathesis.toml. Exits non-zero if any run failed, and always stops the
server. Bounded in time: FUZZ_MAX_EXAMPLES per operation and phase (default 10), and the
coverage phase for the head only.
"""

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "var" / "fuzz"
USERS = [u for u in os.environ.get("FUZZ_USERS", "head lead requester").split()]
MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "10")
COVERAGE_USER = "head"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{WORK / 'db.sqlite3'}",
        CACHE_URL=f"filecache://{WORK / 'cache'}",
        # Sign-ins are fuzzed too; the throttle would turn them into 429s for the whole run.
        TOKEN_THROTTLE_RATE="100000/minute",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("fuzz: gunicorn exited before serving")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit("fuzz: the server did not come up within 60 s")


def token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": f"{username}-demo-2026"}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def main() -> int:
    # One run at a time: a second would delete the first one's database under its server.
    lock = (ROOT / "var" / "fuzz.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit("fuzz: another make fuzz is running (var/fuzz.lock)") from None
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = environment()
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (WORK / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "6",
            "--timeout",
            "60",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    failed = []
    summary = []
    try:
        wait_until_up(base, server)
        tokens = {user: token(base, user) for user in USERS}
        # The three runs go side by side (the server has a worker for each), each to its log.
        runs = {}
        for user in USERS:
            output = (WORK / f"schemathesis-{user}.log").open("w")
            command = [
                str(BIN / "schemathesis"),
                "--config-file",
                str(ROOT / "schemathesis.toml"),
                "run",
                f"{base}/api/v1/schema/",
                "--header",
                f"Authorization: Token {tokens[user]}",
                "--checks",
                "all",
                "--max-examples",
                MAX_EXAMPLES,
                # The coverage phase (every boundary and wrong type of every input) checks
                # validation, which is the same for everyone; run it once, as the head, who
                # reaches every operation's validation. The others fuzz and walk the links.
                *([] if user == COVERAGE_USER else ["--phases", "examples,fuzzing,stateful"]),
                "--report",
                "junit",
                "--report-junit-path",
                str(WORK / f"junit-{user}.xml"),
                *sys.argv[1:],
            ]
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
            runs[user] = (process, output, time.monotonic())
        for user, (process, output, started) in runs.items():
            code = process.wait()
            output.close()
            seconds = time.monotonic() - started
            print(f"\n::: schemathesis as {user}", flush=True)
            print((WORK / f"schemathesis-{user}.log").read_text(), flush=True)
            summary.append(f"{user}: exit {code} after {seconds:.0f} s")
            if code:
                failed.append(user)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    print("\n::: fuzz summary\n" + "\n".join(summary), flush=True)
    if failed:
        print(f"::: fuzz FAILED for {', '.join(failed)} (server log: {WORK / 'server.log'})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
