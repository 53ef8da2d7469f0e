"""The latest status report on every alliance row, and the filters on it: registered with
alliances.extensions so the alliances list carries them in its one query."""

import datetime
import functools

import django_filters
from django.conf import settings
from django.db.models import Exists, FilteredRelation, OuterRef, Q, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliances.calendar import today
from alliances.choices import Status
from config.api.filters import BooleanFilter

from .choices import Rag, Trend
from .models import StatusReport


def _latest(field: str) -> Subquery:
    return Subquery(
        StatusReport.objects.filter(alliance=OuterRef("pk")).order_by("-month").values(field)[:1]
    )


def with_latest(alliances):
    """Alliances joined to their latest status report as `latest` (latest__rag, ...): one
    join on the (alliance, month) index, cheaper than ranking every report."""
    newest = (
        StatusReport.objects.filter(alliance=OuterRef("pk")).order_by("-month").values("month")[:1]
    )
    return alliances.annotate(
        latest=FilteredRelation(
            "status_reports", condition=Q(status_reports__month=Subquery(newest))
        )
    )


@functools.cache
def _latest_columns() -> dict:
    # Built once: every alliance list's serializer asks for the columns' fields, and a queryset
    # resolves (copies) an expression when annotating, never changing it.
    return {
        "latest_rag": _latest("rag"),
        "latest_trend": _latest("trend"),
        "latest_headline": _latest("headline"),
        "latest_report_month": _latest("month"),
    }


def annotations() -> dict:
    columns = _latest_columns()
    return {
        "latest_rag": (
            columns["latest_rag"],
            serializers.ChoiceField(choices=Rag.choices, read_only=True, allow_null=True),
        ),
        "latest_trend": (
            columns["latest_trend"],
            serializers.ChoiceField(choices=Trend.choices, read_only=True, allow_null=True),
        ),
        "latest_headline": (
            columns["latest_headline"],
            serializers.CharField(read_only=True, allow_null=True),
        ),
        "latest_report_month": (
            columns["latest_report_month"],
            serializers.DateField(read_only=True, allow_null=True),
        ),
    }


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return month_start(month - datetime.timedelta(days=1))


def next_month(month: datetime.date) -> datetime.date:
    return month_start(month + datetime.timedelta(days=32))


def due_month(day: datetime.date) -> datetime.date:
    """The month whose report is due: last month once STATUS_REPORT_DUE_DAY has passed, else
    the month before it."""
    last = previous_month(month_start(day))
    return last if day.day > settings.STATUS_REPORT_DUE_DAY else previous_month(last)


def missing_q(day: datetime.date) -> Q:
    """Alliances that owe a report: not closed, started by the end of the due month, and with
    no report for it."""
    month = due_month(day)
    reported = Exists(StatusReport.objects.filter(alliance=OuterRef("pk"), month=month))
    started = Q(start_date__isnull=True) | Q(start_date__lt=next_month(month))
    return ~Q(status=Status.CLOSED) & started & ~reported


def _filter_missing(queryset, name, value):
    if value is None:
        return queryset
    missing = missing_q(today())
    return queryset.filter(missing) if value else queryset.exclude(missing)


@extend_schema_field(OpenApiTypes.STR)
class LatestRagFilter(django_filters.MultipleChoiceFilter):
    """The RAG of the alliance's latest status report (annotated here if the list is not)."""

    def filter(self, qs, value):
        if value and "latest_rag" not in qs.query.annotations:
            qs = qs.annotate(latest_rag=_latest("rag"))
        return super().filter(qs, value)


def filters() -> dict:
    return {
        "rag": LatestRagFilter(field_name="latest_rag", choices=Rag.choices),
        "report_missing": BooleanFilter(
            method=_filter_missing,
            label="No status report for the month due (after STATUS_REPORT_DUE_DAY)",
        ),
    }
