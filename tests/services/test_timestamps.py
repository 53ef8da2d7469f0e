"""PostgreSQL timestamps are parsed by psycopg's C loader (config.db), with Django's result."""

import datetime

import pytest
from django.db import connection

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_postgresql_timestamps_come_back_aware_in_utc_from_the_c_loader():
    with connection.cursor() as cursor:
        cursor.execute("SELECT TIMESTAMPTZ '2026-03-01 10:30:15.25+02'")
        (moment,) = cursor.fetchone()
        loader = cursor.cursor.adapters.get_loader(1184, 0)
    assert loader.__name__ == "FastTzLoader"
    assert moment == datetime.datetime(2026, 3, 1, 8, 30, 15, 250000, tzinfo=datetime.UTC)
    assert moment.tzinfo is datetime.UTC
