import django_filters

from config.api.filters import DateFilter, IdFilter

from .choices import Rag, Trend
from .models import StatusReport


class StatusReportFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    rag = django_filters.MultipleChoiceFilter(choices=Rag.choices)
    trend = django_filters.MultipleChoiceFilter(choices=Trend.choices)
    month_after = DateFilter(field_name="month", lookup_expr="gte")
    month_before = DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = StatusReport
        fields = []
