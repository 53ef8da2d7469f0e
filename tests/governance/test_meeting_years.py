"""The meetings list's year links: the years worked out by comparison with each year's first
instant are the years Django's own truncation gives, at the turn of a year in any time zone
and far from this one."""

import datetime
import zoneinfo

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from governance.models import Meeting
from tests.governance.factories import MeetingFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.mark.parametrize("zone", [None, "Europe/London", "Pacific/Auckland", "America/New_York"])
def test_the_years_are_djangos_years(zone):
    body = MeetingFactory().body
    for moment in [
        datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        datetime.datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
        datetime.datetime(2025, 12, 31, 11, 30, tzinfo=UTC),  # 2026 in Auckland
        datetime.datetime(2027, 1, 1, 3, 0, tzinfo=UTC),  # still 2026 in New York
        datetime.datetime(1990, 6, 1, 12, 0, tzinfo=UTC),
        datetime.datetime(2090, 6, 1, 12, 0, tzinfo=UTC),
    ]:
        MeetingFactory(body=body, starts_at=moment)
    tz = zoneinfo.ZoneInfo(zone) if zone else None
    meetings = Meeting.objects.all()
    for order in ("ASC", "DESC"):
        expected = list(QuerySet.datetimes(meetings, "starts_at", "year", order, tz))
        assert meetings.datetimes("starts_at", "year", order, tz) == expected
    assert Meeting.objects.none().datetimes("starts_at", "year") == []
    assert list(meetings.datetimes("starts_at", "month")) == list(
        QuerySet.datetimes(meetings, "starts_at", "month")
    )
    assert timezone.is_aware(meetings.datetimes("starts_at", "year")[0])
