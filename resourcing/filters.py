import django_filters
from django.db.models import Q

from alliances.calendar import today
from alliances.models import TherapeuticArea
from config.api.filters import BooleanFilter, CodeFilter, IdFilter, UserIdFilter

from .choices import INTAKE_SLA_STATUSES, Complexity, IntakeStatus
from .models import IntakeRequest, Service, Specialist


def overdue_q() -> Q:
    return Q(status__in=INTAKE_SLA_STATUSES, sla_due__lt=today())


class IntakeRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=IntakeStatus.choices)
    therapeutic_area = CodeFilter(
        field_name="therapeutic_area__code",
        to_field_name="code",
        queryset=TherapeuticArea.objects.all(),
    )
    complexity = django_filters.MultipleChoiceFilter(choices=Complexity.choices)
    requester = UserIdFilter(field_name="requester_id")
    partner = IdFilter(field_name="partner_id")
    confidential = BooleanFilter()
    overdue = BooleanFilter(method="filter_overdue", label="Waiting for triage past its SLA")
    service = CodeFilter(
        field_name="requested_services__code", to_field_name="code", queryset=Service.objects.all()
    )
    submitted_at_after = django_filters.DateFilter(
        field_name="submitted_at__date", lookup_expr="gte"
    )
    submitted_at_before = django_filters.DateFilter(
        field_name="submitted_at__date", lookup_expr="lte"
    )
    desired_start_date_after = django_filters.DateFilter(
        field_name="desired_start_date", lookup_expr="gte"
    )
    desired_start_date_before = django_filters.DateFilter(
        field_name="desired_start_date", lookup_expr="lte"
    )
    sla_due_after = django_filters.DateFilter(field_name="sla_due", lookup_expr="gte")
    sla_due_before = django_filters.DateFilter(field_name="sla_due", lookup_expr="lte")

    class Meta:
        model = IntakeRequest
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class SpecialistFilter(django_filters.FilterSet):
    service = CodeFilter(
        field_name="services__code", to_field_name="code", queryset=Service.objects.all()
    )
    therapeutic_area = CodeFilter(
        field_name="therapeutic_areas__code",
        to_field_name="code",
        queryset=TherapeuticArea.objects.all(),
    )
    active = BooleanFilter()

    class Meta:
        model = Specialist
        fields = []
