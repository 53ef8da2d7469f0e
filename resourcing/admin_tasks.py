"""Assignments and tasks in the admin: the specialists' queue and each task's page. Same
visibility, rules and services as the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from alliances import access as alliance_access
from alliances import admin_rules as rules
from alliances.admin import RoleAdmin
from alliances.calendar import today
from alliances.choices import Role
from alliances.models import ActivityLog
from config import display
from config.admin_errors import REFUSALS, refusal_message

from . import access, machines, selectors, services
from .choices import OPEN_WORK, TaskStatus
from .models import Assignment, Task
from .querysets import open_work_q, task_overdue_q


class ReadOnlyAdmin(rules.ReadOnlyRules, RoleAdmin):
    """Assignments and tasks are written by the front door's services, not edited here."""


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else display.EMPTY


def alliance_link(alliance):
    return format_html(
        '<a class="text-primary-600 dark:text-primary-500" href="{}">{}</a>',
        reverse("admin:alliances_alliance_change", args=[alliance.pk]),
        alliance,
    )


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["who", "on_alliance", "service_name", "since"]
    list_filter = ["service"]
    search_fields = ["alliance__code", "alliance__name", "assignee__username"]
    list_select_related = ["alliance", "service", "assignee"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="Who", ordering="assignee__username")
    def who(self, obj):
        return person(obj.assignee)

    @admin.display(description="Alliance", ordering="alliance__code")
    def on_alliance(self, obj):
        return alliance_link(obj.alliance)

    @admin.display(description="Service", ordering="service__name")
    def service_name(self, obj):
        return obj.service.name

    @admin.display(description="Since", ordering="created_at")
    def since(self, obj):
        return display.day(obj.created_at)


class WhoseTasksFilter(admin.SimpleListFilter):
    """Specialists land on their own open work; everyone can switch to all they may see."""

    title = "whose tasks"
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


# A task's page and its queue -----------------------------------------------------------------

# The moves on a task, in the order their buttons show; what each does is machines.TASK_ACTIONS
# and where it may come from is machines.TASK.
MOVES = {
    "start": "Start",
    "wait_on_partner": "Wait on partner",
    "block": "Block",
    "complete": "Complete",
    "reopen": "Reopen",
}
MANAGER_MOVES = {"reassign": "Reassign", "cancel": "Cancel"}
LABELS = {**MOVES, **MANAGER_MOVES}
DONE_MESSAGES = {
    "start": "Started",
    "wait_on_partner": "Waiting on the partner",
    "block": "Blocked",
    "complete": "Completed",
    "reopen": "Reopened",
    "reassign": "Reassigned",
    "cancel": "Cancelled",
}
ASKS = {"block", "cancel", "reassign"}  # these ask for a reason (and reassign for whom) first
ROW_MOVES = ["start", "complete"]  # one click from the queue
STATUS_VARIANTS = {
    TaskStatus.OPEN: "",
    TaskStatus.IN_PROGRESS: "info",
    TaskStatus.WAITING_ON_PARTNER: "warning",
    TaskStatus.BLOCKED: "danger",
    TaskStatus.DONE: "success",
    TaskStatus.CANCELLED: "",
}
HISTORY_WORDS = {
    "created": "created the task",
    "updated": "edited the task",
    "task_start": "started it",
    "task_wait_on_partner": "set it waiting on the partner",
    "task_block": "blocked it",
    "task_complete": "completed it",
    "task_cancel": "cancelled it",
    "task_reopen": "reopened it",
    "task_reassigned": "reassigned it",
    "task_handed_over": "handed it over",
}


def moves_allowed(user, task) -> list[str]:
    """The moves on the task's page: those its state allows (the task machine's edges), for
    the assignee, leads and the head; reassign and cancel for leads and the head only
    (access.can_act_on_task, access.can_manage_tasks, as the API)."""
    allowed = []
    if access.can_act_on_task(user, task):
        allowed += [
            name for name in MOVES if machines.TASK.can(task.status, machines.TASK_ACTIONS[name])
        ]
    if access.can_manage_tasks(user, task):
        if task.status in OPEN_WORK:
            allowed.append("reassign")
        if machines.TASK.can(task.status, machines.TASK_ACTIONS["cancel"]):
            allowed.append("cancel")
    return allowed


def status_badge(task):
    return display.badge(task.get_status_display(), STATUS_VARIANTS.get(task.status, ""))


def due_badge(task, day):
    late = (day - task.due_date).days if task.status in OPEN_WORK else None
    return display.days_late(late) if late is not None else ""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=4000,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )

    def __init__(self, *args, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = help_text


class BlockForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "help_text", "What it is waiting for; the reason is shown in every queue."
        )
        super().__init__(*args, **kwargs)


class ReassignForm(forms.Form):
    """To an active specialist delivering the task's service; the service says whether they
    may take it (services.assignee_refusal, as the API)."""

    assignee = forms.ModelChoiceField(
        label="Reassign to", queryset=None, widget=UnfoldAdminSelectWidget
    )
    reason = forms.CharField(
        label="Reason",
        max_length=4000,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="Why it moves; the new assignee is told.",
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                specialist_profile__active=True,
                specialist_profile__services=task.service_id,
            )
            .exclude(pk=task.assignee_id)
            .order_by("first_name", "last_name", "username")
        )
        field.label_from_instance = person
        field.help_text = f"Active specialists for {task.service.name}."


BUTTON = (
    "font-medium inline-flex items-center gap-1 rounded-default justify-center "
    "whitespace-nowrap px-2.5 py-1.5 border border-base-200 bg-white shadow-xs text-important "
    "cursor-pointer hover:bg-base-100/80 dark:border-base-700 dark:bg-transparent "
    "dark:hover:bg-base-800/80"
)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "due_date"]  # per reader: get_list_display
    list_display_links = None  # the title column links to the task's page itself
    list_filter = [WhoseTasksFilter, OpenWorkFilter, "status", "service", "priority"]
    search_fields = ["title", "alliance__code", "alliance__name", "assignee__username"]
    actions = ["start_selected", "complete_selected", "block_selected"]
    change_form_template = "admin/resourcing/task_change_form.html"
    list_before_template = "admin/resourcing/task_list_before.html"
    list_per_page = 50

    def get_queryset(self, request):
        return selectors.task_list(user=request.user).annotate(
            late=Case(
                When(task_overdue_q(today()), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )

    def get_ordering(self, request):
        # The queue's order: overdue first. Filtered on open work, overdue or closed, every
        # task is late or none is: by due date alone is the same order, read in the index.
        if request.GET.get(OpenWorkFilter.parameter_name) in {"yes", "overdue", "no"}:
            return ["due_date", "priority_rank", "pk"]
        return ["late", "due_date", "priority_rank", "pk"]

    def changelist_view(self, request, extra_context=None):
        # A specialist's default view is their own queue.
        if (
            request.method == "GET"
            and not request.GET
            and Role.SPECIALIST in alliance_access.roles_of(request.user)
        ):
            return redirect(f"{request.path}?whose=mine&open=yes")
        if request.GET.get("whose") == "mine":
            extra_context = {"title": "My work", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # The queue's columns ---------------------------------------------------------------------

    def get_list_display(self, request):
        day = today()
        here = request.get_full_path()
        user = request.user

        @admin.display(description="Task", ordering="title")
        def task(obj):
            blocked = (
                format_html(
                    '<div class="mt-1 text-red-600 dark:text-red-500">'
                    '<span class="font-semibold">Blocked:</span> {}</div>',
                    obj.blocked_reason,
                )
                if obj.status == TaskStatus.BLOCKED
                else ""
            )
            return format_html(
                '<div class="whitespace-normal"><a class="font-semibold text-primary-600 '
                'dark:text-primary-500" href="{}">{}</a>'
                '<div class="text-base-500 dark:text-base-400">{} · {}</div>{}</div>',
                reverse("admin:resourcing_task_change", args=[obj.pk]),
                obj.title,
                obj.alliance,
                obj.service.name,
                blocked,
            )

        @admin.display(description="Status", ordering="status")
        def status(obj):
            return status_badge(obj)

        @admin.display(description="Due", ordering="due_date")
        def due(obj):
            return format_html(
                '<div class="flex flex-wrap items-center gap-2">'
                '<span class="whitespace-nowrap">{}</span>{}</div>',
                display.day(obj.due_date),
                due_badge(obj, day),
            )

        @admin.display(description="Assignee", ordering="assignee__username")
        def assignee(obj):
            return person(obj.assignee)

        @admin.display(description="Do")
        def do(obj):
            if not access.can_act_on_task(user, obj):
                return ""
            buttons = [
                (
                    reverse("admin:resourcing_task_move", args=[obj.pk, name]),
                    here,
                    f"{MOVES[name]}: {obj.title}",
                    MOVES[name],
                )
                for name in ROW_MOVES
                if machines.TASK.can(obj.status, machines.TASK_ACTIONS[name])
            ]
            # The changelist is one form (with its CSRF token): each button posts it to its move.
            html = format_html_join(
                "",
                '<button type="submit" form="changelist-form" formmethod="post" '
                f'formaction="{{}}" name="next" value="{{}}" aria-label="{{}}" class="{BUTTON}">'
                "{}</button>",
                buttons,
            )
            return format_html('<div class="flex gap-2">{}</div>', html) if buttons else ""

        columns = [task, status, due]
        if alliance_access.manages_alliances(user):
            columns.append(assignee)
        return [*columns, do]

    # A task's page ---------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/move/<slug:move>/",
                self.admin_site.admin_view(self.move_view),
                name="resourcing_task_move",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        task = self.get_object(request, object_id)
        if task is None:
            raise Http404("No such task.")
        allowed = moves_allowed(request.user, task)

        def buttons(names):
            return [
                (
                    reverse("admin:resourcing_task_move", args=[task.pk, name]),
                    LABELS[name],
                    name,
                )
                for name in names
            ]

        extra_context = {
            **(extra_context or {}),
            "task": task,
            "status_badge": status_badge(task),
            "due_badge": due_badge(task, today()),
            "alliance_link": alliance_link(task.alliance),
            "assignee_name": person(task.assignee),
            "one_click": buttons(name for name in allowed if name not in ASKS),
            "asking": buttons(name for name in allowed if name in ASKS),
            "history": self._history(task),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _history(self, task) -> list[dict]:
        """The task's own entries, newest first: seen by whoever sees the task (it is fetched
        through the visibility rule before this is called)."""
        entries = list(
            ActivityLog.objects.filter(
                content_type=ContentType.objects.get_for_model(Task), object_id=task.pk
            ).select_related("actor")[:50]
        )
        moved_to = {
            pk
            for entry in entries
            for pk in (entry.changes or {}).get("assignee", [])
            if isinstance(pk, int)
        }
        names = (
            {user.pk: person(user) for user in get_user_model().objects.filter(pk__in=moved_to)}
            if moved_to
            else {}
        )
        rows = []
        for entry in entries:
            what = HISTORY_WORDS.get(entry.verb, entry.verb.replace("_", " "))
            change = (entry.changes or {}).get("assignee")
            if entry.verb != "created" and change and len(change) == 2 and change[1] in names:
                what = f"{what} to {names[change[1]]}"
            rows.append(
                {
                    "when": display.moment(entry.created_at),
                    "who": person(entry.actor),
                    "what": what,
                    "note": entry.note,
                }
            )
        return rows

    def _next(self, request, fallback: str) -> str:
        target = request.POST.get("next") or request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return fallback

    def _move_form(self, request, move, task):
        data = request.POST if request.method == "POST" else None
        if move == "reassign":
            return ReassignForm(data, task=task)
        if move == "block":
            return BlockForm(data)
        if move == "cancel":
            return ReasonForm(data, help_text="Why the work is no longer needed.")
        return forms.Form(data)

    def move_view(self, request, pk, move):
        """One move on one task, through the same rules and services as the API: a refusal
        is a message (or the form's error), never a 500."""
        if move not in LABELS:
            raise Http404("No such move.")
        task = get_object_or_404(self.get_queryset(request), pk=pk)
        page = reverse("admin:resourcing_task_change", args=[task.pk])
        back = self._next(request, page)
        if move in MANAGER_MOVES:
            allowed = access.can_manage_tasks(request.user, task)
            refusal = "only alliance leads and the head do this."
        else:
            allowed = access.can_act_on_task(request.user, task)
            refusal = "only its assignee, alliance leads and the head act on it."
        if not allowed:
            self.message_user(request, f"Not changed: {refusal}", messages.ERROR)
            return redirect(page)
        form = self._move_form(request, move, task)
        if request.method == "POST" and form.is_valid():
            try:
                self._write(request, move, task, form.cleaned_data)
            except REFUSALS as error:
                if move not in ASKS:
                    message = f"Not changed: {refusal_message(error)}"
                    self.message_user(request, message, messages.ERROR)
                    return redirect(back)
                try:
                    form.add_error(None, error)
                except (TypeError, ValueError):
                    form.add_error(None, refusal_message(error))
            else:
                self.message_user(request, f"{DONE_MESSAGES[move]}: {task.title}", messages.SUCCESS)
                return redirect(back)
        return render(
            request,
            "admin/resourcing/task_move.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{LABELS[move]}: {task.title}",
                "task": task,
                "original": task,  # the breadcrumb leads back to the task
                "status_badge": status_badge(task),
                "due_badge": due_badge(task, today()),
                "form": form,
                "submit_label": LABELS[move],
                "danger": move in {"block", "cancel"},
                "back": back,
                "opts": self.model._meta,
            },
        )

    def _write(self, request, move, task, data):
        if move == "reassign":
            return services.task_reassign(
                actor=request.user, task=task, assignee=data["assignee"], reason=data["reason"]
            )
        return services.task_move(
            actor=request.user, task=task, action=move, reason=data.get("reason", "")
        )

    # Bulk moves from the queue ---------------------------------------------------------------

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
            self.message_user(request, f"{display.count(moved, 'task')} updated.", messages.SUCCESS)
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
