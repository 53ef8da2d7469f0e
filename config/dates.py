"""The range every date and datetime a person gives must fall in: from DATE_INPUT_MIN to
DATE_INPUT_MAX_YEARS years from today. Anything computed from a stored date (playbook offsets of
up to two years, month arithmetic, horizons) then stays far from the calendar's ends, so nothing
one user stores can break a read for another. Used by the API's fields and filters and by the
models' validators (so the admin and services' full_clean refuse too)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible


def date_input_min() -> datetime.date:
    return settings.DATE_INPUT_MIN


def date_input_max() -> datetime.date:
    today = timezone.localdate()
    year = today.year + settings.DATE_INPUT_MAX_YEARS
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=year, day=28)


def range_message() -> str:
    return f"Give a date from {date_input_min().isoformat()} to {date_input_max().isoformat()}."


def in_range(day: datetime.date) -> bool:
    return date_input_min() <= day <= date_input_max()


def check_date(value) -> None:
    """Raise ValidationError when a date (or a datetime's local date) is out of range."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not in_range(value):
        raise ValidationError(range_message(), code="date_out_of_range")


@deconstructible(path="config.dates.DateInRange")
class DateInRange:
    """A model field validator; the range is read when it runs, so it moves with today."""

    def __call__(self, value) -> None:
        check_date(value)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateInRange)

    def __hash__(self) -> int:
        return hash(DateInRange)
