"""Whoever queued a report job hears once that it finished or failed, however it ended."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from alliances.choices import Role
from notifications.models import Notification
from reports import jobs
from reports.choices import JobStatus
from reports.models import ReportJob

pytestmark = pytest.mark.django_db


def test_a_finished_job_tells_its_owner_once(api, executive, lead):
    job = ReportJob.objects.create(owner=executive, filters={})
    assert jobs.run_job(job.pk) == "done"
    jobs.tell_owners()  # housekeeping after it: nothing new
    (notice,) = api(executive).get("/api/v1/notifications/").json()["results"]
    assert notice["kind"] == "job_finished"
    assert notice["api_path"] == f"/api/v1/reports/portfolio-jobs/{job.pk}/"
    assert api(lead).get("/api/v1/notifications/").json()["count"] == 0


def test_a_failed_job_says_why(executive):
    job = ReportJob.objects.create(owner=executive, filters={})
    executive.groups.remove(Group.objects.get(name=Role.EXECUTIVE))
    assert jobs.run_job(job.pk) == "failed"
    notice = Notification.objects.get(recipient=executive)
    assert notice.kind == "job_failed"
    assert "executives, alliance leads and the head" in notice.text


def test_a_job_abandoned_by_a_dead_worker_is_told_by_housekeeping(executive):
    job = ReportJob.objects.create(owner=executive, filters={})
    ReportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    jobs.housekeeping()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert Notification.objects.get(recipient=executive).kind == "job_failed"
    jobs.housekeeping()
    assert Notification.objects.filter(recipient=executive).count() == 1
