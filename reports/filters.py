import django_filters

from config.api.filters import IdFilter

from .choices import Rag, Trend
from .models import StatusReport


class StatusReportFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    rag = django_filters.MultipleChoiceFilter(choices=Rag.choices)
    trend = django_filters.MultipleChoiceFilter(choices=Trend.choices)
    month_after = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_before = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = StatusReport
        fields = []
