"""Governance in the admin: a body's page with its members and meetings, a meeting's page with
its logistics steps, minutes, decisions and action items, and buttons that schedule,
reschedule, cancel and mark meetings held. The same visibility method and services as the API."""

import datetime
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold import widgets as unfold_widgets

from alliances import admin_rules as rules
from alliances.admin import RoleAdmin, StaffInline, register_alliance_inline
from alliances.calendar import today
from alliances.models import Alliance
from config import display
from config.admin_errors import REFUSALS, dry_run_refusal, refusal_message

from .agenda import agenda_for
from .api.calendar import site as feed_site
from .choices import (
    OPEN_OBLIGATION,
    ActionStatus,
    AgreementStatus,
    MeetingStatus,
    ObligationDirection,
    ObligationStatus,
    Side,
)
from .machines import AGREEMENT
from .models import (
    ActionItem,
    Agreement,
    AgreementStep,
    BodyMember,
    CalendarFeed,
    Decision,
    GovernanceBody,
    Meeting,
    MeetingStep,
    Obligation,
    PartnerContact,
    TrainingCompletion,
    TrainingCourse,
)
from .querysets import active_body_q, minutes_overdue_q, obligation_overdue_q
from .services import agreements as agreement_services
from .services import bodies as body_services
from .services import calendar as calendar_services
from .services import meetings as meeting_services
from .services import obligations as obligation_services
from .services import training as training_services


def _zone_city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _when(meeting) -> str:
    """A meeting's start in its own zone, as people read it: '2 Mar 2027 01:00 Asia/Tokyo'."""
    local = meeting.local_start
    return f"{local.strftime(display.DATETIME_FORMAT)} {meeting.time_zone.replace('_', ' ')}"


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else display.EMPTY


# The label look of each state (config.display.badge variants).
MEETING_VARIANTS = {
    MeetingStatus.SCHEDULED: "info",
    MeetingStatus.HELD: "primary",
    MeetingStatus.MINUTES_APPROVED: "success",
    MeetingStatus.CANCELLED: "",
}
AGREEMENT_VARIANTS = {
    AgreementStatus.PLANNED: "",
    AgreementStatus.DRAFTING: "info",
    AgreementStatus.NEGOTIATING: "info",
    AgreementStatus.EXECUTED: "success",
}
OBLIGATION_VARIANTS = {
    ObligationStatus.UPCOMING: "info",
    ObligationStatus.DUE: "primary",
    ObligationStatus.MET: "success",
    ObligationStatus.DISPUTED: "warning",
}
ACTION_VARIANTS = {ActionStatus.OPEN: "info", ActionStatus.DONE: "success"}


def _link(url: str, text):
    """A link that reads as one (in unfold's colour), in lists, inlines and read-only fields."""
    return format_html(
        '<a class="text-primary-600 dark:text-primary-500" href="{}">{}</a>', url, text
    )


def _two_lines(first, second):
    """A main text with a quieter line under it (a title and its kind)."""
    return format_html('{}<div class="text-xs text-base-500">{}</div>', first, second)


def status_badge(obj, variants: dict, field: str = "status"):
    """The state's label as a badge (never its code)."""
    value = getattr(obj, field)
    return display.badge(getattr(obj, f"get_{field}_display")(), variants.get(value, ""))


def _late(days: int, text: str = "overdue"):
    """A red '3 days overdue' badge; overdue by less than a day still counts one."""
    return display.days_late(max(days, 1), late=text)


# Partner contacts ----------------------------------------------------------------------------


@admin.register(PartnerContact)
class PartnerContactAdmin(RoleAdmin):
    list_display = ["name", "partner", "title", "email"]
    search_fields = ["name", "email", "partner__name"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    fields = ["partner", "name", "title", "email"]
    add_rule = change_rule = staticmethod(rules.managers)
    delete_rule = staticmethod(rules.nobody)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            body_services.partner_contact_update(actor=request.user, contact=obj, data=data)
        else:
            data = {name: form.cleaned_data[name] for name in self.fields}
            obj.pk = body_services.partner_contact_create(actor=request.user, data=data).pk


# Bodies --------------------------------------------------------------------------------------


class BodyForm(forms.ModelForm):
    current_user = None

    class Meta:
        model = GovernanceBody
        fields = [
            "alliance",
            "kind",
            "name",
            "parent",
            "min_meetings_per_year",
            "decision_rule",
            "chartered_on",
            "dissolved_on",
        ]
        labels = {"min_meetings_per_year": "Meetings a year (contract)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "alliance" in self.fields:
            self.fields["alliance"].queryset = Alliance.objects.visible_to(self.current_user)
        if "parent" in self.fields:
            bodies = GovernanceBody.objects.visible_to(self.current_user).select_related("alliance")
            if self.instance.pk:
                bodies = bodies.filter(alliance=self.instance.alliance_id).exclude(
                    pk=self.instance.pk
                )
            self.fields["parent"].queryset = bodies

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk:
            data = {name: cleaned.get(name) for name in self.changed_data}
            write = lambda: body_services.body_update(  # noqa: E731
                actor=self.current_user, body=self.instance, data=data
            )
        else:
            data = {name: cleaned.get(name) for name in self.Meta.fields}
            write = lambda: body_services.body_create(actor=self.current_user, data=data)  # noqa: E731
        refusal = dry_run_refusal(write)
        if refusal:
            raise ValidationError(refusal)
        return cleaned


class MemberForm(forms.ModelForm):
    class Meta:
        model = BodyMember
        fields = ["user", "contact", "role"]


class MemberFormSet(forms.BaseInlineFormSet):
    """Each added, changed or removed member goes through the services; a refusal (a second
    co-chair on one side, a contact of another partner...) is shown before anything is saved."""

    current_user = None

    def _write(self, member_form):
        data = member_form.cleaned_data
        if member_form in self.deleted_forms:
            member = data.get("id")
            return lambda: (
                member and body_services.body_member_remove(actor=self.current_user, member=member)
            )
        if member_form.instance.pk is None:
            return lambda: body_services.body_member_add(
                actor=self.current_user,
                body=self.instance,
                role=data["role"],
                user=data.get("user"),
                contact=data.get("contact"),
            )
        return lambda: body_services.body_member_update(
            actor=self.current_user, member=member_form.instance, role=data["role"]
        )

    def _changed(self):
        return [
            f for f in self.forms if f in self.deleted_forms or (f.has_changed() and f.cleaned_data)
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return

        def write_all():
            for member_form in self._changed():
                self._write(member_form)()

        refusal = dry_run_refusal(write_all)
        if refusal:
            raise ValidationError(refusal)

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for member_form in self._changed():
            self._write(member_form)()
        return []


class MemberInline(StaffInline):
    hide_title = True  # each row says what it is
    model = BodyMember
    verbose_name, verbose_name_plural = "member", "members"
    form = MemberForm
    formset = MemberFormSet
    extra = 0
    # Plain lists (a body's partner's contacts, the active users): each one named for screen
    # readers, which the autocomplete's own control is not.
    fields = ["user", "contact", "role", "side", "added_at"]
    readonly_fields = ["side", "added_at"]
    add_rule = change_rule = delete_rule = staticmethod(rules.managers)

    @admin.display(description="Side")
    def side(self, member):
        return Side(member.side).label if member.pk else ""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "contact__partner")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.current_user = request.user
        fields = formset.form.base_fields
        if "user" in fields:
            fields["user"].queryset = fields["user"].queryset.filter(is_active=True)
            fields["user"].label_from_instance = _person
        if "contact" in fields and obj is not None:
            fields["contact"].queryset = PartnerContact.objects.filter(
                partner=obj.alliance.partner_id
            ).select_related("partner")
        # A row's controls sit under the table's headings, not beside a label: name them.
        for name, field in fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(field.label or name))
        return formset


class MeetingInline(StaffInline):
    hide_title = True  # each row says what it is
    model = Meeting
    extra = 0
    fields = ["meeting", "when", "state", "minutes_state"]
    readonly_fields = fields
    ordering = ["-starts_at"]
    show_change_link = False

    @admin.display(description="Status")
    def state(self, meeting):
        return status_badge(meeting, MEETING_VARIANTS)

    @admin.display(description="Meeting")
    def meeting(self, meeting):
        url = reverse("admin:governance_meeting_change", args=[meeting.pk])
        return _link(url, meeting)

    @admin.display(description="Starts (local time)")
    def when(self, meeting):
        return _when(meeting)

    @admin.display(description="Minutes")
    def minutes_state(self, meeting):
        return _minutes_state(meeting)

    def get_queryset(self, request):
        meetings = super().get_queryset(request).select_related("minutes")
        return meetings.visible_to(request.user).with_minutes_overdue()


def _minutes_late_days(meeting) -> int:
    """Days since the minutes were due (MINUTES_APPROVAL_DAYS after the meeting's local day)."""
    due = meeting.local_start.date() + datetime.timedelta(days=_minutes_days())
    return (today() - due).days


def _minutes_state(meeting):
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        return "Approved by both sides"
    if meeting.status != MeetingStatus.HELD:
        return display.EMPTY
    minutes = getattr(meeting, "minutes", None)
    late = meeting.minutes_overdue  # annotated: querysets.minutes_overdue_q
    if minutes is None:
        text = "Not drafted"
    else:
        sides = [
            label
            for label, at in (
                ("ours", minutes.internal_approved_at),
                ("partner", minutes.partner_approved_at),
            )
            if at
        ]
        text = f"Approved by {sides[0]} only" if sides else "Draft, awaiting approval"
    if not late:
        return text
    return format_html("{} {}", text, _late(_minutes_late_days(meeting)))


def _minutes_days() -> int:
    from django.conf import settings

    return settings.MINUTES_APPROVAL_DAYS


def with_next_meeting(bodies):
    upcoming = Meeting.objects.filter(
        body=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
    ).order_by("starts_at")
    return bodies.annotate(
        next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
        next_meeting_zone=Subquery(upcoming.values("time_zone")[:1]),
    )


def _next_meeting(body) -> str:
    if body.next_meeting_at is None:
        return "—"
    zone = body.next_meeting_zone
    local = body.next_meeting_at.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{local.strftime(display.DATETIME_FORMAT)} {_zone_city(zone)} time"


class ActiveFilter(admin.SimpleListFilter):
    title = "active"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Active"), ("no", "Dissolved or not yet chartered")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(active_body_q())
        if self.value() == "no":
            return queryset.exclude(active_body_q())
        return queryset


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(RoleAdmin):
    form = BodyForm
    list_display = ["name", "alliance", "kind", "state", "cadence", "next_meeting"]
    list_filter = [ActiveFilter, "kind", "decision_rule"]
    search_fields = ["name", "alliance__code", "alliance__name"]
    list_select_related = ["alliance"]
    add_rule = change_rule = staticmethod(rules.managers)
    delete_rule = staticmethod(rules.nobody)
    inlines = [MemberInline, MeetingInline]

    def get_queryset(self, request):
        return with_next_meeting(super().get_queryset(request).visible_to(request.user))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    change_form_template = "admin/governance/governancebody/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return ["alliance"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return BodyForm.Meta.fields  # the alliance first, read-only once the body exists

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_schedule": rules.managers(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Meetings a year (contract)", ordering="min_meetings_per_year")
    def cadence(self, body):
        return body.min_meetings_per_year

    @admin.display(description="State")
    def state(self, body):
        day = today()
        if body.dissolved_on and body.dissolved_on <= day:
            return display.badge(f"Dissolved {display.day(body.dissolved_on)}")
        if body.chartered_on and body.chartered_on > day:
            return display.badge(f"Chartered from {display.day(body.chartered_on)}", "info")
        return display.badge("Active", "success")

    @admin.display(description="Next meeting", ordering="next_meeting_at")
    def next_meeting(self, body):
        return _next_meeting(body)

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            body_services.body_update(actor=request.user, body=obj, data=data)
        else:
            data = {name: form.cleaned_data[name] for name in BodyForm.Meta.fields}
            obj.pk = body_services.body_create(actor=request.user, data=data).pk

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset.save()


class BodiesOfAllianceInline(StaffInline):
    """On the alliance's page: its committees and each one's next meeting."""

    hide_title = True  # each row says what it is
    model = GovernanceBody
    extra = 0
    fields = ["body", "kind", "next_meeting"]
    readonly_fields = fields
    verbose_name = "governance body"
    verbose_name_plural = "governance bodies"
    tab = True

    @admin.display(description="Body")
    def body(self, body):
        url = reverse("admin:governance_governancebody_change", args=[body.pk])
        return _link(url, body.name)

    @admin.display(description="Next meeting")
    def next_meeting(self, body):
        return _next_meeting(body)

    def get_queryset(self, request):
        bodies = super().get_queryset(request).visible_to(request.user).filter(active_body_q())
        return with_next_meeting(bodies)


register_alliance_inline(BodiesOfAllianceInline)


def unfold_look(form):
    """Give a plain form's widgets unfold's look (as its ModelAdmin gives a model form's), so a
    button's form reads like the rest of the admin. Widgets already styled are left alone."""
    for field in form.fields.values():
        widget = field.widget
        if getattr(widget, "input_type", "") == "date" and not getattr(widget, "format", None):
            widget.format = "%Y-%m-%d"  # what a browser's date input reads
        if widget.attrs.get("class"):
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple):
            widget.__class__ = unfold_widgets.UnfoldAdminCheckboxSelectMultipleWidget
            widget.attrs["class"] = " ".join(unfold_widgets.CHECKBOX_CLASSES)
        elif isinstance(widget, forms.RadioSelect):
            widget.__class__ = unfold_widgets.UnfoldAdminRadioSelectWidget
            widget.radio_style = unfold_widgets.VERTICAL
            widget.attrs["class"] = " ".join(unfold_widgets.RADIO_CLASSES)
        elif isinstance(widget, forms.Select):
            widget.template_name = "unfold/widgets/select.html"
            widget.attrs["class"] = " ".join(unfold_widgets.SELECT_CLASSES)
        elif isinstance(widget, forms.Textarea):
            widget.attrs["class"] = " ".join(unfold_widgets.TEXTAREA_CLASSES)
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = " ".join(unfold_widgets.CHECKBOX_CLASSES)
        elif isinstance(widget, forms.widgets.Input) and widget.input_type != "hidden":
            widget.attrs["class"] = " ".join(unfold_widgets.INPUT_CLASSES)
    return form


class ButtonsMixin:
    """Buttons on an object's page, each a small form that calls one service: a refusal is
    shown on the form, a success goes back to the page. An admin names `button_names` (each
    has a `<name>_view`), says which apply to an object (`buttons`: `(name, label)` pairs, or
    `(name, label, variant)` with a variant of unfold's: primary, danger or default; white on
    its green or orange is too faint to read) and how to sum it up (`describe`). Only leads
    and the head use them unless `may_press` says otherwise.

    The page shows them as unfold's detail actions (`object_button_items`; `object_buttons`
    keeps the plain `(url, label)` pairs); each form page (admin/governance/action.html) gives
    its fields unfold's look, with each error beside its field."""

    button_names: list[str] = []
    button_icons: dict[str, str] = {}
    change_form_template = "admin/governance/buttons_change_form.html"

    def buttons(self, request, obj) -> list[tuple[str, str]]:
        return []

    def describe(self, obj) -> str:
        return str(obj)

    def may_press(self, request, obj, name: str) -> bool:
        """Whether the user may use the button `name` on `obj` (checked again on its form)."""
        return rules.managers(request.user)

    def _url_name(self, name: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_{name}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            *(
                path(
                    f"<int:pk>/{name}/",
                    view(getattr(self, f"{name}_view")),
                    name=self._url_name(name),
                )
                for name in self.button_names
            ),
            *super().get_urls(),
        ]

    def button_items(self, request, obj) -> list[dict]:
        """The buttons that apply to `obj`, as unfold's detail actions read them."""
        items = []
        for button in self.buttons(request, obj) if obj is not None else []:
            name, label, *rest = button
            items.append(
                {
                    "name": name,
                    "title": label,
                    "path": reverse(f"admin:{self._url_name(name)}", args=[obj.pk]),
                    "variant": rest[0] if rest else "default",
                    "icon": self.button_icons.get(name),
                }
            )
        return items

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        items = self.button_items(request, obj)
        extra_context = {
            **(extra_context or {}),
            "object_buttons": [(item["path"], item["title"]) for item in items],
            "object_button_items": items,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _action(
        self, request, pk, *, title, intro, form_class, write, about_object=False, initial=None
    ):
        """The form page of one button. `initial(obj)`, when given, fills the form first."""
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        match = request.resolver_match
        prefix = self._url_name("")
        name = match.url_name.removeprefix(prefix) if match and match.url_name else ""
        if not self.may_press(request, obj, name):
            raise PermissionDenied
        kwargs = {self.model._meta.model_name: obj} if about_object else {}
        if initial is not None:
            kwargs["initial"] = initial(obj)
        form = form_class(request.POST if request.method == "POST" else None, **kwargs)
        unfold_look(form)
        if request.method == "POST" and form.is_valid():
            try:
                write(obj, form.cleaned_data)
            except REFUSALS as error:
                form.add_error(None, refusal_message(error))
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                opts = self.model._meta
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        opts = self.model._meta
        return render(
            request,
            "admin/governance/action.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{title}: {obj}",
                "action_title": title,
                "intro": intro,
                "summary": self.describe(obj),
                "back": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
                "form": form,
                "submit_label": title,
                "opts": opts,
                "original": obj,
                "media": self.media + form.media,
            },
        )


# Meetings ------------------------------------------------------------------------------------


def _zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _aware(local: datetime.datetime, zone_name: str) -> datetime.datetime:
    """The local wall-clock time in `zone_name` as an aware datetime; a time the clocks skip
    (spring forward) is refused."""
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = local.replace(tzinfo=zone)
    back = aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    if back != local:
        raise ValidationError(
            f"{local.strftime(display.DATETIME_FORMAT)} does not exist in {zone_name} "
            "(the clocks change then)."
        )
    return aware


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock date and time, not yet in any zone (the form says which)."""

    def to_python(self, value):
        with timezone.override(datetime.UTC):  # UTC skips no hour
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result


class WhenForm(forms.Form):
    """A start as people give it: a local date and time in the meeting's time zone."""

    starts_local = LocalDateTimeField(
        label="Starts (local time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In the meeting's time zone.",
    )
    time_zone = forms.ChoiceField(label="Time zone", choices=_zone_choices)

    def clean(self):
        cleaned = super().clean()
        local, zone = cleaned.get("starts_local"), cleaned.get("time_zone")
        if local and zone:
            try:
                cleaned["starts_at"] = _aware(local, zone)
            except ValidationError as error:
                self.add_error("starts_local", error)
        return cleaned


class ScheduleForm(WhenForm, forms.ModelForm):
    current_user = None

    class Meta:
        model = Meeting
        fields = ["body", "title", "duration_minutes", "location", "call_link"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["time_zone"].initial = settings.PORTFOLIO_TIME_ZONE
        self.fields["body"].queryset = (
            GovernanceBody.objects.visible_to(self.current_user)
            .filter(active_body_q())
            .select_related("alliance")
        )
        self.fields["body"].label_from_instance = lambda body: f"{body.name} ({body.alliance})"
        self.order_fields(["body", "title", "starts_local", "time_zone"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = self.meeting_data()
        refusal = dry_run_refusal(
            lambda: meeting_services.meeting_schedule(actor=self.current_user, data=data)
        )
        if refusal:
            raise ValidationError(refusal)
        return cleaned

    def meeting_data(self) -> dict:
        cleaned = self.cleaned_data
        return {
            **{name: cleaned[name] for name in self.Meta.fields},
            "starts_at": cleaned["starts_at"],
            "time_zone": cleaned["time_zone"],
        }


class RescheduleForm(WhenForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Told to the log.")


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Its open logistics steps are cancelled with this reason.",
    )


class HeldForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        queryset=BodyMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Who attended, from both sides.",
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = meeting.body.members.select_related("user", "contact__partner")
        field.label_from_instance = lambda m: (
            f"{body_services._person(m)}, {m.get_role_display()} ({Side(m.side).label})"
        )


class ApproveForm(forms.Form):
    side = forms.ChoiceField(choices=Side.choices, widget=forms.RadioSelect)
    contact = forms.ModelChoiceField(
        queryset=PartnerContact.objects.none(),
        required=False,
        label="Approved at the partner by",
        help_text="For the partner's approval: who approved it there.",
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = PartnerContact.objects.filter(
            partner=meeting.alliance.partner_id
        )


class StepInline(StaffInline):
    hide_title = True  # each row says what it is
    model = MeetingStep
    extra = 0
    fields = ["step", "assignee", "due", "state"]
    readonly_fields = fields
    verbose_name = "logistics step"
    verbose_name_plural = "logistics steps"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("task__assignee")
            .order_by("task__due_date", "pk")
        )

    @admin.display(description="Step")
    def step(self, step):
        url = reverse("admin:resourcing_task_change", args=[step.task_id])
        return _link(url, step.task.title)

    @admin.display(description="Assignee")
    def assignee(self, step):
        return _person(step.task.assignee)

    @admin.display(description="Due")
    def due(self, step):
        task = step.task
        if task.is_overdue(today()):
            return format_html(
                "{} {}", display.day(task.due_date), _late((today() - task.due_date).days)
            )
        return display.day(task.due_date)

    @admin.display(description="Status")
    def state(self, step):
        task = step.task
        variant = {"done": "success", "blocked": "danger", "cancelled": ""}.get(task.status, "info")
        return display.badge(task.get_status_display(), variant)


class DecisionInline(StaffInline):
    hide_title = True  # each row says what it is
    model = Decision
    fk_name = "meeting"
    extra = 0
    fields = ["text", "result", "escalated_to"]
    readonly_fields = fields

    @admin.display(description="Outcome")
    def result(self, decision):
        variants = {"approved": "success", "rejected": "danger", "escalated": "warning"}
        return display.badge(decision.get_outcome_display(), variants.get(decision.outcome, ""))


class ActionItemInline(StaffInline):
    hide_title = True  # each row says what it is
    model = ActionItem
    extra = 0
    fields = ["title", "owner", "due", "state"]
    readonly_fields = fields
    verbose_name = "action item"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner_user", "owner_contact")

    @admin.display(description="Owner")
    def owner(self, item):
        if item.owner_user_id:
            return _person(item.owner_user)
        return f"{item.owner_contact.name} (partner)"

    @admin.display(description="Due")
    def due(self, item):
        if item.status == ActionStatus.OPEN and item.due_date < today():
            return format_html(
                "{} {}", display.day(item.due_date), _late((today() - item.due_date).days)
            )
        return display.day(item.due_date)

    @admin.display(description="Status")
    def state(self, item):
        return status_badge(item, ACTION_VARIANTS)


class MeetingStatusFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", "Upcoming"),
            ("past", "Past"),
            ("minutes_overdue", "Minutes overdue"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        if self.value() == "past":
            return queryset.filter(starts_at__lt=timezone.now())
        if self.value() == "minutes_overdue":
            return queryset.filter(minutes_overdue_q())
        return queryset


@admin.register(Meeting)
class MeetingAdmin(ButtonsMixin, RoleAdmin):
    empty_value_display = display.EMPTY
    list_per_page = 50
    # One count, of what the filters select, not a second of everything the reader sees.
    show_full_result_count = False
    list_display = ["meeting", "alliance", "when", "state", "minutes_state"]
    list_filter = [MeetingStatusFilter, "status", "body__kind"]
    search_fields = ["title", "body__name", "alliance__code", "alliance__name"]
    list_select_related = ["body", "alliance", "minutes"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at", "pk"]  # the latest first
    add_rule = staticmethod(rules.managers)
    change_rule = delete_rule = staticmethod(rules.nobody)
    inlines = [StepInline, DecisionInline, ActionItemInline]
    readonly_fields = [
        "body",
        "alliance",
        "title",
        "when",
        "duration",
        "location",
        "call_link",
        "state",
        "cancel_reason",
        "attended",
        "minutes_text",
        "minutes_approvals",
    ]
    fieldsets = [
        (None, {"fields": ["body", "alliance", "title", "when", "duration"]}),
        ("Where", {"fields": ["location", "call_link"]}),
        ("Status", {"fields": ["state", "cancel_reason", "attended"]}),
        ("Minutes", {"fields": ["minutes_text", "minutes_approvals"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).with_minutes_overdue()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ScheduleForm
            kwargs["fields"] = ScheduleForm.Meta.fields
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["body", "title", "starts_local", "time_zone",
                                       "duration_minutes", "location", "call_link"]})]  # fmt: skip
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_change_permission(self, request, obj=None):
        # The page is read-only; its buttons do the changes (the view needs it for the page).
        return False

    @admin.display(description="Meeting", ordering="title")
    def meeting(self, meeting):
        title, body = str(meeting), meeting.body.name
        return title if title.startswith(body) else _two_lines(title, body)

    @admin.display(description="Starts (local time)", ordering="starts_at")
    def when(self, meeting):
        return _when(meeting)

    @admin.display(description="Status", ordering="status")
    def state(self, meeting):
        return status_badge(meeting, MEETING_VARIANTS)

    @admin.display(description="Duration")
    def duration(self, meeting):
        hours, minutes = divmod(meeting.duration_minutes, 60)
        parts = [f"{hours} h"] if hours else []
        if minutes or not hours:
            parts.append(f"{minutes} min")
        return " ".join(parts)

    @admin.display(description="Minutes")
    def minutes_state(self, meeting):
        return _minutes_state(meeting)

    @admin.display(description="Attended")
    def attended(self, meeting):
        people = [
            # A partner's people are named with their company already.
            body_services._person(m)
            if m.side == Side.PARTNER
            else f"{body_services._person(m)} (ours)"
            for m in meeting.attendees.select_related("user", "contact__partner")
        ]
        return ", ".join(people) or "—"

    @admin.display(description="Minutes")
    def minutes_text(self, meeting):
        minutes = getattr(meeting, "minutes", None)
        if minutes is None:
            return "Not drafted"
        link = (
            format_html('<div class="mt-2">{}</div>', _link(minutes.document_url, "The document"))
            if minutes.document_url
            else ""
        )
        return format_html("{}{}", minutes.text or "(no text)", link)

    @admin.display(description="Approvals")
    def minutes_approvals(self, meeting):
        minutes = getattr(meeting, "minutes", None)
        if minutes is None:
            return "—"
        parts = []
        if minutes.internal_approved_at:
            parts.append(
                f"Ours: {_person(minutes.internal_approved_by)}, "
                f"{display.day(minutes.internal_approved_at)}"
            )
        else:
            parts.append("Ours: not yet")
        if minutes.partner_approved_at:
            parts.append(
                f"Partner: {minutes.partner_approved_by.name}, "
                f"{display.day(minutes.partner_approved_at)}"
            )
        else:
            parts.append("Partner: not yet")
        return "; ".join(parts)

    def save_model(self, request, obj, form, change):
        obj.pk = meeting_services.meeting_schedule(actor=request.user, data=form.meeting_data()).pk

    # The calendar page (admin:calendar) -------------------------------------------------------

    def get_urls(self):
        calendar = path(
            "calendar/", self.admin_site.admin_view(self.calendar_view), name="calendar"
        )
        return [calendar, *super().get_urls()]

    def calendar_view(self, request):
        """The next weeks of what concerns the user (governance.agenda), and their private
        calendar address to subscribe to: only their own, made or renewed by a button."""
        if not request.user.is_staff:
            raise PermissionDenied
        if request.method == "POST":
            return self._calendar_address(request)
        agenda = agenda_for(request.user)
        feed = CalendarFeed.objects.filter(user=request.user).first()
        feed_url = webcal = None
        if feed is not None:
            feed_url = feed_site(request).link(
                reverse("calendar-feed", kwargs={"secret": feed.secret})
            )
            webcal = "webcal://" + feed_url.split("://", 1)[-1]
        return render(
            request,
            "admin/governance/calendar.html",
            {
                **self.admin_site.each_context(request),
                "title": "Calendar",
                "agenda": agenda,
                "late_table": _agenda_table(agenda.late, late=True),
                "weeks": [
                    (_week_title(week, n), _agenda_table(week.entries))
                    for n, week in enumerate(agenda.weeks)
                ],
                "feed_url": feed_url,
                "webcal_url": webcal,
            },
        )

    def _calendar_address(self, request):
        what = request.POST.get("address")
        if what == "new":
            calendar_services.calendar_feed_renew(actor=request.user)
            self.message_user(
                request,
                "Your calendar has a new address; the old one no longer works.",
                messages.SUCCESS,
            )
        elif what == "get":
            calendar_services.calendar_feed_get_or_create(actor=request.user)
            self.message_user(request, "Your calendar address is ready.", messages.SUCCESS)
        else:
            self.message_user(request, "Nothing was changed.", messages.WARNING)
        return redirect("admin:calendar")

    def save_related(self, request, form, formsets, change):
        pass

    # Buttons on the meeting's page ------------------------------------------------------------

    button_names = ["reschedule", "cancel", "held", "approve"]
    button_icons = {
        "reschedule": "event_repeat",
        "cancel": "event_busy",
        "held": "event_available",
        "approve": "verified",
    }

    def buttons(self, request, meeting) -> list[tuple[str, str]]:
        if not rules.managers(request.user):
            return []
        if meeting.status == MeetingStatus.SCHEDULED:
            return [
                ("held", "Mark held", "primary"),
                ("reschedule", "Reschedule"),
                ("cancel", "Cancel", "danger"),
            ]
        if meeting.status == MeetingStatus.HELD and getattr(meeting, "minutes", None):
            return [("approve", "Record approval of the minutes", "primary")]
        return []

    def describe(self, meeting) -> str:
        status = meeting.get_status_display()
        return f"{meeting.body}, {meeting.alliance}: {_when(meeting)} ({status})."

    def reschedule_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Reschedule",
            intro="Its open logistics steps move by the same number of days; done ones stay.",
            form_class=RescheduleForm,
            initial=lambda meeting: {
                "starts_local": meeting.local_start.replace(tzinfo=None),
                "time_zone": meeting.time_zone,
            },
            write=lambda meeting, data: meeting_services.meeting_reschedule(
                actor=request.user,
                meeting=meeting,
                starts_at=data["starts_at"],
                time_zone=data["time_zone"],
                reason=data["reason"],
            ),
        )

    def cancel_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Cancel the meeting",
            intro="Its open logistics steps are cancelled with your reason.",
            form_class=CancelForm,
            write=lambda meeting, data: meeting_services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=data["reason"]
            ),
        )

    def held_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Mark held",
            intro="Then draft the minutes; they are overdue if both sides have not approved "
            f"them {_minutes_days()} days after the meeting.",
            form_class=HeldForm,
            about_object=True,
            write=lambda meeting, data: meeting_services.meeting_mark_held(
                actor=request.user, meeting=meeting, attendees=list(data["attendees"])
            ),
        )

    def approve_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Record approval",
            intro="Once both sides have approved, the minutes are the record.",
            form_class=ApproveForm,
            about_object=True,
            write=lambda meeting, data: meeting_services.minutes_approve(
                actor=request.user,
                meeting=meeting,
                side=data["side"],
                contact=data.get("contact"),
            ),
        )


def _week_title(week, n: int) -> str:
    first, last = display.day(week.first_day), display.day(week.last_day)
    return f"{['This week', 'Next week'][n] if n < 2 else 'Week'}: {first} to {last}"


def _agenda_link(entry) -> str:
    if entry.kind == "obligation":
        return reverse("admin:governance_obligation_change", args=[entry.pk])
    return reverse("admin:governance_meeting_change", args=[entry.pk])


AGENDA_KINDS = {"meeting": "info", "obligation": "primary", "action_item": ""}
AGENDA_STATUS = {"meeting": MEETING_VARIANTS, "obligation": OBLIGATION_VARIANTS}


def _agenda_table(entries, late: bool = False) -> dict:
    """Entries as unfold's table component reads them: a row of cells each."""
    rows = []
    for entry in entries:
        when = display.day(entry.day)
        if entry.time:
            when = _two_lines(when, entry.time)
        state = display.badge(
            entry.status, AGENDA_STATUS.get(entry.kind, ACTION_VARIANTS).get(entry.status_code, "")
        )
        if entry.days_late:
            text = "minutes overdue" if entry.kind == "meeting" else "overdue"
            state = format_html("{} {}", state, display.days_late(entry.days_late, late=text))
        rows.append(
            [
                when,
                display.badge(entry.kind_label, AGENDA_KINDS[entry.kind]),
                _two_lines(
                    _link(_agenda_link(entry), entry.title),
                    entry.detail,
                ),
                entry.alliance,
                state,
            ]
        )
    return {"headers": ["Date", "What", "Title", "Alliance", "Status"], "rows": rows}


# Agreements and obligations ------------------------------------------------------------------


def _money(amount, currency) -> str:
    return display.money(amount, currency)


# Shorter than the choice labels, so the register's columns fit.
DIRECTION_SHORT = {
    ObligationDirection.INCOMING: "Owed to us",
    ObligationDirection.OUTGOING: "We owe",
    ObligationDirection.JOINT: "Joint",
}


def _due_badge(obligation, day):
    if obligation.due_date is None:
        return display.badge("On its trigger", "info")
    text = display.day(obligation.due_date)
    if obligation.status in OPEN_OBLIGATION and obligation.due_date < day:
        return format_html("{} {}", text, _late((day - obligation.due_date).days))
    return text


class AgreementForm(forms.ModelForm):
    current_user = None

    class Meta:
        model = Agreement
        fields = [
            "alliance",
            "kind",
            "title",
            "parent",
            "owning_function",
            "target_date",
            "effective_date",
            "expiry_date",
            "notice_days",
            "payment_terms_days",
            "document_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "alliance" in self.fields:
            self.fields["alliance"].queryset = Alliance.objects.visible_to(self.current_user)
        if "parent" in self.fields:
            parents = Agreement.objects.visible_to(self.current_user).select_related("alliance")
            if self.instance.pk:
                parents = parents.filter(alliance=self.instance.alliance_id).exclude(
                    pk=self.instance.pk
                )
            self.fields["parent"].queryset = parents
            self.fields["parent"].label_from_instance = lambda a: f"{a.title} ({a.alliance.code})"

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk:
            data = {name: cleaned.get(name) for name in self.changed_data}
            write = lambda: agreement_services.agreement_update(  # noqa: E731
                actor=self.current_user, agreement=self.instance, data=data
            )
        else:
            data = {name: cleaned.get(name) for name in self.Meta.fields}
            write = lambda: agreement_services.agreement_create(  # noqa: E731
                actor=self.current_user, data=data
            )
        refusal = dry_run_refusal(write)
        if refusal:
            raise ValidationError(refusal)
        return cleaned


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="Move to", choices=AgreementStatus.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = AGREEMENT.allowed_from(agreement.status)
        self.fields["to"].choices = [c for c in AgreementStatus.choices if c[0] in allowed]


class AgreementStepInline(StepInline):
    model = AgreementStep
    verbose_name = "playbook step"
    verbose_name_plural = "playbook steps"


class ObligationInline(StaffInline):
    hide_title = True  # each row says what it is
    model = Obligation
    fk_name = "agreement"
    extra = 0
    fields = ["obligation", "way", "due", "money", "state"]
    readonly_fields = fields
    ordering = ["due_date", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status__in=OPEN_OBLIGATION)

    @admin.display(description="Open obligation")
    def obligation(self, obligation):
        url = reverse("admin:governance_obligation_change", args=[obligation.pk])
        return _two_lines(
            _link(url, obligation.title),
            obligation.get_kind_display(),
        )

    @admin.display(description="Direction")
    def way(self, obligation):
        return DIRECTION_SHORT.get(obligation.direction, obligation.get_direction_display())

    @admin.display(description="Due")
    def due(self, obligation):
        return _due_badge(obligation, today())

    @admin.display(description="Amount")
    def money(self, obligation):
        return _money(obligation.amount, obligation.currency)

    @admin.display(description="Status")
    def state(self, obligation):
        return status_badge(obligation, OBLIGATION_VARIANTS)


@admin.register(Agreement)
class AgreementAdmin(ButtonsMixin, RoleAdmin):
    empty_value_display = display.EMPTY
    form = AgreementForm
    list_display = ["agreement", "alliance", "state", "key_date", "notice"]
    list_filter = ["status", "kind", "owning_function"]
    search_fields = ["title", "alliance__code", "alliance__name"]
    list_select_related = ["alliance"]
    add_rule = change_rule = staticmethod(rules.managers)
    delete_rule = staticmethod(rules.nobody)
    inlines = [AgreementStepInline, ObligationInline]
    button_names = ["transition"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["alliance", "state", "notice"] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = list(AgreementForm.Meta.fields)
        if obj is None:
            return fields
        at = fields.index("notice_days") + 1
        return [*fields[:2], "state", *fields[2:at], "notice", *fields[at:]]

    @admin.display(description="Agreement", ordering="title")
    def agreement(self, agreement):
        return _two_lines(agreement.title, agreement.get_kind_display())

    @admin.display(description="Status", ordering="status")
    def state(self, agreement):
        return status_badge(agreement, AGREEMENT_VARIANTS)

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    @admin.display(description="Target / expiry")
    def key_date(self, agreement):
        if (
            agreement.status
            in (AgreementStatus.PLANNED, AgreementStatus.DRAFTING, AgreementStatus.NEGOTIATING)
            and agreement.target_date
        ):
            text = f"Needed by {display.day(agreement.target_date)}"
            late = (today() - agreement.target_date).days
            return format_html("{} {}", text, _late(late, "late")) if late > 0 else text
        if agreement.expiry_date:
            return f"Expires {display.day(agreement.expiry_date)}"
        return display.EMPTY

    @admin.display(description="Notice by")
    def notice(self, agreement):
        notice = agreement.notice_date
        if notice is None or agreement.status != AgreementStatus.EXECUTED:
            return display.EMPTY
        if notice < today():
            return format_html(
                "{} {}", display.day(notice), _late((today() - notice).days, "missed")
            )
        if notice <= today() + datetime.timedelta(days=60):
            return display.badge(f"{display.day(notice)}, within 60 days", "warning")
        return display.day(notice)

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            agreement_services.agreement_update(actor=request.user, agreement=obj, data=data)
        else:
            data = {name: form.cleaned_data[name] for name in AgreementForm.Meta.fields}
            obj.pk = agreement_services.agreement_create(actor=request.user, data=data).pk

    def save_related(self, request, form, formsets, change):
        pass

    button_icons = {"transition": "swap_horiz"}

    def buttons(self, request, agreement):
        if rules.managers(request.user) and AGREEMENT.allowed_from(agreement.status):
            return [("transition", "Move status", "primary")]
        return []

    def describe(self, agreement) -> str:
        kind, status = agreement.get_kind_display(), agreement.get_status_display()
        return f"{agreement.title} ({kind}), {agreement.alliance}: {status}."

    def transition_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Move status",
            intro="Executing needs an effective date; abandoning cancels its open playbook "
            "steps with your note.",
            form_class=TransitionForm,
            about_object=True,
            write=lambda agreement, data: agreement_services.agreement_transition(
                actor=request.user, agreement=agreement, to=data["to"], note=data["note"]
            ),
        )


def with_late(obligations):
    """Each obligation's `late` (querysets.obligation_overdue_q), for ordering overdue first."""
    late = ExpressionWrapper(obligation_overdue_q(today()), output_field=BooleanField())
    return obligations.annotate(late=late)


# The register's order: overdue first, then by due date (those on a trigger last).
REGISTER_ORDER = ["-late", F("due_date").asc(nulls_last=True), "pk"]


class ObligationStateFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("30", "Due in the next 30 days"),
            ("90", "Due in the next 90 days"),
            ("trigger", "Waiting on a trigger"),
            ("open", "Open"),
        ]

    def queryset(self, request, queryset):
        day = today()
        value = self.value()
        if value == "overdue":
            return queryset.filter(obligation_overdue_q(day))
        if value in ("30", "90"):
            end = day + datetime.timedelta(days=int(value))
            return queryset.filter(status__in=OPEN_OBLIGATION, due_date__range=(day, end))
        if value == "trigger":
            return queryset.filter(status=ObligationStatus.UPCOMING)
        if value == "open":
            return queryset.filter(status__in=OPEN_OBLIGATION)
        return queryset


class MetForm(forms.Form):
    met_on = forms.DateField(label="Met on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class TriggerForm(forms.Form):
    occurred_on = forms.DateField(
        label="The event happened on", widget=forms.DateInput(attrs={"type": "date"})
    )


@admin.register(Obligation)
class ObligationAdmin(ButtonsMixin, RoleAdmin):
    """The register: overdue first, then by due date; buttons to record what happened."""

    list_per_page = 50
    show_full_result_count = False  # one count, of what the filters select
    list_display = ["obligation", "alliance", "way", "due", "money", "owner_name", "state"]
    list_filter = [ObligationStateFilter, "status", "kind", "direction", "currency"]
    search_fields = ["title", "agreement__title", "alliance__code", "alliance__name"]
    list_select_related = ["alliance", "owner"]
    add_rule = change_rule = delete_rule = staticmethod(rules.nobody)
    button_names = ["met", "waive", "dispute", "trigger"]
    empty_value_display = display.EMPTY
    fieldsets = [
        (None, {"fields": ["alliance", "agreement", "kind", "direction", "title"]}),
        ("When", {"fields": ["trigger_event", "triggered_on", "due", "recurrence"]}),
        ("Money", {"fields": ["money", "invoicing"]}),
        ("Status", {"fields": ["owner_name", "state", "status_reason", "met_on", "task", "note"]}),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request):
        # Annotated before ordering (ModelAdmin.get_queryset would order first).
        rows = with_late(Obligation.objects.visible_to(request.user))
        return rows.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return REGISTER_ORDER

    def has_change_permission(self, request, obj=None):
        return False  # the page is read-only; its buttons record what happened

    @admin.display(description="Obligation", ordering="title")
    def obligation(self, obligation):
        return _two_lines(obligation.title, obligation.get_kind_display())

    @admin.display(description="Direction", ordering="direction")
    def way(self, obligation):
        return DIRECTION_SHORT.get(obligation.direction, obligation.get_direction_display())

    @admin.display(description="Due", ordering="due_date")
    def due(self, obligation):
        return _due_badge(obligation, today())

    @admin.display(description="Amount", ordering="amount")
    def money(self, obligation):
        return _money(obligation.amount, obligation.currency)

    @admin.display(description="Owner", ordering="owner__last_name")
    def owner_name(self, obligation):
        return _person(obligation.owner)

    @admin.display(description="Status", ordering="status")
    def state(self, obligation):
        # Why it is disputed or waived: on hovering, and on its page.
        variant = OBLIGATION_VARIANTS.get(obligation.status, "")
        label = obligation.get_status_display()
        return display.badge(label, variant, title=obligation.status_reason)

    @admin.display(description="Invoicing")
    def invoicing(self, obligation):
        if obligation.direction == ObligationDirection.OUTGOING:
            return display.EMPTY
        return "We invoice the partner" if obligation.we_invoice else "No invoice from us"

    button_icons = {
        "met": "check_circle",
        "waive": "do_not_disturb_on",
        "dispute": "gavel",
        "trigger": "bolt",
    }

    def buttons(self, request, obligation):
        if not rules.managers(request.user):
            return []
        status = obligation.status
        found = []
        if status == ObligationStatus.UPCOMING:
            found.append(("trigger", "Record the trigger event", "primary"))
        if status in (ObligationStatus.DUE, ObligationStatus.DISPUTED):
            found.append(("met", "Met", "primary"))
        if status in OPEN_OBLIGATION:
            found.append(("waive", "Waive"))
        if status in (ObligationStatus.UPCOMING, ObligationStatus.DUE):
            found.append(("dispute", "Dispute"))
        return found

    def describe(self, obligation) -> str:
        due = f"due {display.day(obligation.due_date)}" if obligation.due_date else "on its trigger"
        money = _money(obligation.amount, obligation.currency)
        kind = obligation.get_kind_display()
        return f"{obligation.title} ({kind}, {obligation.alliance}), {due}, {money}."

    def met_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Met",
            intro="A recurring obligation's next occurrence is created.",
            form_class=MetForm,
            initial=lambda obligation: {"met_on": today()},
            write=lambda obligation, data: obligation_services.obligation_meet(
                actor=request.user, obligation=obligation, met_on=data["met_on"], note=data["note"]
            ),
        )

    def waive_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Waive",
            intro="Say why it is no longer owed.",
            form_class=ReasonForm,
            write=lambda obligation, data: obligation_services.obligation_waive(
                actor=request.user, obligation=obligation, reason=data["reason"]
            ),
        )

    def dispute_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Dispute",
            intro="Say what is disputed; it stays open (and overdue once past due).",
            form_class=ReasonForm,
            write=lambda obligation, data: obligation_services.obligation_dispute(
                actor=request.user, obligation=obligation, reason=data["reason"]
            ),
        )

    def trigger_view(self, request, pk):
        return self._action(
            request,
            pk,
            title="Record the trigger event",
            intro="It becomes due the agreement's payment terms after the event.",
            form_class=TriggerForm,
            write=lambda obligation, data: obligation_services.obligation_trigger(
                actor=request.user, obligation=obligation, occurred_on=data["occurred_on"]
            ),
        )


class AgreementsOfAllianceInline(StaffInline):
    """On the alliance's page: its agreements."""

    hide_title = True  # each row says what it is
    model = Agreement
    fk_name = "alliance"
    extra = 0
    fields = ["agreement", "kind", "state", "notice"]
    readonly_fields = fields
    verbose_name_plural = "agreements"
    tab = True

    @admin.display(description="Status")
    def state(self, agreement):
        return status_badge(agreement, AGREEMENT_VARIANTS)

    @admin.display(description="Agreement")
    def agreement(self, agreement):
        url = reverse("admin:governance_agreement_change", args=[agreement.pk])
        return _link(url, agreement.title)

    @admin.display(description="Notice by")
    def notice(self, agreement):
        return AgreementAdmin.notice(None, agreement)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class NextObligationsInline(ObligationInline):
    """On the alliance's page: what is open, overdue first."""

    fk_name = "alliance"
    verbose_name_plural = "open obligations"
    tab = True
    fields = ["obligation", "way", "due", "money", "state"]
    readonly_fields = fields

    def get_queryset(self, request):
        rows = super().get_queryset(request).visible_to(request.user)
        return with_late(rows).order_by(*REGISTER_ORDER)


register_alliance_inline(AgreementsOfAllianceInline)
register_alliance_inline(NextObligationsInline)


# Training ------------------------------------------------------------------------------------


@admin.register(TrainingCourse)
class TrainingCourseAdmin(RoleAdmin):
    list_display = ["name", "kind", "validity"]
    list_filter = ["kind"]
    search_fields = ["name"]
    delete_rule = staticmethod(rules.nobody)

    @admin.display(description="Valid for", ordering="validity_months")
    def validity(self, course):
        return f"{course.validity_months} months" if course.validity_months else "Never expires"

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            training_services.course_update(actor=request.user, course=obj, data=data)
        else:
            obj.pk = training_services.course_create(actor=request.user, data=form.cleaned_data).pk


class CompletionForm(forms.ModelForm):
    current_user = None

    class Meta:
        model = TrainingCompletion
        fields = ["user", "course", "completed_on"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            data = {name: cleaned[name] for name in ("user", "course", "completed_on")}
            refusal = dry_run_refusal(
                lambda: training_services.completion_record(actor=self.current_user, data=data)
            )
            if refusal:
                raise ValidationError(refusal)
        return cleaned


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(RoleAdmin):
    form = CompletionForm
    list_display = ["person", "course", "completed_on", "expires_on", "validity"]
    list_filter = ["course__kind", "course"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "course__name"]
    list_select_related = ["user", "course"]
    autocomplete_fields = ["user"]
    fields = ["user", "course", "completed_on", "expires_on"]
    readonly_fields = ["expires_on"]
    add_rule = staticmethod(rules.managers)
    change_rule = delete_rule = staticmethod(rules.nobody)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("user", "course", "completed_on")}
        obj.pk = training_services.completion_record(actor=request.user, data=data).pk

    @admin.display(description="Person", ordering="user__last_name")
    def person(self, completion):
        return _person(completion.user)

    @admin.display(description="Valid today")
    def validity(self, completion):
        if completion.expires_on is not None and completion.expires_on > today():
            left = (completion.expires_on - today()).days
            if left <= 60:
                return display.badge(f"Expires in {left} day{'s' * (left != 1)}", "warning")
        if completion.expires_on is None or completion.expires_on > today():
            return display.badge("Valid", "success")
        return display.badge(f"Expired {display.day(completion.expires_on)}", "danger")
