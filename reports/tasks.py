"""Celery tasks: thin wrappers over reports.jobs. run_report_job goes to the `exports` queue
(CELERY_TASK_ROUTES); housekeeping runs on beat (the `housekeeping` periodic task)."""

from celery import shared_task

from . import jobs

# Transient database errors are retried this many times, waiting 5, 10, 20 s.
TRANSIENT_RETRIES = 3
# Retries in all, waits for another delivery that holds the job included.
MAX_RETRIES = 12
# A job still running after this long fails (SoftTimeLimitExceeded: "could not be made").
SOFT_TIME_LIMIT = 60 * 60


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=SOFT_TIME_LIMIT + 60,
)
def run_report_job(self, job_id: int) -> str:
    """Make report job `job_id`'s workbook; a delivery of a finished job does nothing."""
    try:
        return jobs.run_job(job_id)
    except jobs.Busy as busy:
        raise self.retry(countdown=busy.retry_in) from None
    except jobs.TRANSIENT_ERRORS as error:
        retries = self.request.retries
        if retries >= TRANSIENT_RETRIES:
            jobs.give_up(job_id, error)
            return "failed"
        raise self.retry(countdown=5 * 2**retries) from None


@shared_task
def housekeeping() -> dict:
    """Delete expired report files, fail abandoned jobs, purge expired idempotency keys."""
    return jobs.housekeeping()
