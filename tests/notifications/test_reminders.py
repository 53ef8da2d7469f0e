"""Reminder scans: each reminder once, to the right people, about what they may see, in a number
of queries that does not grow with the number of tasks."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliances.calendar import add_business_days, today
from notifications.models import Notification
from notifications.reminders import run_reminders
from notifications.services import read_notifications_purge
from notifications.tasks import send_reminders
from tests.alliances.factories import AllianceFactory
from tests.reports.factories import StatusReportFactory
from tests.resourcing.factories import IntakeFactory, TaskFactory

pytestmark = pytest.mark.django_db


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_triage_due_tomorrow_and_breached_go_to_the_leads_and_confidential_only_to_the_head(
    lead, lead2, head, requester
):
    day = today()
    tomorrow = add_business_days(day, 1)
    due = IntakeFactory(status="submitted", sla_due=tomorrow, title="Due soon")
    late = IntakeFactory(status="triage", sla_due=day - datetime.timedelta(days=3))
    secret = IntakeFactory(status="submitted", sla_due=tomorrow, confidential=True)
    IntakeFactory(status="needs_info", sla_due=day - datetime.timedelta(days=3))  # not waiting
    run_reminders(day)
    assert kinds(lead) == kinds(lead2) == ["triage_breached", "triage_due"]
    assert kinds(head) == ["triage_breached", "triage_due", "triage_due"]
    assert kinds(requester) == []
    texts = set(Notification.objects.filter(recipient=lead).values_list("text", flat=True))
    assert not any(secret.title in text for text in texts)
    assert any("Due soon" in text for text in texts)
    assert Notification.objects.filter(key__contains=f"intake:{late.pk}:breached").count() == 3
    assert due.pk


def test_a_tick_run_twice_tells_nobody_twice(lead, specialist):
    day = today()
    IntakeFactory(status="submitted", sla_due=add_business_days(day, 1))
    TaskFactory(assignee=specialist, due_date=day - datetime.timedelta(days=2))
    first = send_reminders()
    assert first >= 2
    assert send_reminders() == 0
    assert Notification.objects.count() == first


def test_overdue_tasks_one_notice_per_person_per_day_naming_no_alliance(specialist, head):
    day = today()
    secret = AllianceFactory(confidential=True, lead=head, name="NIGHTJAR")
    TaskFactory(assignee=specialist, alliance=secret, due_date=day - datetime.timedelta(days=9))
    TaskFactory(assignee=specialist, due_date=day - datetime.timedelta(days=2))
    TaskFactory(assignee=specialist, due_date=day + datetime.timedelta(days=2))  # not overdue
    TaskFactory(assignee=specialist, due_date=day - datetime.timedelta(days=2), status="done")
    run_reminders(day)
    (notice,) = Notification.objects.filter(recipient=specialist)
    assert notice.kind == "tasks_overdue"
    assert "2 overdue task(s)" in notice.text and "NIGHTJAR" not in notice.text
    run_reminders(day + datetime.timedelta(days=1))
    assert Notification.objects.filter(recipient=specialist).count() == 2  # the next day's


def test_the_overdue_scan_takes_the_same_queries_for_more_tasks(specialist):
    day = today()

    def scan_queries():
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run_reminders(day)
        return len(queries)

    # One alliance for every task: until STATUS_REPORT_DUE_DAY the report scan also runs, and
    # an alliance per task would add a report-due notice per task (the test failed on days 1-10).
    alliance = AllianceFactory()
    overdue = day - datetime.timedelta(days=1)
    TaskFactory(assignee=specialist, alliance=alliance, due_date=overdue)
    few = scan_queries()
    for _ in range(30):
        TaskFactory(assignee=specialist, alliance=alliance, due_date=overdue)
    assert scan_queries() == few


def test_a_report_due_goes_to_the_lead_until_the_due_day_once(lead, settings):
    settings.STATUS_REPORT_DUE_DAY = 10
    owing = AllianceFactory(lead=lead, name="BOREALIS", start_date=datetime.date(2020, 1, 1))
    done = AllianceFactory(lead=lead, start_date=datetime.date(2020, 1, 1))
    AllianceFactory(lead=lead, status="closed")
    day = today().replace(day=3)
    last_month = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    StatusReportFactory(alliance=done, month=last_month)
    run_reminders(day)
    run_reminders(day + datetime.timedelta(days=1))
    (notice,) = Notification.objects.filter(recipient=lead, kind="report_due")
    assert "BOREALIS" in notice.text and notice.alliance == owing
    Notification.objects.all().delete()
    run_reminders(day.replace(day=11))  # past the due day: the report is missing instead
    assert not Notification.objects.filter(kind="report_due").exists()


def test_read_notifications_are_purged_after_the_keep_days(lead, settings):
    settings.NOTIFICATION_KEEP_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    for key in ("a", "b"):
        Notification.objects.create(recipient=lead, kind="job_finished", key=key, text=key)
    Notification.objects.update(created_at=old)
    Notification.objects.filter(key="a").update(read_at=old)
    Notification.objects.create(recipient=lead, kind="job_finished", key="c", text="c", read_at=old)
    assert read_notifications_purge() == 1
    assert set(Notification.objects.values_list("key", flat=True)) == {"b", "c"}
