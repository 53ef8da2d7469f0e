"""What the front door puts on an alliance's page: who delivers each service (assignments)
and the open tasks, each a tab; and the services' names for the alliance's history."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from alliances.admin import StaffInline, register_alliance_inline
from alliances.admin_history import person, register_labels
from alliances.calendar import today
from config.display import badge, day, days_late

from .choices import TaskStatus
from .models import Assignment, Service, Task

CHOSEN = {
    "recommended": "Recommended",
    "override": "Chosen over the recommendation",
    "no_candidate": "No specialist free: the lead",
}
STATUS_VARIANTS = {
    TaskStatus.IN_PROGRESS: "info",
    TaskStatus.WAITING_ON_PARTNER: "warning",
    TaskStatus.BLOCKED: "danger",
    TaskStatus.DONE: "success",
}


class AssignmentsOfAllianceInline(StaffInline):
    """On the alliance's page: each service and who delivers it."""

    model = Assignment
    fk_name = "alliance"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["service_name", "assignee_name", "chosen", "assigned_on"]
    readonly_fields = fields
    tab = True
    tab_order = 20
    hide_title = True
    verbose_name_plural = "assignments"

    @admin.display(description="Service")
    def service_name(self, assignment):
        return assignment.service.name

    @admin.display(description="Assignee")
    def assignee_name(self, assignment):
        return person(assignment.assignee)

    @admin.display(description="How chosen")
    def chosen(self, assignment):
        how = (assignment.recommendation or {}).get("chosen", "")
        text = CHOSEN.get(how, "Assigned by hand")
        if assignment.override_reason:
            return f"{text}: {assignment.override_reason}"
        return text

    @admin.display(description="Assigned on")
    def assigned_on(self, assignment):
        return day(assignment.created_at)

    def get_queryset(self, request):
        rows = super().get_queryset(request).visible_to(request.user)
        return rows.select_related("service", "assignee").order_by("service__name", "pk")


class TasksOfAllianceInline(StaffInline):
    """On the alliance's page: its open tasks, soonest due first, overdue ones marked."""

    model = Task
    fk_name = "alliance"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["task", "service_name", "assignee_name", "due", "state"]
    readonly_fields = fields
    tab = True
    tab_order = 30
    hide_title = True
    per_page = 25
    verbose_name = "open task"
    verbose_name_plural = "open tasks"

    @admin.display(description="Task")
    def task(self, task):
        url = reverse("admin:resourcing_task_change", args=[task.pk])
        return format_html('<a href="{}" class="text-primary-600">{}</a>', url, task.title)

    @admin.display(description="Service")
    def service_name(self, task):
        return task.service.name

    @admin.display(description="Assignee")
    def assignee_name(self, task):
        return person(task.assignee)

    @admin.display(description="Due")
    def due(self, task):
        late = days_late((today() - task.due_date).days)
        return format_html("{} {}", day(task.due_date), late) if late else day(task.due_date)

    @admin.display(description="Status")
    def state(self, task):
        label = badge(task.get_status_display(), STATUS_VARIANTS.get(task.status, ""))
        if task.status == TaskStatus.BLOCKED and task.blocked_reason:
            return format_html("{} {}", label, task.blocked_reason)
        return label

    def get_queryset(self, request):
        rows = super().get_queryset(request).visible_to(request.user).open_work()
        return rows.select_related("service", "assignee").order_by("due_date", "pk")


register_alliance_inline(AssignmentsOfAllianceInline)
register_alliance_inline(TasksOfAllianceInline)
register_labels(
    "service",
    lambda codes: dict(Service.objects.filter(code__in=codes).values_list("code", "name")),
)
