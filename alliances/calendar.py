"""Dates as the portfolio reckons them: "today" in PORTFOLIO_TIME_ZONE; business days are
Monday to Friday."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def portfolio_zone() -> ZoneInfo:
    return ZoneInfo(settings.PORTFOLIO_TIME_ZONE)


def today() -> datetime.date:
    return timezone.now().astimezone(portfolio_zone()).date()


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(portfolio_zone()).date()


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """The business day `days` business days after `start` (a weekend start counts from the
    following Monday's eve, so Saturday + 1 is Monday)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(first: datetime.date, last: datetime.date) -> int:
    """Business days from `first` to `last`, both included (0 if last is before first)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    for offset in range(extra):
        if is_business_day(first + datetime.timedelta(days=weeks * 7 + offset)):
            count += 1
    return count


def business_days_since(start: datetime.date, end: datetime.date) -> int:
    """Business days elapsed after `start` up to and including `end` (age of a request)."""
    return business_days_between(start + datetime.timedelta(days=1), end)
