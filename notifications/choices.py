from django.db import models


class Kind(models.TextChoices):
    """What a notification is about; each user chooses per kind how email reaches them."""

    WORK_ASSIGNED = "work_assigned", "Work assigned to you"
    REQUEST_NEEDS_INFO = "request_needs_info", "Your request needs information"
    REQUEST_ANSWERED = "request_answered", "A request was answered"
    REQUEST_ACCEPTED = "request_accepted", "Your request was accepted"
    REQUEST_DECLINED = "request_declined", "Your request was declined"
    TRIAGE_DUE = "triage_due", "Triage due tomorrow"
    TRIAGE_BREACHED = "triage_breached", "Triage SLA breached"
    TASKS_OVERDUE = "tasks_overdue", "Your overdue tasks"
    REPORT_DUE = "report_due", "Status report due"
    JOB_FINISHED = "job_finished", "Export ready"
    JOB_FAILED = "job_failed", "Export failed"
    OBLIGATION_DUE = "obligation_due", "Obligation due soon"
    OBLIGATION_OVERDUE = "obligation_overdue", "Obligation overdue"
    NOTICE_DUE = "notice_due", "Agreement notice date approaching"


class Delivery(models.TextChoices):
    """How email reaches a user for one kind; the inbox always has it."""

    IMMEDIATELY = "immediately", "Immediately"
    DAILY_DIGEST = "daily_digest", "In the daily digest"
    OFF = "off", "No email"
