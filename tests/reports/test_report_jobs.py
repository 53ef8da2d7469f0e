"""Report jobs: the portfolio workbook queued through the API and made by the Celery task (run
eagerly here; tests/reports/test_report_jobs_worker.py runs a real worker)."""

import datetime
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from alliances.choices import Role
from config.models import IdempotencyRecord
from reports import jobs
from reports.choices import JobStatus
from reports.models import ReportJob
from reports.tasks import housekeeping, run_report_job
from tests.alliances.factories import (
    AllianceFactory,
    MembershipFactory,
    PartnerFactory,
    TherapeuticAreaFactory,
)
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

URL = "/api/v1/reports/portfolio-jobs/"
FIELDS = {
    "id",
    "status",
    "progress",
    "rows_done",
    "rows_total",
    "filters",
    "created_at",
    "started_at",
    "finished_at",
    "expires_at",
    "error",
    "file_url",
}


@pytest.fixture
def portfolio(head):
    onc = TherapeuticAreaFactory(code="oncology", name="Oncology")
    neuro = TherapeuticAreaFactory(code="neuroscience", name="Neuroscience")
    AllianceFactory(name="BOREALIS", stage="development", therapeutic_area=onc)
    AllianceFactory(name="KESTREL", stage="commercial", therapeutic_area=neuro)
    secret = AllianceFactory(
        name="NIGHTJAR", stage="development", therapeutic_area=neuro, confidential=True,
        lead=head, partner=PartnerFactory(name="Hidden Partner"),
    )  # fmt: skip
    return {"secret": secret}


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what a request queued after commit (the eager task), as a real commit would."""

    def post(client, body=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, body or {}, format="json", **extra)

    return post


def queued(user, **filters) -> ReportJob:
    """A job saved but not run (nothing executes the on-commit callback)."""
    return ReportJob.objects.create(
        owner=user, filters={k: v if isinstance(v, list) else [v] for k, v in filters.items()}
    )


def finished(user) -> ReportJob:
    job = queued(user)
    assert jobs.run_job(job.pk) == "done"
    job.refresh_from_db()
    return job


def workbook_of(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def register_names(wb) -> list[str]:
    return [row[1] for row in list(wb["Register"].iter_rows(values_only=True))[1:]]


def all_text(wb) -> str:
    return "\n".join(
        str(value) for ws in wb for row in ws.iter_rows(values_only=True) for value in row if value
    )


# Queueing and running ----------------------------------------------------------------------


def test_post_answers_202_with_the_job_and_the_worker_makes_the_workbook(
    api, executive, portfolio, run_on_commit
):
    client = api(executive)
    response = run_on_commit(client, {"stage": "development"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert response["Location"].endswith(f"{URL}{body['id']}/")
    assert body["filters"] == {"stage": ["development"]}

    job = client.get(f"{URL}{body['id']}/").json()
    assert job["status"] == "done"
    assert (job["progress"], job["rows_done"], job["rows_total"]) == (100, 2, 2)
    assert job["error"] == ""
    assert job["finished_at"] and job["started_at"]
    assert job["file_url"].endswith(f"{URL}{body['id']}/file/")
    stored = ReportJob.objects.get(pk=body["id"])
    assert stored.expires_at == stored.finished_at + datetime.timedelta(days=7)
    assert default_storage.exists(stored.file.name)

    response = client.get(job["file_url"])
    made = timezone.localdate(stored.finished_at)
    assert f"portfolio-{made:%Y-%m-%d}.xlsx" in response["Content-Disposition"]
    wb = workbook_of(response)
    # The filters it ran with: development only, the confidential one masked for an executive.
    assert sorted(register_names(wb)) == ["BOREALIS", "Confidential"]
    assert "NIGHTJAR" not in all_text(wb) and "Hidden Partner" not in all_text(wb)


def test_the_job_is_made_with_the_owners_visibility(api, head, executive, portfolio):
    for_head, for_executive = finished(head), finished(executive)
    names = register_names(workbook_of(api(head).get(f"{URL}{for_head.pk}/file/")))
    assert "NIGHTJAR" in names
    names = register_names(workbook_of(api(executive).get(f"{URL}{for_executive.pk}/file/")))
    assert "NIGHTJAR" not in names and names.count("Confidential") == 1


def test_visibility_is_the_owners_when_the_job_runs_not_when_it_was_queued(executive, portfolio):
    job = queued(executive)
    MembershipFactory(alliance=portfolio["secret"], user=executive)  # joins before it runs
    jobs.run_job(job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        assert "NIGHTJAR" in register_names(load_workbook(io.BytesIO(handle.read())))


def test_a_json_body_takes_lists_booleans_and_numbers(api, lead, portfolio, run_on_commit):
    since = f"{timezone.localdate() - datetime.timedelta(days=40):%Y-%m-%d}"
    body = {"stage": ["development", "commercial"], "confidential": False, "since": since}
    response = run_on_commit(api(lead), body)
    assert response.status_code == 202, response.content
    assert response.json()["filters"] == {
        "stage": ["development", "commercial"],
        "confidential": ["false"],
        "since": [since],
    }
    assert ReportJob.objects.get().status == JobStatus.DONE


# Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"since": "yesterday"}, "since"),
        ({"stage": "sideways"}, "stage"),
        ({"since": ["2026-01-01", "2026-02-01"]}, "since"),
        ({"stage": {"nested": "object"}}, "stage"),
    ],
)
def test_bad_filters_are_a_400_as_for_the_synchronous_workbook(
    api, executive, portfolio, body, field
):
    response = api(executive).post(URL, body, format="json")
    assert_error(response, 400, field=field)
    assert not ReportJob.objects.exists()


def test_the_synchronous_workbook_refuses_the_same_filters(api, executive, portfolio):
    sync = api(executive).get("/api/v1/reports/portfolio.xlsx", {"colour": "red"})
    job = api(executive).post(URL, {"colour": "red"}, format="json")
    assert sync.status_code == job.status_code == 400
    assert sync.json() == job.json()


def test_filters_in_the_query_string_are_a_400(api, executive, portfolio):
    response = api(executive).post(f"{URL}?stage=development", {}, format="json")
    assert_error(response, 400, field="stage")
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("who", ["specialist", "requester"])
def test_only_executives_leads_and_the_head_queue_jobs(api, request, who):
    response = api(request.getfixturevalue(who)).post(URL, {}, format="json")
    assert_error(response, 403)
    assert not ReportJob.objects.exists()


def test_anonymous_is_a_401(api):
    assert api().post(URL, {}, format="json").status_code == 401
    assert api().get(URL).status_code == 401


def test_a_job_is_its_owners_alone(api, lead, lead2, head, specialist, portfolio):
    job = finished(lead)
    for other in (lead2, head, specialist):
        client = api(other)
        assert_error(client.get(f"{URL}{job.pk}/"), 404)
        assert_error(client.get(f"{URL}{job.pk}/file/"), 404)
        assert client.get(URL).json()["count"] == 0
    assert api(lead).get(URL).json()["count"] == 1
    assert list(ReportJob.objects.visible_to(lead2)) == []


def test_a_specialist_lists_no_jobs_rather_than_a_403(api, specialist):
    response = api(specialist).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 0


# States and the file ------------------------------------------------------------------------


@pytest.mark.parametrize("state", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_the_file_is_a_409_not_ready_until_done(api, executive, portfolio, state):
    job = queued(executive)
    ReportJob.objects.filter(pk=job.pk).update(status=state)
    client = api(executive)
    assert client.get(f"{URL}{job.pk}/").json()["file_url"] is None
    assert_error(client.get(f"{URL}{job.pk}/file/"), 409, code="not_ready")


def test_a_queued_job_is_queued_with_nothing_done(api, executive, portfolio):
    job = queued(executive)
    body = api(executive).get(f"{URL}{job.pk}/").json()
    assert (body["status"], body["progress"], body["rows_done"]) == ("queued", 0, 0)
    assert body["started_at"] is None and body["finished_at"] is None


def test_a_job_whose_owner_lost_the_role_fails_saying_so(api, executive, portfolio):
    job = queued(executive)
    executive.groups.remove(Group.objects.get(name=Role.EXECUTIVE))
    assert jobs.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "executives, alliance leads and the head" in job.error
    assert job.finished_at is not None and not job.file
    assert_error(api(executive).get(f"{URL}{job.pk}/file/"), 409, code="job_failed")


def test_filters_that_stopped_being_valid_fail_the_job_naming_them(executive, portfolio):
    TherapeuticAreaFactory(code="dermatology")
    job = queued(executive, therapeutic_area="dermatology")
    apps.get_model("alliances", "TherapeuticArea").objects.filter(code="dermatology").delete()
    assert jobs.run_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error.startswith("The filters are no longer accepted (therapeutic_area:")


def test_an_unexpected_error_fails_the_job_with_a_message_a_person_can_act_on(
    api, executive, portfolio, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "portfolio_workbook_build", broken)
    job = queued(executive)
    assert run_report_job.apply(args=[job.pk]).get() == "failed"
    body = api(executive).get(f"{URL}{job.pk}/").json()
    assert body["status"] == "failed"
    assert body["error"] == (
        f"The workbook could not be made (RuntimeError). Try again; if it fails again, tell the "
        f"administrator it was report job {job.pk}."
    )
    assert body["file_url"] is None


def test_a_transient_database_error_gives_the_job_back_for_a_retry(executive, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(jobs, "portfolio_workbook_build", down)
    job = queued(executive)
    with pytest.raises(OperationalError):
        jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # the retry claims it at once


def test_after_its_retries_a_transient_error_fails_the_job(executive, monkeypatch):
    def down(job_id):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(jobs, "run_job", down)
    job = queued(executive)
    assert run_report_job.apply(args=[job.pk], retries=3).get() == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The database was unavailable while the workbook was being made")


def test_a_job_the_queue_refuses_fails_saying_so(api, executive, monkeypatch, run_on_commit):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(run_report_job, "delay", broker_down)
    client = api(executive)
    response = run_on_commit(client)
    assert response.status_code == 202
    body = client.get(f"{URL}{response.json()['id']}/").json()
    assert body["status"] == "failed"
    assert body["error"].startswith("The job could not be queued: the task queue is unavailable")


def test_the_file_is_410_once_expired(api, executive, portfolio):
    job = finished(executive)
    client = api(executive)
    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    assert_error(client.get(f"{URL}{job.pk}/file/"), 410, code="expired")
    assert client.get(f"{URL}{job.pk}/").json()["file_url"] is None


def test_the_file_is_410_once_deleted_from_storage(api, executive, portfolio):
    job = finished(executive)
    default_storage.delete(job.file.name)
    assert_error(api(executive).get(f"{URL}{job.pk}/file/"), 410, code="expired")


def test_report_job_days_sets_the_expiry(executive, portfolio, settings):
    settings.REPORT_JOB_DAYS = 2
    job = finished(executive)
    assert job.expires_at - job.finished_at == datetime.timedelta(days=2)


# After commit, and once only -----------------------------------------------------------------


def test_a_job_is_queued_only_after_its_row_commits(
    executive, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(run_report_job, "delay", lambda job_id: sent.append(job_id))
    query = QueryDict("stage=development")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.queue_portfolio_job(actor=executive, params=query)
        raise RuntimeError("the surrounding change failed")
    assert callbacks == [] and sent == []
    assert not ReportJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.queue_portfolio_job(actor=executive, params=query)
        assert sent == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sent == [job.pk]


def test_a_redelivery_of_a_finished_job_does_nothing(executive, portfolio):
    job = finished(executive)
    before = ReportJob.objects.filter(pk=job.pk).values().get()
    stored = default_storage.open(job.file.name).read()
    assert run_report_job.apply(args=[job.pk]).get() == "finished"
    assert ReportJob.objects.filter(pk=job.pk).values().get() == before
    assert default_storage.open(job.file.name).read() == stored

    failed = queued(executive)
    ReportJob.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED, error="x")
    assert run_report_job.apply(args=[failed.pk]).get() == "finished"
    assert ReportJob.objects.get(pk=failed.pk).error == "x"


def test_a_duplicate_delivery_waits_while_another_runs_the_job(executive, portfolio):
    job = queued(executive)
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempt=1, heartbeat_at=timezone.now()
    )
    with pytest.raises(jobs.Busy):
        jobs.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.RUNNING, 1)


def test_a_job_whose_worker_went_quiet_is_taken_over_and_makes_one_file(
    executive, portfolio, settings
):
    job = queued(executive)
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempt=1,
        heartbeat_at=timezone.now()
        - datetime.timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS + 1),
    )
    default_storage.save(f"report-jobs/{job.pk}.xlsx", ContentFile(b"half a file"))
    assert jobs.run_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.DONE, 2)
    assert job.file.name == f"report-jobs/{job.pk}.xlsx"
    assert default_storage.listdir("report-jobs")[1] == [f"{job.pk}.xlsx"]
    with job.file.open("rb") as handle:
        load_workbook(io.BytesIO(handle.read()))  # the whole workbook, not the half file


def test_a_job_that_no_longer_exists_is_nothing_to_do(db):
    assert run_report_job.apply(args=[987654]).get() == "missing"


# Progress ----------------------------------------------------------------------------------


def test_progress_is_written_every_two_percent_when_rows_come_fast(executive):
    job = queued(executive)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempt=1)
    writer = jobs.ProgressWriter(job.pk, 1, 1000, clock=lambda: 0.0)
    for _ in range(500):
        writer(1)
    job.refresh_from_db()
    assert (job.rows_done, job.progress) == (500, 50)
    for _ in range(500):
        writer(1)
    assert writer.writes == 49  # 2, 4, … 98: at most every 2 %
    job.refresh_from_db()
    assert job.progress == 98  # 100 only once the file is saved


def test_progress_is_written_each_second_when_rows_come_slowly(executive):
    job = queued(executive)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempt=1)
    ticks = iter(range(100))
    writer = jobs.ProgressWriter(job.pk, 1, 1_000_000, clock=lambda: float(next(ticks)))
    for _ in range(5):
        writer(1)
    assert writer.writes == 5
    job.refresh_from_db()
    assert (job.rows_done, job.progress) == (5, 0)


# Housekeeping ------------------------------------------------------------------------------


def test_housekeeping_deletes_expired_files_and_purges_idempotency_keys(api, executive, portfolio):
    old, fresh = finished(executive), finished(executive)
    ReportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    keep = IdempotencyRecord.objects.create(user=executive, key="new", fingerprint="x")
    stale = IdempotencyRecord.objects.create(user=executive, key="old", fingerprint="x")
    IdempotencyRecord.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )

    result = housekeeping.apply().get()

    assert result == {
        "report_files_deleted": 1,
        "report_jobs_abandoned": 0,
        "idempotency_keys_purged": 1,
        "owners_told": 0,  # each heard when their job finished
    }
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(fresh.file.name)
    assert ReportJob.objects.get(pk=old.pk).file.name == ""
    assert list(IdempotencyRecord.objects.all()) == [keep]
    assert_error(api(executive).get(f"{URL}{old.pk}/file/"), 410, code="expired")
    assert housekeeping.apply().get()["report_files_deleted"] == 0


def test_housekeeping_fails_jobs_nobody_will_finish(executive):
    now = timezone.now()
    running, waiting, recent = queued(executive), queued(executive), queued(executive)
    ReportJob.objects.filter(pk=running.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=now - datetime.timedelta(hours=2)
    )
    ReportJob.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(days=2))
    assert jobs.housekeeping(now=now)["report_jobs_abandoned"] == 2
    states = dict(ReportJob.objects.values_list("pk", "status"))
    assert states == {running.pk: "failed", waiting.pk: "failed", recent.pk: "queued"}
    assert ReportJob.objects.get(pk=running.pk).error.startswith("No worker finished the job")


def test_housekeeping_is_a_periodic_task_in_the_database(db):
    task = PeriodicTask.objects.get(name="housekeeping")
    assert task.task == "reports.tasks.housekeeping"
    assert (task.interval.every, task.interval.period) == (1, "hours")
    assert task.enabled
    migration = importlib.import_module("reports.migrations.0004_housekeeping_schedule")
    migration.upsert(apps, None)  # run again: still one
    assert PeriodicTask.objects.filter(name="housekeeping").count() == 1


# The list ----------------------------------------------------------------------------------


def test_the_list_is_newest_first_and_its_queries_do_not_grow_with_jobs(api, executive):
    client = api(executive)
    first = [queued(executive) for _ in range(2)]
    with CaptureQueriesContext(connection) as few:
        response = client.get(URL)
    assert [row["id"] for row in response.json()["results"]] == [j.pk for j in reversed(first)]
    for _ in range(20):
        queued(executive)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.json()["count"] == 22
    assert len(few) == len(many) == 2  # the count and the page


def test_the_list_is_paginated(api, executive):
    for _ in range(3):
        queued(executive)
    body = api(executive).get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


# Settings ----------------------------------------------------------------------------------


def test_exports_have_their_own_queue_and_beat_reads_the_database(settings):
    assert settings.CELERY_TASK_ROUTES["reports.tasks.run_report_job"] == {"queue": "exports"}
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert run_report_job.acks_late and run_report_job.reject_on_worker_lost


def test_make_runs_settings_run_tasks_on_a_worker_through_a_filesystem_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    script = (
        "import django; django.setup(); "
        "from django.conf import settings as s; from config.celery import app; "
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, app.conf.task_always_eager); "
        "print(*[p.is_dir() for p in (s.BROKER_DIR / f for f in ('queue', 'control'))]); "
        "print(s.BROKER_DIR)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False", "filesystem://localhost//", "False", "True", "True", str(tmp_path / "broker"),
    ]  # fmt: skip


def test_the_schedule_is_visible_and_editable_in_the_admin(client, superuser):
    client.force_login(superuser)
    changelist = client.get("/admin/django_celery_beat/periodictask/")
    assert changelist.status_code == 200
    assert b"housekeeping" in changelist.content
    task = PeriodicTask.objects.get(name="housekeeping")
    assert (
        client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/").status_code == 200
    )


def test_a_retried_post_with_its_idempotency_key_gets_the_same_job(
    api, executive, portfolio, run_on_commit
):
    client = api(executive)
    first = run_on_commit(client, {"stage": "development"}, HTTP_IDEMPOTENCY_KEY="export-1")
    again = run_on_commit(client, {"stage": "development"}, HTTP_IDEMPOTENCY_KEY="export-1")
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert ReportJob.objects.count() == 1
