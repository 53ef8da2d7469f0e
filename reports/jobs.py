"""Report jobs: the portfolio workbook made by a Celery worker instead of inside a request.

`queue_portfolio_job` checks the filters as the synchronous endpoint does (the same
PortfolioQuery), saves the job and sends it to the `exports` queue once the row has committed.
`run_job` (called by reports.tasks.run_report_job) makes the workbook for the job's owner, with
their visibility at the time it runs, writes it through Django's storage API and marks the job
done or failed with a message a person can act on.

A delivery claims the job before it works (queued → running, `attempt` + 1). Another delivery of
the same job — a duplicate, or a redelivery after a worker died (acks_late) — finds it running and
waits (`Busy`) until the holder finishes or stops beating for REPORT_JOB_STALE_SECONDS, then
takes it over; a finished job is left alone. Only the holder of the latest attempt writes the
outcome, and every attempt writes the same file name, so a job ends with one file.
"""

import contextlib
import datetime
import logging
import tempfile
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone

from config.api.idempotency import purge_expired as purge_expired_idempotency_keys

from .access import can_download_portfolio
from .choices import JobStatus
from .models import ReportJob
from .portfolio.params import PortfolioQuery
from .workbook import portfolio_workbook_build

logger = logging.getLogger(__name__)

# A running job whose holder has not written for settings.REPORT_JOB_STALE_SECONDS is taken over
# by another delivery. The holder writes at least once a second while writing the register (and
# at each step around it), so that only has to outlast the slowest sheet that is not the register.
# Housekeeping fails a running job nobody has touched for this long (every delivery of it is
# gone), and a queued one no worker took within QUEUED_TOO_LONG.
ABANDONED_AFTER = datetime.timedelta(hours=1)
QUEUED_TOO_LONG = datetime.timedelta(days=1)
# Progress is written when it has moved this many percent, or this many seconds have passed.
PROGRESS_STEP_PERCENT = 2
PROGRESS_INTERVAL_SECONDS = 1.0
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class Busy(Exception):
    """Another delivery is running the job right now; try again after `retry_in` seconds."""

    def __init__(self, retry_in: int | None = None):
        retry_in = settings.REPORT_JOB_STALE_SECONDS if retry_in is None else retry_in
        super().__init__(f"The job is running elsewhere; retry in {retry_in} s.")
        self.retry_in = retry_in


# Queueing ------------------------------------------------------------------------------------


def queue_portfolio_job(*, actor, params: QueryDict) -> ReportJob:
    """Check the filters (ValidationError, as the synchronous workbook refuses them), save the
    job and queue it once the row has committed: a transaction that rolls back queues nothing."""
    PortfolioQuery(user=actor, params=params)
    filters = {name: values for name, values in params.lists()}
    with transaction.atomic():
        job = ReportJob.objects.create(owner=actor, filters=filters)
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> None:
    """Send the job to the workers; if the broker cannot take it, the job fails saying so
    (rather than waiting for a worker that will never hear of it)."""
    from .tasks import run_report_job

    try:
        run_report_job.delay(job_id)
    except Exception as error:
        logger.exception("Report job %s could not be queued", job_id)
        ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error="The job could not be queued: the task queue is unavailable "
            f"({type(error).__name__}). Try again in a few minutes.",
        )


# Running -------------------------------------------------------------------------------------


def run_job(job_id: int) -> str:
    """Run the job if it is waiting (or its holder went quiet). Returns what became of it:
    "done", "failed", "finished" (it had already finished: nothing was done) or "missing".
    Raises Busy while another delivery holds it, and a transient database error (after giving
    the job back) for the task to retry."""
    job = ReportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        logger.warning("Report job %s no longer exists; nothing to do", job_id)
        return "missing"
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        return "finished"
    attempt = _claim(job)
    if attempt is None:
        job.refresh_from_db(fields=["status"])
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return "finished"
        raise Busy()
    try:
        rows, name = _build(job, attempt)
    except TRANSIENT_ERRORS:
        _give_back(job_id, attempt)
        raise
    except JobRefused as refusal:
        return _finish_failed(job_id, attempt, str(refusal))
    except ValidationError as error:
        return _finish_failed(job_id, attempt, _filters_refused(error))
    except Exception as error:
        logger.exception("Report job %s failed", job_id)
        return _finish_failed(
            job_id,
            attempt,
            f"The workbook could not be made ({type(error).__name__}). Try again; if it fails "
            f"again, tell the administrator it was report job {job_id}.",
        )
    finished = timezone.now()
    written = ReportJob.objects.filter(pk=job_id, attempt=attempt).update(
        status=JobStatus.DONE,
        progress=100,
        rows_done=rows,
        rows_total=rows,
        finished_at=finished,
        heartbeat_at=finished,
        expires_at=finished + datetime.timedelta(days=settings.REPORT_JOB_DAYS),
        file=name,
        error="",
    )
    if not written:
        # Taken over while this delivery looked dead: the newer attempt writes the outcome (and
        # the same file name).
        logger.warning("Report job %s attempt %s was taken over; leaving it", job_id, attempt)
        return "finished"
    tell_owners(job_ids=[job_id])
    return "done"


class JobRefused(Exception):
    """The job cannot run for a reason its owner can read."""


def _claim(job: ReportJob) -> int | None:
    """queued → running, or a running job whose holder went quiet; the new attempt number."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)
    claimed = (
        ReportJob.objects.filter(pk=job.pk, attempt=job.attempt)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale))
        .update(
            status=JobStatus.RUNNING,
            attempt=F("attempt") + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            rows_done=0,
            error="",
        )
    )
    return job.attempt + 1 if claimed else None


def _build(job: ReportJob, attempt: int) -> tuple[int, str]:
    owner = job.owner
    if not owner.is_active:
        raise JobRefused("Your account is no longer active.")
    if not can_download_portfolio(owner):
        raise JobRefused(
            "The portfolio workbook is for executives, alliance leads and the head; you no "
            "longer have one of those roles."
        )
    params = QueryDict(mutable=True)
    for name, values in job.filters.items():
        params.setlist(name, values)
    query = PortfolioQuery(user=owner, params=params)
    total = query.count()
    _write(job.pk, attempt, rows_total=total)
    progress = ProgressWriter(job.pk, attempt, total)
    name = f"report-jobs/{job.pk}.xlsx"
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        rows = portfolio_workbook_build(query, out=out, progress=progress)
        _write(job.pk, attempt, rows_done=rows, progress=99)
        out.seek(0)
        # One file per job, whichever attempt writes it.
        default_storage.delete(name)
        name = default_storage.save(name, File(out, name=name))
    return rows, name


def _write(job_id: int, attempt: int, **fields) -> None:
    ReportJob.objects.filter(pk=job_id, attempt=attempt).update(
        heartbeat_at=timezone.now(), **fields
    )


class ProgressWriter:
    """The workbook builder's `progress(n)` callback: counts register rows and writes
    rows_done and progress (percent, at most 99 until the file is saved) when either has moved
    PROGRESS_STEP_PERCENT or PROGRESS_INTERVAL_SECONDS have passed since the last write."""

    def __init__(self, job_id: int, attempt: int, total: int, *, clock=time.monotonic):
        self.job_id, self.attempt, self.total, self.clock = job_id, attempt, total, clock
        self.done = 0
        self.written_percent = 0
        self.written_at = clock()
        self.writes = 0

    def percent(self) -> int:
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    def __call__(self, n: int = 1) -> None:
        self.done += n
        percent = self.percent()
        now = self.clock()
        if (
            percent - self.written_percent >= PROGRESS_STEP_PERCENT
            or now - self.written_at >= PROGRESS_INTERVAL_SECONDS
        ):
            _write(self.job_id, self.attempt, rows_done=self.done, progress=percent)
            self.written_percent, self.written_at = percent, now
            self.writes += 1


def _finish_failed(job_id: int, attempt: int, message: str) -> str:
    now = timezone.now()
    ReportJob.objects.filter(pk=job_id, attempt=attempt).update(
        status=JobStatus.FAILED, finished_at=now, heartbeat_at=now, error=message
    )
    tell_owners(job_ids=[job_id])
    return "failed"


TOLD_WITHIN = datetime.timedelta(days=2)


def tell_owners(*, job_ids: list[int] | None = None, now=None) -> int:
    """Each owner hears once that their job finished or failed: right after it does, and from
    housekeeping for jobs failed by other paths (a dead worker, the database gone)."""
    from notifications.choices import Kind
    from notifications.services import Message, notify_many

    now = now or timezone.now()
    jobs = ReportJob.objects.filter(status__in=(JobStatus.DONE, JobStatus.FAILED)).select_related(
        "owner"
    )
    if job_ids is not None:
        jobs = jobs.filter(pk__in=job_ids)
    else:
        jobs = jobs.filter(finished_at__gte=now - TOLD_WITHIN)
    messages = []
    for job in jobs:
        done = job.status == JobStatus.DONE
        messages.append(
            Message(
                recipient=job.owner,
                kind=Kind.JOB_FINISHED if done else Kind.JOB_FAILED,
                key=f"report_job:{job.pk}:{job.status}",
                text=f"Your portfolio workbook (job {job.pk}) is ready to download."
                if done
                else f"Your portfolio workbook (job {job.pk}) failed: {job.error}",
                about=job,
                api_path=f"/api/v1/reports/portfolio-jobs/{job.pk}/",
            )
        )
    return notify_many(messages)


def _give_back(job_id: int, attempt: int) -> None:
    """A transient error: the job goes back to queued for the retry (if the database lets us;
    otherwise the retry takes it over once it looks quiet)."""
    with contextlib.suppress(DatabaseError):
        ReportJob.objects.filter(pk=job_id, attempt=attempt).update(status=JobStatus.QUEUED)


def give_up(job_id: int, error: Exception) -> None:
    """The database kept failing: the job fails, if it can be written at all."""
    try:
        ReportJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error="The database was unavailable while the workbook was being made "
            f"({type(error).__name__}). Try again in a few minutes.",
        )
    except DatabaseError:
        logger.exception("Report job %s could not be marked failed", job_id)


def _filters_refused(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
    else:
        parts = error.messages
    return "The filters are no longer accepted (" + "; ".join(parts) + "). Queue it again."


# Housekeeping -------------------------------------------------------------------------------


def delete_expired_files(*, now=None) -> int:
    """Delete the files of jobs past expires_at; the jobs stay, expired (their file is a 410)."""
    now = now or timezone.now()
    deleted = 0
    expired = ReportJob.objects.filter(expires_at__lte=now).exclude(file="")
    for job_id, name in expired.values_list("pk", "file").iterator():
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Report job %s: could not delete %s", job_id, name)
            continue
        ReportJob.objects.filter(pk=job_id, file=name).update(file="")
        deleted += 1
    return deleted


def fail_abandoned(*, now=None) -> int:
    """Jobs nobody will finish: running with no sign of life for ABANDONED_AFTER, or queued for
    QUEUED_TOO_LONG (no worker consumes the exports queue, or the message was lost)."""
    now = now or timezone.now()
    stuck = ReportJob.objects.filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - ABANDONED_AFTER)
        | Q(status=JobStatus.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
    )
    return stuck.update(
        status=JobStatus.FAILED,
        finished_at=now,
        error="No worker finished the job (it stopped, or none is running); queue it again.",
    )


def housekeeping(*, now=None) -> dict:
    """What beat runs hourly: expired job files, abandoned jobs, expired idempotency keys."""
    return {
        "report_files_deleted": delete_expired_files(now=now),
        "report_jobs_abandoned": fail_abandoned(now=now),
        "idempotency_keys_purged": purge_expired_idempotency_keys(),
        "owners_told": tell_owners(now=now),
    }
