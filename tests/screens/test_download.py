"""The executive's download page and the workbook job's page, as a browser uses them: the
form posts its CSRF token with the filters, the job page shows its progress bar."""

import pytest
from django.test import Client

from reports import jobs
from reports.models import ReportJob

pytestmark = pytest.mark.django_db

PAGE = "/admin/reports/statusreport/portfolio/"


def test_a_browser_post_with_its_csrf_token_queues_the_job(executive):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(executive)
    page = browser.get(PAGE)
    token = page.cookies["csrftoken"].value
    response = browser.post(PAGE, {"csrfmiddlewaretoken": token, "stage": ["development"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ReportJob.objects.get(owner=executive)
    assert job.filters == {"stage": ["development"]}


def test_the_job_page_shows_a_progress_bar_then_the_download(client, executive):
    client.force_login(executive)
    client.post(PAGE, {"stage": ["development"]})
    job = ReportJob.objects.get(owner=executive)
    waiting = client.get(f"{PAGE}jobs/{job.pk}/").content.decode()
    assert 'role="progressbar"' in waiting and 'aria-valuenow="0"' in waiting
    assert "Queued" in waiting and "0 of 0 alliances" in waiting
    # It updates itself in place (htmx, served by unfold), not by reloading the page, which
    # axe-core counts as a critical failure (meta-refresh).
    assert 'hx-trigger="every 2s"' in waiting and 'http-equiv="refresh"' not in waiting
    assert jobs.run_job(job.pk) == "done"
    done = client.get(f"{PAGE}jobs/{job.pk}/").content.decode()
    assert 'aria-valuenow="100"' in done
    assert "Download the workbook (.xlsx)" in done
    recent = client.get(PAGE).content.decode()
    assert f"Job {job.pk}" in recent and "Done" in recent


def test_the_form_uses_unfolds_inputs_and_shows_errors_beside_the_field(client, executive):
    client.force_login(executive)
    page = client.get(PAGE).content.decode()
    assert "unfold/widgets" not in page
    assert 'name="search"' in page and "max-w-2xl" in page
    bad = client.post(PAGE, {"since": "2026-02-31"}).content.decode()
    assert 'id="id_since_error"' in bad and "Give a date as YYYY-MM-DD." in bad
    assert not ReportJob.objects.exists()


def test_who_may_open_the_pages(client, specialist, executive, lead):
    assert client.get(PAGE).status_code == 302  # anonymous: to sign in
    client.force_login(specialist)
    assert client.get(PAGE).status_code == 403
    client.force_login(executive)
    client.post(PAGE, {})
    job = ReportJob.objects.get(owner=executive)
    client.force_login(lead)
    assert client.get(f"{PAGE}jobs/{job.pk}/").status_code == 404  # someone else's job
