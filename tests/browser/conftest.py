"""Browser tests: Debian's Chromium, driven by pytest-playwright, against a live server.

One server for the whole session: a fresh SQLite database in var/browser/, migrated and loaded
with the demo data, served by gunicorn on a free loopback port, with a Celery worker beside it
(on the filesystem broker config.settings.local puts next to that database) so that queued work
such as the portfolio workbook is done as in `make run`. The server and the worker run on the
real clock (the demo data is dated from it), so these tests never assert dates.

No browser is downloaded: Playwright launches /usr/bin/chromium (`.ci/run` installs it when it
is missing); without it every test fails, none is skipped. Screenshots of each step go to
var/browser/artifacts/<test>/NN-step.png.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
WORK = ROOT / "var" / "browser"
ARTIFACTS = WORK / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment() -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{WORK / 'db.sqlite3'}",
        CACHE_URL=f"filecache://{WORK / 'cache'}",
        STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media"),
        TOKEN_THROTTLE_RATE="100000/minute",
        LOG_LEVEL="WARNING",
    )
    return env


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited before serving; see {WORK / 'server.log'}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"the server did not come up within 60 s; see {WORK / 'server.log'}")


@pytest.fixture(scope="session")
def demo_server():
    """The base URL of a live server on a fresh demo database, and a worker beside it.

    BROWSER_TESTS_URL (for instance http://127.0.0.1:8000 of `make run`, on the demo data)
    runs the tests against that server instead; they change its data as they go."""
    if os.environ.get("BROWSER_TESTS_URL"):
        yield os.environ["BROWSER_TESTS_URL"].rstrip("/")
        return
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (WORK / name).unlink(missing_ok=True)
    for name in ("broker", "cache", "media", "artifacts"):
        shutil.rmtree(WORK / name, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    env = _environment()
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _manage(env, "load_demo")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (WORK / "server.log").open("w")
    common = {"cwd": ROOT, "env": env, "stdout": log, "stderr": subprocess.STDOUT}
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--timeout",
            "60",
            "--access-logfile",
            "-",
        ],
        start_new_session=True,
        **common,
    )
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "--app",
            "config",
            "worker",
            "--queues",
            "default,exports",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        start_new_session=True,
        **common,
    )
    try:
        _wait_until_up(base, server)
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited; see {WORK / 'server.log'}")
        yield base
    finally:
        _stop(worker)
        _stop(server)
        log.close()


# pytest-playwright's own fixtures, pointed at the live server and at Debian's Chromium.


@pytest.fixture(scope="session")
def base_url(demo_server):
    return demo_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
            "the browser tests never download a browser",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": WIDE, "accept_downloads": True}


@pytest.fixture
def page(page):
    """pytest-playwright's page, with patient timeouts; any server error it meets fails it."""
    page.set_default_timeout(30_000)
    expect.set_options(timeout=15_000)
    errors = []
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.request.method} {response.url}")
            if response.status >= 500
            else None
        ),
    )
    yield page
    assert not errors, f"the server answered with an error: {errors}"


# Helpers for the journeys.


def url(name: str, *args) -> str:
    """A path by its URL name (the test process imports the project's URLconf)."""
    return reverse(name, args=args)


def sign_in(page, username: str) -> None:
    """Sign in as a demo user, as people do: open the site, which asks who you are."""
    page.goto(url("admin:index"))
    expect(page.get_by_label("Username")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-demo-2026")
    page.get_by_role("button", name=re.compile(r"log in|sign in", re.I)).click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not sign in: {_page_text(page)[:300]}"


def _page_text(page) -> str:
    return " ".join(page.locator("body").inner_text().split())


def open_page(page, path: str) -> None:
    """Go to a page and check it answered 200."""
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"GET {path} answered {response.status if response else 'nothing'}"
    )


class Shots:
    """Numbered screenshots of a test's steps: var/browser/artifacts/<test>/NN-step.png."""

    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = folder
        self.count = 0

    def __call__(self, step: str, page=None) -> None:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        (page or self.page).screenshot(
            path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True
        )


@pytest.fixture
def shot(page, request):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(ARTIFACTS / name, ignore_errors=True)
    return Shots(page, ARTIFACTS / name)


def api_token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": f"{username}-demo-2026"}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def api_call(base: str, token: str, method: str, path: str, data: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


# Accessibility: axe-core (shipped by axe-playwright-python), WCAG 2.1 A and AA rules.

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"critical", "serious"}


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core on {where} ({page.url}): {len(violations)} critical or serious WCAG 2.1 AA "
        f"violation(s)\n{describe_violations(violations)}"
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def horizontal_overflow(page) -> list[str]:
    """What scrolls sideways: the page itself, or any box inside it that scrolls (a table in
    an overflow-x-auto wrapper hides its columns just as well). Empty: nothing does."""
    return page.evaluate(
        """() => {
        const found = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) {
            found.push(`the page: ${root.scrollWidth} px in ${root.clientWidth} px`);
        }
        for (const box of document.body.querySelectorAll("*")) {
            const style = getComputedStyle(box);
            if (!["auto", "scroll"].includes(style.overflowX)) continue;
            if (box.scrollWidth <= box.clientWidth + 1 || box.clientWidth === 0) continue;
            const name = box.id ? `#${box.id}` : box.tagName.toLowerCase() +
                (box.className && typeof box.className === "string"
                    ? "." + box.className.trim().split(/\\s+/).slice(0, 4).join(".") : "");
            found.push(`${name}: ${box.scrollWidth} px in ${box.clientWidth} px`);
        }
        return found;
    }"""
    )
