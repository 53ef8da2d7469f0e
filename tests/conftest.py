import os

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from alliances.choices import Role
from tests.alliances.factories import UserFactory


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
