import datetime

import pytest

from alliances.calendar import add_business_days, business_days_between, business_days_since

FRI = datetime.date(2026, 11, 20)
SAT = datetime.date(2026, 11, 21)
SUN = datetime.date(2026, 11, 22)
MON = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (MON, 3, datetime.date(2026, 11, 26)),  # Thursday
        (FRI, 1, MON),  # over the weekend
        (FRI, 3, datetime.date(2026, 11, 25)),
        (SAT, 1, MON),
        (SUN, 3, datetime.date(2026, 11, 25)),
        (datetime.date(2026, 11, 25), 3, datetime.date(2026, 11, 30)),  # Wed + 3 = next Mon
        (MON, 0, MON),
        (MON, 10, datetime.date(2026, 12, 7)),
    ],
)
def test_add_business_days_skips_weekends(start, days, expected):
    assert add_business_days(start, days) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (MON, MON, 1),
        (SAT, SUN, 0),
        (FRI, MON, 2),
        (MON, datetime.date(2026, 12, 6), 10),  # two full weeks
        (MON, datetime.date(2027, 11, 21), 260),  # a year of 52 weeks
        (MON, FRI, 0),  # backwards
    ],
)
def test_business_days_between_counts_both_ends(first, last, expected):
    assert business_days_between(first, last) == expected


def test_business_days_since():
    assert business_days_since(FRI, MON) == 1
    assert business_days_since(MON, MON) == 0
    assert business_days_since(MON, datetime.date(2026, 11, 30)) == 5
