from django.conf import settings
from django.db import models

from alliances.models import Alliance
from alliances.querysets import AllianceOwnedQuerySet
from config.dates import DateInRange

from .choices import Rag, Trend


class StatusReport(models.Model):
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
        indexes = [models.Index(fields=["alliance", "-month"])]
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
