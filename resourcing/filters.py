import django_filters

from alliances.models import TherapeuticArea
from config.api.filters import BooleanFilter, CodeFilter, DateFilter, IdFilter, UserIdFilter

from .choices import Complexity, IntakeStatus, Priority, TaskStatus
from .models import IntakeRequest, Service, Specialist, Task
from .querysets import intake_overdue_q, open_work_q, task_overdue_q


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
    submitted_at_after = DateFilter(field_name="submitted_at__date", lookup_expr="gte")
    submitted_at_before = DateFilter(field_name="submitted_at__date", lookup_expr="lte")
    desired_start_date_after = DateFilter(field_name="desired_start_date", lookup_expr="gte")
    desired_start_date_before = DateFilter(field_name="desired_start_date", lookup_expr="lte")
    sla_due_after = DateFilter(field_name="sla_due", lookup_expr="gte")
    sla_due_before = DateFilter(field_name="sla_due", lookup_expr="lte")

    class Meta:
        model = IntakeRequest
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(intake_overdue_q()) if value else queryset.exclude(intake_overdue_q())
        )


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


class TaskFilter(django_filters.FilterSet):
    assignee = UserIdFilter(field_name="assignee_id")
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices)
    open = BooleanFilter(
        method="filter_open", label="Open work: open, in progress, waiting, blocked"
    )
    overdue = BooleanFilter(method="filter_overdue", label="Open work past its due date")
    service = CodeFilter(
        field_name="service__code", to_field_name="code", queryset=Service.objects.all()
    )
    alliance = IdFilter(field_name="alliance_id")
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    due_date_after = DateFilter(field_name="due_date", lookup_expr="gte")
    due_date_before = DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Task
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(open_work_q()) if value else queryset.exclude(open_work_q())

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(task_overdue_q()) if value else queryset.exclude(task_overdue_q())
