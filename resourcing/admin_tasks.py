"""Assignments and tasks in the admin: the specialists' queue and each task's page. Same
visibility and services as the API."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render

from alliances import access as alliance_access
from alliances import admin_rules as rules
from alliances.admin import RoleAdmin
from alliances.choices import Role
from config.admin_errors import REFUSALS, refusal_message

from . import access, selectors, services
from .models import Assignment, Task
from .querysets import open_work_q


class ReadOnlyAdmin(rules.ReadOnlyRules, RoleAdmin):
    """Assignments and tasks are written by the front door's services, not edited here."""


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["alliance", "service", "assignee", "created_at"]
    list_filter = ["service"]
    search_fields = ["alliance__code", "alliance__name", "assignee__username"]
    list_select_related = ["alliance", "service", "assignee"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class WhoseTasksFilter(admin.SimpleListFilter):
    """Specialists land on their own open work; everyone can switch to all they may see."""

    title = "whose"
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        return [("mine", "My tasks"), ("all", "All I can see")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assignee=request.user)
        return queryset


class OpenWorkFilter(admin.SimpleListFilter):
    title = "open work"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open work"), ("overdue", "Overdue"), ("no", "Done or cancelled")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open_work()
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(open_work_q())
        return queryset


class BlockForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "alliance", "service", "assignee", "status", "due_date", "priority"]
    list_filter = [WhoseTasksFilter, OpenWorkFilter, "status", "service", "priority"]
    search_fields = ["title", "alliance__code", "alliance__name", "assignee__username"]
    list_select_related = ["alliance", "service", "assignee"]
    actions = ["start_selected", "complete_selected", "block_selected"]

    def get_queryset(self, request):
        return selectors.task_list(user=request.user)

    def get_ordering(self, request):
        return ["due_date", "priority_rank", "pk"]  # the queue's order

    def changelist_view(self, request, extra_context=None):
        # A specialist's default view is their own queue.
        if (
            request.method == "GET"
            and not request.GET
            and Role.SPECIALIST in alliance_access.roles_of(request.user)
        ):
            return redirect(f"{request.path}?whose=mine&open=yes")
        return super().changelist_view(request, extra_context)

    def _move_each(self, request, queryset, action: str, reason: str = "") -> None:
        moved, refused = 0, []
        for task in queryset.select_related("alliance"):
            if not access.can_act_on_task(request.user, task):
                refused.append(f"{task.title}: only its assignee, leads and the head act on it")
                continue
            try:
                services.task_move(actor=request.user, task=task, action=action, reason=reason)
                moved += 1
            except REFUSALS as error:
                refused.append(f"{task.title}: {refusal_message(error)}")
        if moved:
            self.message_user(request, f"{moved} task(s) updated.", messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, f"Not changed, {refusal}", messages.ERROR)

    @admin.action(description="Start selected tasks")
    def start_selected(self, request, queryset):
        self._move_each(request, queryset, "start")

    @admin.action(description="Complete selected tasks")
    def complete_selected(self, request, queryset):
        self._move_each(request, queryset, "complete")

    @admin.action(description="Block selected tasks (asks for a reason)")
    def block_selected(self, request, queryset):
        form = BlockForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._move_each(request, queryset, "block", form.cleaned_data["reason"])
            return None
        return render(
            request,
            "admin/resourcing/block_tasks.html",
            {
                **self.admin_site.each_context(request),
                "title": "Block selected tasks",
                "tasks": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
