import datetime
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from alliances.choices import Role
from tests.alliances.factories import UserFactory

# The clock every test runs on. By default the whole session runs from a fixed moment (the clock
# still ticks from there), so no test depends on the real date. `--clock=real` (TEST_CLOCK=real)
# keeps the real clock; `--clock=2027-02-27T23:30` (an ISO datetime, local to Europe/London unless
# it carries an offset) starts elsewhere; `--clock-shift=365` (TEST_CLOCK_SHIFT_DAYS) moves the
# start that many days ahead (negative: back). `make test-clock-ahead` is `--clock=real
# --clock-shift=365`. A subprocess (gunicorn in test_sqlite_race.py) runs on the real clock, so
# tests across a process boundary must not depend on the date.
DEFAULT_CLOCK = "2026-11-18T10:00"  # a Wednesday, mid-month, after STATUS_REPORT_DUE_DAY
CLOCK_ZONE = ZoneInfo("Europe/London")
_clock_traveller = None


def pytest_addoption(parser):
    group = parser.getgroup("clock")
    group.addoption(
        "--clock",
        default=os.environ.get("TEST_CLOCK", DEFAULT_CLOCK),
        help=f"start of the test clock: an ISO datetime, or 'real' (default {DEFAULT_CLOCK} "
        "Europe/London; env TEST_CLOCK)",
    )
    group.addoption(
        "--clock-shift",
        type=float,
        default=float(os.environ.get("TEST_CLOCK_SHIFT_DAYS") or 0),
        help="move the test clock's start this many days (env TEST_CLOCK_SHIFT_DAYS)",
    )


def clock_start(clock: str, shift_days: float) -> datetime.datetime:
    if clock == "real":
        start = datetime.datetime.now(datetime.UTC)
    else:
        start = datetime.datetime.fromisoformat(clock)
        if start.tzinfo is None:
            start = start.replace(tzinfo=CLOCK_ZONE)
    return start + datetime.timedelta(days=shift_days)


def pytest_configure(config):
    """Travel before collection, so module-level dates and factory defaults see the test clock."""
    global _clock_traveller
    start = clock_start(config.getoption("clock"), config.getoption("clock_shift"))
    _clock_traveller = time_machine.travel(start, tick=True)
    _clock_traveller.start()


def pytest_unconfigure(config):
    global _clock_traveller
    if _clock_traveller is not None:
        _clock_traveller.stop()
        _clock_traveller = None


def pytest_report_header(config):
    now = datetime.datetime.now(CLOCK_ZONE)
    return f"test clock: {now:%Y-%m-%d %H:%M %Z (%A)} (--clock, --clock-shift)"


def pytest_sessionstart(session):
    """Under `make test-services` a missing PostgreSQL or Redis fails the run; it never skips."""
    if os.environ.get("REQUIRE_SERVICES") != "1":
        return
    import redis
    from django.conf import settings

    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    else:
        import psycopg

        db = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=db["HOST"],
                port=db["PORT"] or 5432,
                user=db["USER"],
                dbname=db["NAME"],
                password=db["PASSWORD"] or None,
                connect_timeout=5,
            ).close()
        except psycopg.Error as error:
            problems.append(f"PostgreSQL is unreachable: {error}")
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(name, "")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=5).ping()
        except Exception as error:
            problems.append(f"Redis at {name}={url!r} is unreachable: {error}")
    if problems:
        pytest.exit("Services unavailable: " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def make_user(username: str, role: str | None = None, **extra):
    user = UserFactory(username=username, **extra)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def head(db):
    return make_user("head", Role.ALLIANCE_HEAD, is_staff=True)


@pytest.fixture
def lead(db):
    return make_user("lead", Role.ALLIANCE_LEAD, is_staff=True)


@pytest.fixture
def lead2(db):
    return make_user("lead2", Role.ALLIANCE_LEAD, is_staff=True)


@pytest.fixture
def executive(db):
    return make_user("executive", Role.EXECUTIVE, is_staff=True)


@pytest.fixture
def specialist(db):
    return make_user("specialist", Role.SPECIALIST, is_staff=True)


@pytest.fixture
def requester(db):
    return make_user("requester")


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    """`api(user)` is a client signed in as `user` (None: anonymous)."""

    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
