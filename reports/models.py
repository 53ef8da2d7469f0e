from django.conf import settings
from django.db import models

from alliances.models import Alliance
from alliances.querysets import AllianceOwnedQuerySet
from config.constraints import PythonCheckedConstraints
from config.dates import DateInRange

from .choices import JobStatus, Rag, Trend


class StatusReport(PythonCheckedConstraints, models.Model):
    """An alliance's status for one month: RAG, trend, a headline and the story behind it."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="status_reports")
    month = models.DateField(
        help_text="The first day of the month reported on.", validators=[DateInRange()]
    )
    rag = models.CharField(max_length=10, choices=Rag.choices)
    trend = models.CharField(max_length=10, choices=Trend.choices)
    headline = models.CharField(max_length=200)
    narrative = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AllianceOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "alliance"]
        indexes = [
            # An alliance's reports, the latest first; with the RAG, the latest RAG (the home's
            # grid, the RAG changes) without reading the table.
            models.Index(fields=["alliance", "-month", "rag"], name="status_report_latest_idx"),
            # The home's RAG mix by month without reading the table (the alliance for the
            # visibility rule).
            models.Index(fields=["month", "rag", "alliance"], name="status_report_rag_mix_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "month"], name="status_report_one_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="status_report_month_first_day"
            ),
            models.CheckConstraint(
                condition=models.Q(rag__in=Rag.values), name="status_report_rag_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(trend__in=Trend.values), name="status_report_trend_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} {self.month:%Y-%m}: {self.rag}"


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportJobQuerySet":
        """A job is its owner's alone (the workbook was made with their visibility)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class ReportJob(PythonCheckedConstraints, models.Model):
    """A portfolio workbook made in the background, for its owner, with the filters they gave.
    queued → running → done | failed; the file is kept until expires_at, then deleted."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    filters = models.JSONField(
        default=dict, blank=True, help_text="The query parameters it runs with: {name: [values]}."
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent, 0-100.")
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, for the person who asked.")
    file = models.FileField(upload_to="report-jobs/", max_length=300, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Which delivery holds the job (a new one claims it only once the holder stops beating).
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="report_job_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_job_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"Portfolio job {self.pk} for {self.owner_id}: {self.status}"

    def is_expired(self, now) -> bool:
        """A finished job whose file has gone (or is due to go)."""
        return self.status == JobStatus.DONE and (
            not self.file or (self.expires_at is not None and self.expires_at <= now)
        )
