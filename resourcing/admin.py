"""Front-door admin: playbooks, specialists, intake triage. Same visibility and services as the
API."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from unfold import widgets

from alliances import admin_rules as rules
from alliances import services as alliance_services
from alliances.access import is_head
from alliances.admin import RoleAdmin, StaffInline
from alliances.calendar import today
from alliances.choices import ManagementModel, PurposeQuadrant, Stage
from config import display
from config.admin_errors import REFUSALS, refusal_message

from . import access, capacity, portal, selectors, services
from .capacity import HORIZON_WEEKS
from .choices import INTAKE_SLA_STATUSES, Complexity, Exclusion, IntakeStatus
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
        "weekly_capacity",
        "open_tasks",
        "utilisation",
        "state",
    ]
    list_filter = ["active", "services", "therapeutic_areas"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["services", "therapeutic_areas"]
    inlines = [LeaveInline]

    def get_queryset(self, request):
        return (
            selectors.specialist_list(user=request.user, horizon_weeks=UTILISATION_WEEKS)
            .prefetch_related(None)
            .prefetch_related("services", "therapeutic_areas", "leave_periods")
        )

    @admin.display(description=f"Utilisation, next {UTILISATION_WEEKS} weeks")
    def utilisation(self, specialist):
        share = selectors.utilisation(specialist, weeks=UTILISATION_WEEKS)
        if share is None:
            return display.badge("No capacity (on leave)", "warning")
        text = f"{share:.0%}"
        if share > 1:
            return display.badge(f"{text}: over capacity", "warning")
        if specialist.open_tasks >= specialist.wip_limit:
            return display.badge(f"{text}: at the work-in-progress limit", "warning")
        return text

    @admin.display(description="State", ordering="active")
    def state(self, specialist):
        return "Active" if specialist.active else display.badge("Inactive", "warning")

    @admin.display(description="Services")
    def skills(self, specialist):
        return ", ".join(service.name for service in specialist.services.all()) or display.EMPTY

    @admin.display(description="Capacity", ordering="weekly_capacity_hours")
    def weekly_capacity(self, specialist):
        return f"{display.hours(specialist.weekly_capacity_hours)} a week"

    @admin.display(description="Open tasks", ordering="open_tasks")
    def open_tasks(self, specialist):
        return f"{specialist.open_tasks} of {specialist.wip_limit}"

    def get_urls(self):
        view = self.admin_site.admin_view(self.capacity_view)
        return [path("capacity/", view, name="capacity"), *super().get_urls()]

    def capacity_view(self, request):
        """Demand against capacity per service and per specialist: the API's capacity
        report, for leads and the head (403 for anyone else, as in the API)."""
        if not access.can_see_all_specialists(request.user):
            raise PermissionDenied
        weeks = _weeks(request.GET.get("weeks"))
        report = capacity.capacity_report(user=request.user, weeks=weeks)
        names = dict(Service.objects.values_list("code", "name"))
        return render(
            request,
            "admin/resourcing/capacity.html",
            {
                **self.admin_site.each_context(request),
                "title": "Capacity",
                "opts": self.model._meta,
                "weeks": weeks,
                "week_choices": [4, 8, 12, 26, 52],
                **present_capacity(report, names),
            },
        )

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


def _weeks(raw) -> int:
    """The horizon asked for, as the API's `weeks` (1 to 52), else the default."""
    if raw and raw.isdigit() and 1 <= int(raw) <= 52:
        return int(raw)
    return HORIZON_WEEKS


def _share(ratio) -> int:
    return 0 if ratio is None else round(ratio * 100)


def present_capacity(report: dict, names: dict[str, str]) -> dict:
    services_ = []
    for row in report["services"]:
        with_pipeline = _share(row["utilisation_with_pipeline"])
        services_.append(
            {
                "name": names.get(row["service"], row["service"]),
                "specialists": row["specialists"],
                "capacity": display.hours(row["capacity_hours"]),
                "demand": display.hours(row["demand_hours"]),
                "pipeline": display.hours(row["pipeline_hours"]),
                "share": _share(row["utilisation"]),
                "with_pipeline": with_pipeline,
                "bar": min(with_pipeline, 100),
                "no_capacity": row["utilisation"] is None,
                "over": row["over_allocated"],
            }
        )
    people = []
    for row in report["specialists"]:
        share = _share(row["utilisation"])
        people.append(
            {
                "name": row["user"]["full_name"] or row["user"]["username"],
                "active": row["active"],
                "services": ", ".join(names.get(code, code) for code in row["services"]),
                "capacity": display.hours(row["capacity_hours"]),
                "demand": display.hours(row["demand_hours"]),
                "share": share,
                "bar": min(share, 100),
                "no_capacity": row["utilisation"] is None,
                "open_tasks": row["open_tasks"],
                "wip_limit": row["wip_limit"],
                "overdue": row["overdue_tasks"],
                "at_limit": row["open_tasks"] >= row["wip_limit"],
                "over": row["demand_hours"] > row["capacity_hours"],
                "on_leave": bool(row["leave"]),
            }
        )
    horizon = report["horizon"]
    return {
        "services": services_,
        "people": people,
        "start": display.day(datetime.date.fromisoformat(horizon["start"])),
        "end": display.day(datetime.date.fromisoformat(horizon["end"])),
    }


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


# The triage page ----------------------------------------------------------------------------

# Only these exclusions still allow an override; the service refuses the others.
OVERRIDABLE = {Exclusion.ON_LEAVE, Exclusion.AT_WIP_LIMIT}


def _label(choices, code) -> str:
    try:
        return choices(code).label
    except ValueError:
        return str(code)


def _number(value) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def candidate_reasons(candidate: dict) -> list[str]:
    """Why a candidate scores what they score, in words, factor by factor."""
    factors, points = candidate["factors"], candidate["points"]
    last = factors.get("last_assigned_at")
    return [
        ("Works in this therapeutic area" if factors["therapeutic_area_match"]
         else "Does not work in this therapeutic area")
        + f" (+{_number(points['therapeutic_area'])})",
        f"{display.hours(factors['remaining_capacity_hours'])} free of "
        f"{display.hours(factors['capacity_hours'])} over the work's window, "
        f"{display.hours(factors['needed_hours'])} needed (+{_number(points['capacity'])})",
        f"{factors['open_tasks']} open tasks of a limit of {factors['wip_limit']} "
        f"(+{_number(points['wip'])})",
        (f"Has worked with this partner before ({factors['partner_assignments']} assignments)"
         if factors["partner_assignments"] else "Has not worked with this partner before")
        + f" (+{_number(points['continuity'])})",
        f"Last assigned {display.day(datetime.datetime.fromisoformat(last))}"
        if last else "Never assigned yet",
    ]  # fmt: skip


def present_model(model: dict) -> dict:
    inputs = model["inputs"]
    value = inputs.get("estimated_value")
    threshold = inputs.get("dedicated_value_threshold")
    currency = inputs.get("currency") or ""
    return {
        "label": _label(ManagementModel, model["recommended"]),
        "rule": model["rule"],
        "reason": model["reason"],
        "inputs": [
            ("Purpose", _label(PurposeQuadrant, inputs["purpose_quadrant"])),
            ("Complexity", _label(Complexity, inputs["complexity"])),
            ("Estimated value", display.money(Decimal(value), currency) if value else "Not given"),
            (
                "Value for a dedicated manager",
                display.money(Decimal(threshold), currency)
                if threshold
                else "No threshold for this currency",
            ),
        ],
        "notes": [
            factor["note"]
            for factor in (model.get("factors") or {}).values()
            if isinstance(factor, dict) and factor.get("note")
        ],
    }


def present_recommendation(recommendation: dict, names: dict[str, str]) -> dict:
    """The recommendation (live, or as stored with a decision) in words: labels, names, money
    and hours as the screens show them, each service's candidates ranked with their scores
    and everyone else with why not."""
    chosen = recommendation.get("chosen") or {}
    sections = []
    for section in recommendation["services"]:
        code = section["service"]
        candidates = section["candidates"]
        top = candidates[0] if candidates else None
        window = section["window"]
        rows = [
            [
                str(c["rank"]),
                c["user"]["full_name"],
                _number(c["score"]),
                "Yes" if c["factors"]["therapeutic_area_match"] else "No",
                f"{display.hours(c['factors']['remaining_capacity_hours'])} of "
                f"{display.hours(c['factors']['capacity_hours'])}",
                f"{c['factors']['open_tasks']} of {c['factors']['wip_limit']}",
                str(c["factors"]["partner_assignments"] or "No"),
                display.day(datetime.datetime.fromisoformat(c["factors"]["last_assigned_at"]))
                if c["factors"]["last_assigned_at"]
                else "Never",
            ]
            for c in candidates
        ]
        excluded = [
            [e["user"]["full_name"], "; ".join(_label(Exclusion, r) for r in e["reasons"])]
            for e in section["excluded"]
            if Exclusion.LACKS_SKILL not in e["reasons"]
        ]
        lacking = sum(1 for e in section["excluded"] if Exclusion.LACKS_SKILL in e["reasons"])
        decision = chosen.get(code)
        sections.append(
            {
                "code": code,
                "name": names.get(code, code),
                "window": f"{display.day(datetime.date.fromisoformat(window['start']))} to "
                f"{display.day(datetime.date.fromisoformat(window['end']))}",
                "effort": display.hours(section["effort_hours"]),
                "top": top,
                "reasons": candidate_reasons(top) if top else [],
                "table": {
                    "headers": [
                        "Rank",
                        "Specialist",
                        "Score (of 100)",
                        "Area match",
                        "Free capacity",
                        "Open tasks",
                        "Partner before",
                        "Last assigned",
                    ],
                    "rows": rows,
                },
                "excluded": {"headers": ["Specialist", "Why not a candidate"], "rows": excluded},
                "lacking": lacking,
                "decision": _present_choice(decision) if decision else None,
            }
        )
    return {
        "model": present_model(recommendation["management_model"]),
        "services": sections,
        "taken_at": (
            display.moment(datetime.datetime.fromisoformat(recommendation["taken_at"]))
            if recommendation.get("taken_at")
            else None
        ),
    }


def _present_choice(decision: dict) -> str:
    if decision["chosen"] == "override":
        return (
            f"{decision['assignee']} was chosen instead of the recommendation: "
            f"{decision['override_reason']}"
        )
    if decision["chosen"] == "recommended":
        return f"{decision['assignee']}, the recommended specialist, was assigned."
    return f"No specialist could take it: {decision['assignee']} (the lead) was assigned."


class AcceptForm(forms.Form):
    """Accept with the recommendation as the starting point: model, services, overrides; only
    the requested services are offered."""

    management_model = forms.ChoiceField(
        label="Management model",
        choices=ManagementModel.choices,
        widget=widgets.UnfoldAdminSelectWidget(),
    )
    alliance_name = forms.CharField(
        label="Alliance name",
        max_length=120,
        required=False,
        help_text="Leave it empty to use the request's title. Up to 120 characters.",
        widget=widgets.UnfoldAdminTextInputWidget(),
    )
    stage = forms.ChoiceField(
        label="Stage",
        choices=Stage.choices,
        initial=Stage.PRE_POC,
        widget=widgets.UnfoldAdminSelectWidget(),
    )

    def __init__(self, *args, intake, recommendation, services, **kwargs):
        super().__init__(*args, **kwargs)
        recommended = recommendation["management_model"]["recommended"]
        self.fields["management_model"].initial = recommended
        self.fields[
            "management_model"
        ].help_text = f"Recommended: {_label(ManagementModel, recommended)}."
        requested = [service for service in services if service.code in self._codes(intake)]
        self.fields["services"] = forms.MultipleChoiceField(
            label="Services to set up",
            choices=[(s.code, s.name) for s in requested],
            initial=[s.code for s in requested],
            widget=widgets.UnfoldAdminCheckboxSelectMultipleWidget(),
            help_text="The services the requester asked for; untick any the alliance will not "
            "need.",
            error_messages={"required": "Choose at least one service."},
        )
        self.by_code = {s.code: s for s in requested}
        self.override_rows = []
        sections = {section["service"]: section for section in recommendation["services"]}
        for service in requested:
            section = sections.get(service.code, {"candidates": [], "excluded": []})
            top = section["candidates"][0]["user"]["full_name"] if section["candidates"] else None
            choices = [("", f"Keep the recommendation ({top})" if top else "Keep: the lead")]
            choices += [
                (
                    str(c["id"]),
                    f"{c['rank']}. {c['user']['full_name']}, score {_number(c['score'])}",
                )
                for c in section["candidates"][1:]
            ]
            choices += [
                (
                    str(e["id"]),
                    f"{e['user']['full_name']}: "
                    + "; ".join(_label(Exclusion, r).lower() for r in e["reasons"]),
                )
                for e in section["excluded"]
                if set(e["reasons"]) <= OVERRIDABLE
            ]
            self.fields[f"override_{service.code}"] = forms.ChoiceField(
                label=f"{service.name}: someone instead of the recommendation",
                choices=choices,
                required=False,
                widget=widgets.UnfoldAdminSelectWidget(),
            )
            self.fields[f"reason_{service.code}"] = forms.CharField(
                label=f"Why someone else for {service.name}",
                max_length=4000,
                required=False,
                widget=widgets.UnfoldAdminTextInputWidget(),
                help_text="Needed when you choose someone other than the recommendation.",
            )
            self.override_rows.append(
                (self[f"override_{service.code}"], self[f"reason_{service.code}"])
            )

    @staticmethod
    def _codes(intake) -> set[str]:
        return {service.code for service in intake.requested_services.all()}

    def clean(self):
        data = super().clean()
        chosen = {}
        for code in data.get("services") or []:
            pick = data.get(f"override_{code}")
            if not pick:
                continue
            reason = (data.get(f"reason_{code}") or "").strip()
            if not reason:
                self.add_error(
                    f"reason_{code}", "Say why you choose someone other than the recommendation."
                )
            chosen[code] = (int(pick), reason)
        people = Specialist.objects.select_related("user").in_bulk(
            [pick for pick, _ in chosen.values()]
        )
        self.chosen = {
            code: {"specialist": people[pick], "reason": reason}
            for code, (pick, reason) in chosen.items()
            if pick in people
        }
        return data

    def accepted_services(self) -> list:
        return [self.by_code[code] for code in self.cleaned_data["services"]]

    def show_refusal(self, error) -> None:
        """The service's refusal beside the field it concerns (overrides.X.* -> override_X)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, refusal_message(error))
            return
        for key, problems in error.message_dict.items():
            parts = key.split(".")
            if parts[0] == "overrides" and len(parts) > 1:
                field = f"reason_{parts[1]}" if parts[-1] == "reason" else f"override_{parts[1]}"
            else:
                field = key
            self.add_error(field if field in self.fields else None, problems)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why you decline",
        max_length=4000,
        widget=widgets.UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="The requester reads this.",
        error_messages={"required": "Say why you decline."},
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label="Question for the requester",
        max_length=4000,
        widget=widgets.UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="The request waits for their answer; its triage time starts again then.",
        error_messages={"required": "Write the question."},
    )


NOT_TRIAGER = "Only alliance leads triage requests (the head, if it is confidential)."


def next_to_triage(*, user, after):
    """The oldest request awaiting triage that `user` may triage, by its SLA: where the
    triage page goes after a decision."""
    waiting = IntakeRequest.objects.visible_to(user).awaiting_triage().exclude(pk=after.pk)
    if not is_head(user):
        waiting = waiting.filter(confidential=False)
    return waiting.order_by("sla_due", "submitted_at", "pk").first()


@admin.register(IntakeRequest)
class IntakeRequestAdmin(rules.ReadOnlyRules, RoleAdmin):
    list_display = [
        "title_link",
        "requester_name",
        "therapeutic_area",
        "status_label",
        "sla",
        "triage_button",
    ]
    list_display_links = None
    list_filter = ["status", SlaFilter, "therapeutic_area", "complexity", "confidential"]
    search_fields = ["title", "partner_name", "partner__name"]
    list_select_related = ["requester", "therapeutic_area"]
    ordering = ["sla_due", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="Request", ordering="title")
    def title_link(self, intake):
        url = reverse("admin:resourcing_intakerequest_triage", args=[intake.pk])
        lock = " (confidential)" if intake.confidential else ""
        return format_html('<a href="{}">{}</a>{}', url, intake.title, lock)

    @admin.display(description="Requester", ordering="requester__last_name")
    def requester_name(self, intake):
        return intake.requester.get_full_name() or intake.requester.get_username()

    @admin.display(description="Status", ordering="status")
    def status_label(self, intake):
        return portal.status_badge(intake)

    @admin.display(description="Triage due", ordering="sla_due")
    def sla(self, intake):
        if intake.status not in INTAKE_SLA_STATUSES:
            return display.EMPTY
        late = (today() - intake.sla_due).days
        return display.days_late(late) if late >= 0 else f"by {display.day(intake.sla_due)}"

    @admin.display(description="")
    def triage_button(self, intake):
        url = reverse("admin:resourcing_intakerequest_triage", args=[intake.pk])
        text = "Triage" if intake.status in INTAKE_SLA_STATUSES else "Open"
        return format_html(
            '<a href="{}" class="bg-primary-600 font-medium inline-block px-2 py-1 '
            'rounded-default text-white whitespace-nowrap">{}</a>',
            url,
            text,
        )

    def get_urls(self):
        triage = self.admin_site.admin_view(self.triage_view)
        return [
            path("<int:pk>/triage/", triage, name="resourcing_intakerequest_triage"),
            *portal.urls(self),
            *super().get_urls(),
        ]

    def triage_view(self, request, pk):
        if not self.has_view_permission(request):
            # A requester reaches their own request (from a notice's link) on the portal.
            if IntakeRequest.objects.filter(pk=pk, requester=request.user).exists():
                return redirect("admin:portal_request", pk)
            raise PermissionDenied
        intake = get_object_or_404(selectors.intake_detail_queryset(user=request.user), pk=pk)
        allowed = access.can_triage(request.user, intake)
        do = request.POST.get("do") if request.method == "POST" else None
        undecided = intake.status not in (IntakeStatus.ACCEPTED, IntakeStatus.DECLINED)
        live = (
            selectors.intake_recommendation(intake=intake, user=request.user)
            if allowed and undecided
            else None
        )
        names = dict(Service.objects.values_list("code", "name"))
        in_triage = allowed and intake.status == IntakeStatus.TRIAGE
        forms_ = {
            "accept": AcceptForm(
                request.POST if do == "accept" else None,
                intake=intake,
                recommendation=live,
                services=list(Service.objects.order_by("name")),
            )
            if in_triage
            else None,
            "decline": DeclineForm(request.POST if do == "decline" else None)
            if in_triage
            else None,
            "request_info": QuestionForm(request.POST if do == "request_info" else None)
            if in_triage
            else None,
        }
        if do is not None:
            done = self._decide(request, intake, do, allowed, forms_)
            if done is not None:
                return done
        return render(
            request,
            "admin/resourcing/triage.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Triage: {intake.title}",
                "intake": intake,
                "opts": self.model._meta,
                "can_triage": allowed,
                "status": portal.status_badge(intake),
                "sla": self.sla(intake) if intake.status in INTAKE_SLA_STATUSES else "",
                "partner": intake.partner.name if intake.partner else intake.partner_name,
                "services": ", ".join(
                    names.get(s.code, s.code) for s in intake.requested_services.all()
                ),
                "recommendation": present_recommendation(live, names) if live else None,
                # Who was weighed, and their load, is for those who triage (as in the API).
                "stored": present_recommendation(intake.decision_recommendation, names)
                if allowed and intake.decision_recommendation
                else None,
                "accept_form": forms_["accept"],
                "decline_form": forms_["decline"],
                "question_form": forms_["request_info"],
                "changelist": reverse("admin:resourcing_intakerequest_changelist"),
            },
        )

    def _decide(self, request, intake, do, allowed, forms_):
        """A decision's redirect (the next request in the queue), or None to show the page
        again with the form's errors beside their fields."""
        if not allowed:
            self.message_user(request, NOT_TRIAGER, messages.ERROR)
            return redirect(request.path)
        if do == "triage":
            try:
                services.intake_triage(actor=request.user, intake=intake)
            except REFUSALS as error:
                self.message_user(request, refusal_message(error), messages.ERROR)
            else:
                self.message_user(request, f"Triage started on \u201c{intake.title}\u201d.")
            return redirect(request.path)
        form = forms_.get(do)
        if form is None:
            self.message_user(
                request,
                f"This request is {intake.get_status_display().lower()}: that cannot be done now.",
                messages.ERROR,
            )
            return redirect(request.path)
        if not form.is_valid():
            return None
        try:
            message = self._write(request, intake, do, form)
        except REFUSALS as error:
            if hasattr(form, "show_refusal"):
                form.show_refusal(error)
            else:
                form.add_error(None, refusal_message(error))
            return None
        following = next_to_triage(user=request.user, after=intake)
        if following is None:
            self.message_user(request, format_html("{} No more requests await triage.", message))
            return redirect("admin:resourcing_intakerequest_changelist")
        self.message_user(
            request, format_html("{} Next: \u201c{}\u201d.", message, following.title)
        )
        return redirect("admin:resourcing_intakerequest_triage", following.pk)

    def _write(self, request, intake, do, form):
        data = form.cleaned_data
        if do == "decline":
            services.intake_decline(actor=request.user, intake=intake, reason=data["reason"])
            return format_html("Declined \u201c{}\u201d.", intake.title)
        if do == "request_info":
            services.intake_request_info(
                actor=request.user, intake=intake, question=data["question"]
            )
            return format_html(
                "Asked the requester of \u201c{}\u201d; it waits for their answer.", intake.title
            )
        result = services.intake_accept(
            actor=request.user,
            intake=intake,
            management_model=data["management_model"],
            services=form.accepted_services(),
            overrides=form.chosen,
            alliance_fields={"name": data["alliance_name"], "stage": data["stage"]},
        )
        alliance = result["alliance"]
        return format_html(
            'Accepted as <a class="underline" href="{}">{}</a>: \u201c{}\u201d, with {} and {}.',
            reverse("admin:alliances_alliance_change", args=[alliance.pk]),
            f"{alliance.code} {alliance.name}",
            intake.title,
            display.count(len(result["assignments"]), "assignment"),
            display.count(len(result["tasks"]), "task"),
        )


# The queue and the task pages (registers AssignmentAdmin and TaskAdmin); the alliance page's
# assignments and tasks.
from . import admin_alliance, admin_tasks  # noqa: E402, F401
