"""The admin's download page queues a report job and follows it until the file is ready."""

import pytest

from reports import jobs
from reports.models import ReportJob

pytestmark = pytest.mark.django_db

PAGE = "/admin/reports/statusreport/portfolio/"


def test_the_page_queues_a_job_and_its_page_shows_progress_then_the_download(
    client, executive, django_capture_on_commit_callbacks
):
    client.force_login(executive)
    assert "Make the workbook" in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"stage": ["development"]})
    job = ReportJob.objects.get(owner=executive)
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}jobs/{job.pk}/"
    assert job.filters == {"stage": ["development"]}
    waiting = client.get(response["Location"]).content.decode()
    assert "Queued" in waiting and 'hx-trigger="every 2s"' in waiting  # updates itself
    assert jobs.run_job(job.pk) == "done"
    done = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' not in done
    assert f"/api/v1/reports/portfolio-jobs/{job.pk}/file/" in done
    assert client.get(f"/api/v1/reports/portfolio-jobs/{job.pk}/file/").status_code == 200
    assert f"Job {job.pk}" in client.get(PAGE).content.decode()  # among the recent ones


def test_bad_filters_are_form_errors_and_queue_nothing(client, executive):
    client.force_login(executive)
    page = client.post(PAGE, {"stage": ["nowhere"]})
    assert page.status_code == 200
    assert "nowhere" in page.content.decode()
    assert not ReportJob.objects.exists()


def test_someone_elses_job_page_is_a_404_and_a_failure_says_why(client, executive, lead):
    job = ReportJob.objects.create(owner=executive, filters={})
    client.force_login(lead)
    assert client.get(f"{PAGE}jobs/{job.pk}/").status_code == 404
    ReportJob.objects.filter(pk=job.pk).update(status="failed", error="The database was away.")
    client.force_login(executive)
    page = client.get(f"{PAGE}jobs/{job.pk}/").content.decode()
    assert "The database was away." in page and "Try again" in page


def test_a_specialist_may_not_queue_the_workbook(client, specialist):
    client.force_login(specialist)
    assert client.post(PAGE, {}).status_code == 403
    assert not ReportJob.objects.exists()
