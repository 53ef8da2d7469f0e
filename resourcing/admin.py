"""Front-door admin: playbooks, specialists, intake triage. Same visibility and services as the
API."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from alliances import admin_rules as rules
from alliances import services as alliance_services
from alliances.admin import RoleAdmin, StaffInline
from alliances.calendar import today
from alliances.choices import ManagementModel, Stage
from config.admin_errors import REFUSALS, refusal_message

from . import access, selectors, services
from .capacity import HORIZON_WEEKS
from .choices import IntakeStatus
from .models import IntakeRequest, LeavePeriod, Service, Specialist, TaskTemplate


class TaskTemplateInline(StaffInline):
    model = TaskTemplate
    extra = 0
    fields = ["title", "anchor", "offset_days", "effort_hours", "priority", "description"]
    add_rule = change_rule = delete_rule = staticmethod(rules.head)


@admin.register(Service)
class ServiceAdmin(RoleAdmin):
    """Services and their playbooks; the head edits them."""

    list_display = ["name", "code", "steps"]
    search_fields = ["name", "code"]
    inlines = [TaskTemplateInline]
    readonly_fields = ["code"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(step_count=Count("templates"))

    @admin.display(description="Playbook steps", ordering="step_count")
    def steps(self, service):
        return service.step_count

    # Services are fixed (the code relies on their codes); the head edits their playbooks.
    add_rule = delete_rule = staticmethod(rules.nobody)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        alliance_services.reference_update(actor=request.user, instance=obj, data=data)

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for step in formset.deleted_forms:
            template = step.cleaned_data.get("id")
            if template is not None:
                alliance_services.reference_delete(actor=request.user, instance=template)
                formset.deleted_objects.append(template)
        for step in formset.forms:
            if step in formset.deleted_forms or not step.has_changed():
                continue
            fields = {k: v for k, v in step.cleaned_data.items() if k not in ("id", "DELETE")}
            if step.instance.pk is None:
                fields["service"] = form.instance
                formset.new_objects.append(
                    alliance_services.reference_create(
                        actor=request.user, model=TaskTemplate, data=fields
                    )
                )
            else:
                changed = {k: fields[k] for k in step.changed_data if k in fields}
                alliance_services.reference_update(
                    actor=request.user, instance=step.instance, data=changed
                )
                formset.changed_objects.append((step.instance, step.changed_data))


def _changes_specialists(user, obj=None) -> bool:
    return access.can_change_specialists(user)


class LeaveInline(StaffInline):
    model = LeavePeriod
    extra = 0
    fields = ["start", "end", "note"]
    add_rule = change_rule = delete_rule = staticmethod(_changes_specialists)


UTILISATION_WEEKS = HORIZON_WEEKS  # the capacity horizon


@admin.register(Specialist)
class SpecialistAdmin(RoleAdmin):
    list_display = [
        "__str__",
        "skills",
        "weekly_capacity_hours",
        "wip_limit",
        "open_tasks",
        "utilisation",
        "active",
    ]
    list_filter = ["active", "services", "therapeutic_areas"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["services", "therapeutic_areas"]
    inlines = [LeaveInline]

    def get_queryset(self, request):
        return selectors.specialist_list(user=request.user, horizon_weeks=UTILISATION_WEEKS)

    @admin.display(description=f"Utilisation, next {UTILISATION_WEEKS} weeks")
    def utilisation(self, specialist):
        share = selectors.utilisation(specialist, weeks=UTILISATION_WEEKS)
        if share is None:
            return "no capacity (leave)"
        flag = " ⚠" if share > 1 or specialist.open_tasks >= specialist.wip_limit else ""
        return f"{share:.0%}{flag}"

    @admin.display(description="Services")
    def skills(self, specialist):
        return ", ".join(service.code for service in specialist.services.all())

    @admin.display(description="Open tasks", ordering="open_tasks")
    def open_tasks(self, specialist):
        return specialist.open_tasks

    add_rule = change_rule = staticmethod(_changes_specialists)
    delete_rule = staticmethod(rules.nobody)  # deactivate instead: history refers to them

    def save_model(self, request, obj, form, change):
        """Saved with its relations in save_related, through the service."""

    def save_related(self, request, form, formsets, change):
        data = {
            name: form.cleaned_data[name]
            for name in (
                "services",
                "therapeutic_areas",
                "weekly_capacity_hours",
                "wip_limit",
                "active",
            )
        }
        leave = formsets[0]
        data["leave_periods"] = [
            {k: f.cleaned_data[k] for k in ("start", "end", "note")}
            for f in leave.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        leave.new_objects, leave.changed_objects, leave.deleted_objects = [], [], []
        if change:
            services.specialist_update(actor=request.user, specialist=form.instance, data=data)
        else:
            created = services.specialist_create(
                actor=request.user, data={"user": form.cleaned_data["user"], **data}
            )
            form.instance.pk = created.pk


class SlaFilter(admin.SimpleListFilter):
    title = "triage SLA"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("due_today", "Due today"), ("on_time", "Due later")]

    def queryset(self, request, queryset):
        waiting = queryset.awaiting_triage()
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "due_today":
            return waiting.filter(sla_due=today())
        if self.value() == "on_time":
            return waiting.filter(sla_due__gt=today())
        return queryset


class AcceptForm(forms.Form):
    """Accept with the recommendation as the starting point: model, services, overrides."""

    management_model = forms.ChoiceField(choices=ManagementModel.choices)
    alliance_name = forms.CharField(max_length=120, required=False, help_text="Default: the title.")
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.PRE_POC)

    def __init__(self, *args, intake, recommendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["management_model"].initial = recommendation["management_model"]["recommended"]
        requested = list(intake.requested_services.all())
        self.fields["services"] = forms.ModelMultipleChoiceField(
            queryset=Service.objects.all(),
            to_field_name="code",
            initial=[s.code for s in requested],
            widget=forms.CheckboxSelectMultiple,
        )
        self.override_fields = []
        for service in Service.objects.order_by("name"):
            self.fields[f"override_{service.code}"] = forms.ModelChoiceField(
                queryset=Specialist.objects.filter(active=True, services=service).select_related(
                    "user"
                ),
                required=False,
                label=f"{service.name}: instead of the recommendation",
            )
            self.fields[f"reason_{service.code}"] = forms.CharField(
                required=False, label="Why", max_length=4000
            )
            self.override_fields.append(
                (self[f"override_{service.code}"], self[f"reason_{service.code}"])
            )

    def overrides(self) -> dict:
        result = {}
        for service in self.cleaned_data["services"]:
            specialist = self.cleaned_data.get(f"override_{service.code}")
            if specialist is not None:
                reason = self.cleaned_data.get(f"reason_{service.code}", "").strip()
                if not reason:
                    raise ValidationError(
                        {f"overrides.{service.code}.reason": ["Say why you override."]}
                    )
                result[service.code] = {"specialist": specialist, "reason": reason}
        return result


class TriageForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


@admin.register(IntakeRequest)
class IntakeRequestAdmin(rules.ReadOnlyRules, RoleAdmin):
    list_display = [
        "id",
        "title",
        "requester",
        "therapeutic_area",
        "status",
        "sla_due",
        "overdue",
        "triage_link",
    ]
    list_filter = ["status", SlaFilter, "therapeutic_area", "complexity", "confidential"]
    search_fields = ["title", "partner_name", "partner__name"]
    list_select_related = ["requester", "therapeutic_area"]
    ordering = ["sla_due", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(boolean=True, description="Overdue")
    def overdue(self, intake):
        return intake.is_overdue(today())

    @admin.display(description="")
    def triage_link(self, intake):
        url = reverse("admin:resourcing_intakerequest_triage", args=[intake.pk])
        return format_html('<a href="{}">Triage</a>', url)

    def get_urls(self):
        triage = self.admin_site.admin_view(self.triage_view)
        return [
            path("<int:pk>/triage/", triage, name="resourcing_intakerequest_triage"),
            *super().get_urls(),
        ]

    def triage_view(self, request, pk):
        intake = get_object_or_404(selectors.intake_detail_queryset(user=request.user), pk=pk)
        allowed = access.can_triage(request.user, intake)
        form = TriageForm(request.POST or None)
        recommendation = (
            selectors.intake_recommendation(intake=intake, user=request.user) if allowed else None
        )
        accept_form = (
            AcceptForm(
                request.POST if request.POST.get("do") == "accept" else None,
                intake=intake,
                recommendation=recommendation,
            )
            if allowed and intake.status == IntakeStatus.TRIAGE
            else None
        )
        if request.method == "POST":
            if not allowed:
                self.message_user(
                    request,
                    "Only alliance leads triage requests (the head, if it is confidential).",
                    messages.ERROR,
                )
            elif request.POST.get("do") == "accept":
                if accept_form is None:
                    self.message_user(
                        request, f"This request is {intake.status}: it cannot be accepted now.",
                        messages.ERROR,
                    )  # fmt: skip
                    return redirect(request.path)
                accepted = self._accept(request, intake, accept_form)
                if accepted is not None:
                    return redirect("admin:alliances_alliance_change", accepted.pk)
            elif form.is_valid():
                self._act(request, intake, request.POST.get("do"), form.cleaned_data)
            if request.POST.get("do") != "accept" or accept_form.is_valid():
                return redirect(request.path)
        return render(
            request,
            "admin/resourcing/triage.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Triage: {intake.title}",
                "intake": intake,
                "opts": self.model._meta,
                "form": form,
                "can_triage": allowed,
                "IntakeStatus": IntakeStatus,
                "recommendation": recommendation,
                "accept_form": accept_form,
            },
        )

    def _accept(self, request, intake, form):
        if not form.is_valid():
            self.message_user(request, "Check the accept form below.", messages.ERROR)
            return None
        try:
            result = services.intake_accept(
                actor=request.user,
                intake=intake,
                management_model=form.cleaned_data["management_model"],
                services=list(form.cleaned_data["services"]),
                overrides=form.overrides(),
                alliance_fields={
                    "name": form.cleaned_data["alliance_name"],
                    "stage": form.cleaned_data["stage"],
                },
            )
        except REFUSALS as error:
            self.message_user(request, refusal_message(error), messages.ERROR)
            return None
        alliance = result["alliance"]
        self.message_user(
            request,
            f"Accepted as {alliance.code} {alliance.name}: {len(result['assignments'])} "
            f"assignment(s), {len(result['tasks'])} task(s).",
            messages.SUCCESS,
        )
        return alliance

    def _act(self, request, intake, do: str, data: dict) -> None:
        actions = {
            "triage": lambda: services.intake_triage(actor=request.user, intake=intake),
            "decline": lambda: services.intake_decline(
                actor=request.user, intake=intake, reason=_required(data["reason"], "reason")
            ),
            "request_info": lambda: services.intake_request_info(
                actor=request.user, intake=intake, question=_required(data["question"], "question")
            ),
        }
        if do not in actions:
            self.message_user(request, "Choose an action.", messages.ERROR)
            return
        try:
            actions[do]()
        except REFUSALS as error:
            self.message_user(request, refusal_message(error), messages.ERROR)
        else:
            self.message_user(request, "Done.", messages.SUCCESS)


def _required(value: str, name: str) -> str:
    if not value.strip():
        raise ValidationError({name: [f"Give a {name}."]})
    return value


# The queue and the task pages (registers AssignmentAdmin and TaskAdmin).
from . import admin_tasks  # noqa: E402, F401
