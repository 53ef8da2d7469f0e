"""A report job run by a real Celery worker process: queued through the API onto Redis
(CELERY_BROKER_URL), run against the PostgreSQL test database, downloaded through the API."""

import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import load_workbook

from config.celery import app
from tests.alliances.factories import AllianceFactory, PartnerFactory

pytestmark = [
    pytest.mark.services,
    # Committed rows, so the worker (another process) sees them; serialized_rollback keeps the
    # rows migrations create (groups, the periodic tasks).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/reports/portfolio-jobs/"
WAIT_SECONDS = 90


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    """One worker on both queues, on the test database and this test's MEDIA_ROOT."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery = Path(sys.executable).with_name("celery")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(celery), "--app", "config", "worker", "--queues", "default,exports",
                "--concurrency", "1", "--without-gossip", "--without-mingle", "--purge",
                "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h", "--loglevel", "INFO",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while b" ready." not in log.read_bytes():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"the worker did not start:\n{log.read_text()}"
            time.sleep(0.2)
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def not_eager():
    """This process sends the task to the broker instead of running it."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


def test_a_job_queued_through_the_api_is_run_by_a_worker(api, executive, head, worker, not_eager):
    AllianceFactory(name="BOREALIS", stage="development")
    AllianceFactory(
        name="NIGHTJAR", stage="development", confidential=True, lead=head,
        partner=PartnerFactory(name="Hidden Partner"),
    )  # fmt: skip
    client = api(executive)
    response = client.post(URL, {"stage": "development"}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]

    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        job = client.get(f"{URL}{job_id}/").json()
        if job["status"] in ("done", "failed"):
            break
        assert time.monotonic() < deadline, f"still {job['status']}:\n{worker.read_text()}"
        time.sleep(0.25)
    assert job["status"] == "done", job
    assert (job["progress"], job["rows_done"], job["rows_total"]) == (100, 2, 2)

    download = client.get(f"{URL}{job_id}/file/")
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(row[1] for row in list(wb["Register"].iter_rows(values_only=True))[1:])
    assert names == ["BOREALIS", "Confidential"]  # made with the executive's visibility
    assert "run_report_job" in worker.read_text()
