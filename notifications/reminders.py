"""Reminder scans: each app registers, at ready(), a scan `(day) -> int` that notifies what is
due on `day` (the number of notifications it wrote). Beat runs them daily; each notification's
key names the day or the deadline, so a tick run twice, or by two workers, tells nobody twice.
What a reminder says is computed from the same named rules the lists use."""

import datetime
from collections.abc import Callable

_scans: list[Callable[[datetime.date], int]] = []


def register_reminder(scan: Callable[[datetime.date], int]) -> None:
    if scan not in _scans:
        _scans.append(scan)


def run_reminders(day: datetime.date) -> int:
    return sum(scan(day) for scan in _scans)
