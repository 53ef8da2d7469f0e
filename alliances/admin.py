"""The admin uses the same visibility method and services as the API."""

import dataclasses

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action as unfold_action
from unfold.decorators import display
from unfold.enums import ActionVariant
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from config.admin_errors import REFUSALS, dry_run_into_form, dry_run_refusal, refusal_message
from config.changelist import PageChangeListMixin
from config.display import moment, money, rag, warning

from . import access, extensions, machines, services
from . import admin_rules as rules
from .admin_history import person, worded
from .choices import ManagementModel, Stage, Status, TransitionField
from .models import (
    ActivityLog,
    Alliance,
    AllianceMembership,
    Partner,
    TherapeuticArea,
)
from .services import TRANSITION_CHOICES

User = get_user_model()


class RoleAdmin(rules.RulesMixin, PageChangeListMixin, ModelAdmin):
    """Permissions from declared rules (admin_rules): staff view, the head writes, unless an
    admin names other rules."""


class ReferenceAdmin(RoleAdmin):
    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.reference_update(actor=request.user, instance=obj, data=data)
        else:
            instance = services.reference_create(
                actor=request.user, model=self.model, data=form.cleaned_data
            )
            obj.pk = instance.pk

    def delete_model(self, request, obj):
        services.reference_delete(actor=request.user, instance=obj)


@admin.register(TherapeuticArea)
class TherapeuticAreaAdmin(ReferenceAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Partner)
class PartnerAdmin(ReferenceAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name"]

    add_rule = change_rule = staticmethod(rules.managers)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class StaffInline(rules.ReadOnlyRules, TabularInline):
    """Inlines are seen by whoever sees the page; each names who may change it. The records
    each row names (its alliance, the people and things in its columns) come with the rows,
    so a page's queries do not grow with its rows."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        joins = [
            field.name
            for field in self.model._meta.get_fields()
            if field.many_to_one
            and field.concrete
            and (field.name == "alliance" or field.name in (self.fields or []))
        ]
        return queryset.select_related(*joins) if joins else queryset


# Higher apps add what they hold about an alliance to its page (governance: its committees).
_alliance_inlines: list = []


def register_alliance_inline(inline) -> None:
    if inline not in _alliance_inlines:
        _alliance_inlines.append(inline)


def _changes_alliance(user, alliance=None) -> bool:
    return alliance is not None and access.can_change_alliance(user, alliance)


class MembershipFormSet(forms.BaseInlineFormSet):
    """A removal the service would refuse (work held on a confidential alliance) is a form
    error, shown before anything is saved."""

    current_user = None

    def clean(self):
        super().clean()
        for member_form in self.deleted_forms:
            membership = member_form.cleaned_data.get("id")
            if membership is None:
                continue
            refusal = dry_run_refusal(
                lambda m=membership: services.alliance_member_remove(
                    actor=self.current_user, membership=m
                )
            )
            if refusal:
                raise forms.ValidationError(f"{membership.user} stays on the team: {refusal}")


class MembershipInline(StaffInline):
    model = AllianceMembership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "name", "role", "added_at"]
    readonly_fields = ["name", "added_at"]
    add_rule = delete_rule = staticmethod(_changes_alliance)
    tab = True
    tab_order = 10
    hide_title = True
    verbose_name = "team member"
    verbose_name_plural = "team"

    @admin.display(description="Name")
    def name(self, membership):
        return person(membership.user) if membership.pk else "—"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.current_user = request.user
        return formset


class HistoryInline(StaffInline):
    """The alliance's activity log in words, newest first."""

    model = ActivityLog
    fk_name = "alliance"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["when", "what_happened"]
    readonly_fields = fields
    tab = True
    tab_order = 90
    hide_title = True
    per_page = 20
    verbose_name = "history entry"
    verbose_name_plural = "history"

    @admin.display(description="When")
    def when(self, entry):
        return moment(entry.created_at)

    @admin.display(description="What happened")
    def what_happened(self, entry):
        return getattr(entry, "words", "")

    def get_queryset(self, request):
        rows = super().get_queryset(request).visible_to(request.user)
        return worded(rows.order_by("-created_at", "-pk"))


class AllianceForm(forms.ModelForm):
    """An edit the service would refuse (a lead who cannot take over the old one's work on a
    confidential alliance) is a form error, not a failed save."""

    current_user = None

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.changed_data and not self.errors:
            changed = {name: data[name] for name in self.changed_data if name in data}
            dry_run_into_form(
                self,
                lambda: services.alliance_update(
                    actor=self.current_user, alliance=self.instance, data=changed
                ),
            )
        return data


class ConfidentialityForm(forms.Form):
    confidential = forms.TypedChoiceField(
        choices=[("true", "Confidential"), ("false", "Not confidential")],
        coerce=lambda value: value == "true",
        widget=UnfoldAdminSelectWidget,
    )
    note = forms.CharField(
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}), help_text="Why (logged)."
    )


class MoveForm(forms.Form):
    """One move offered by a button on the alliance's page: the note the service asks for."""

    note = forms.CharField(
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        required=False,
        label="Why",
        help_text="Logged with the move. Required for a management-model change and for "
        "moving a stage back.",
    )


class TransitionForm(forms.Form):
    field = forms.ChoiceField(choices=TransitionField.choices, widget=UnfoldAdminSelectWidget)
    to = forms.ChoiceField(
        widget=UnfoldAdminSelectWidget,
        choices=[
            (field.label, [(value, label) for value, label in choices.choices])
            for field, choices in ((TransitionField(f), c) for f, c in TRANSITION_CHOICES.items())
        ],
    )
    note = forms.CharField(
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        required=False,
        help_text="Required for management-model changes and for moving a stage back.",
    )


def legal_moves(user, alliance) -> list[tuple[str, str]]:
    """(field, to) pairs the user may make from where the alliance is now."""
    if not access.can_change_alliance(user, alliance):
        return []
    moves = [
        (TransitionField.STAGE, to) for to in machines.STAGE_FORWARD.allowed_from(alliance.stage)
    ]
    if access.is_head(user):
        moves += [
            (TransitionField.STAGE, to) for to in machines.STAGE_BACK.allowed_from(alliance.stage)
        ]
    moves += [(TransitionField.STATUS, to) for to in machines.STATUS.allowed_from(alliance.status)]
    moves += [
        (TransitionField.MANAGEMENT_MODEL, to)
        for to in machines.MANAGEMENT_MODEL.allowed_from(alliance.management_model)
    ]
    return moves


def _label(field: str, value: str) -> str:
    return str(dict(TRANSITION_CHOICES[TransitionField(field)].choices).get(value, value))


def _move_name(field: str, to: str) -> str:
    return f"move_{field}_{to}"


_STAGE_ORDER = list(Stage.values)


@admin.register(Alliance)
class AllianceAdmin(RoleAdmin):
    form = AllianceForm
    list_per_page = 50  # a screen and a half at 1366 px; the page draws in under 150 ms
    add_rule = staticmethod(lambda user, obj=None: access.can_create_alliance(user))
    change_rule = staticmethod(rules.managers)
    delete_rule = staticmethod(rules.nobody)
    list_display = [
        "code",
        "name",
        "partner",
        "stage",
        "therapeutic_area",
        "lead_name",
        "latest_rag",
        "confidentiality",
    ]
    list_filter = [
        "stage",
        "status",
        "management_model",
        "therapeutic_area",
        "alliance_type",
        "direction",
        "partner__kind",
        "confidential",
    ]
    search_fields = ["code", "name", "partner__name"]
    list_select_related = ["partner", "therapeutic_area", "lead"]
    autocomplete_fields = ["partner", "lead", "executive_sponsor"]
    readonly_fields = [
        "code",
        "stage",
        "status",
        "management_model",
        "confidential",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline, HistoryInline]
    actions = ["move_selected", "change_confidentiality"]
    change_form_outer_before_template = "admin/alliances/alliance_banner.html"
    # Each legal move is a button on the alliance's page (get_actions_detail keeps only the
    # moves open from where it is, to whoever may make them).
    actions_detail = [
        *(_move_name(TransitionField.STAGE, to) for to in Stage.values),
        {
            "title": "Status",
            "icon": "swap_horiz",
            "items": [_move_name(TransitionField.STATUS, to) for to in Status.values],
        },
        {
            "title": "Management model",
            "icon": "manage_accounts",
            "items": [
                _move_name(TransitionField.MANAGEMENT_MODEL, to) for to in ManagementModel.values
            ],
        },
    ]
    fieldsets = [
        ("Overview", {"fields": ["code", "name", "partner", "therapeutic_area", "description"]}),
        (
            "Deal",
            {
                "fields": [
                    "alliance_type",
                    "direction",
                    "purpose_quadrant",
                    "start_date",
                    "end_date",
                    "upfront_payment",
                    "potential_milestones",
                    "currency",
                    "confidential",
                ]
            },
        ),
        ("People", {"fields": ["lead", "executive_sponsor"]}),
        (
            "Lifecycle",
            {
                "fields": ["stage", "status", "management_model", "created_at", "updated_at"],
                "description": "Moved with the buttons at the top of the page, by leads and "
                "the head.",
            },
        ),
    ]

    @admin.display(description="Lead", ordering="lead__last_name")
    def lead_name(self, alliance):
        return person(alliance.lead)

    @display(description="Latest RAG")
    def latest_rag(self, alliance):
        return rag(getattr(alliance, "latest_rag", None))

    @display(description="Confidential")
    def confidentiality(self, alliance):
        return warning(alliance.confidential, "Confidential")

    def get_queryset(self, request):
        # extensions: the columns higher apps add (the latest status report), in one query.
        return extensions.annotate(super().get_queryset(request).visible_to(request.user))

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        inlines = [*self.inlines, *_alliance_inlines]
        return sorted(inlines, key=lambda inline: getattr(inline, "tab_order", 50))

    # The alliance's page ----------------------------------------------------------------

    def _page_alliance(self, request, object_id):
        """The alliance a page is about, read once per request (None: not visible)."""
        cache = request.__dict__.setdefault("_alliance_pages", {})
        if object_id not in cache:
            cache[object_id] = self.get_object(request, object_id)
        return cache[object_id]

    def get_actions_detail(self, request, object_id):
        alliance = self._page_alliance(request, object_id)
        if alliance is None:
            return []
        legal = legal_moves(request.user, alliance)
        names = {_move_name(field, to): (field, to) for field, to in legal}
        offered = []
        for action in super().get_actions_detail(request, object_id):
            short = action.action_name.removeprefix("alliances_alliance_")
            if short not in names:
                continue
            field, to = names[short]
            if field == TransitionField.STAGE:
                back = _STAGE_ORDER.index(to) < _STAGE_ORDER.index(alliance.stage)
                title = f"{'Move back' if back else 'Move'} to {_label(field, to)}"
                variant = ActionVariant.DEFAULT if back else ActionVariant.PRIMARY
                offered.append(dataclasses.replace(action, description=title, variant=variant))
            else:
                offered.append(action)
        return offered

    def move_view(self, request, object_id, field: str, to: str):
        alliance = self.get_object(request, object_id)
        if alliance is None:
            raise Http404("No such alliance.")
        page = reverse("admin:alliances_alliance_change", args=[alliance.pk])
        if not access.can_change_alliance(request.user, alliance):
            self.message_user(
                request, "Only alliance leads and the head move alliances.", messages.ERROR
            )
            return redirect(page)
        what = TransitionField(field).label.lower()
        current = _label(field, getattr(alliance, field))
        if (field, to) not in legal_moves(request.user, alliance):
            open_moves = [
                _label(f, t) for f, t in legal_moves(request.user, alliance) if f == field
            ]
            self.message_user(
                request,
                f"The {what} cannot move from {current} to {_label(field, to)}"
                + (
                    f"; from {current} it can move to {', '.join(open_moves)}."
                    if open_moves
                    else "."
                ),
                messages.ERROR,
            )
            return redirect(page)
        form = MoveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.alliance_transition(
                    actor=request.user,
                    alliance=alliance,
                    field=field,
                    to=to,
                    note=form.cleaned_data["note"],
                    backwards_allowed=access.is_head(request.user),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "note" in error.error_dict:
                    form.add_error("note", error.error_dict["note"])
                else:
                    self.message_user(
                        request, f"Not moved: {refusal_message(error)}", messages.ERROR
                    )
                    return redirect(page)
            except REFUSALS as error:
                self.message_user(request, f"Not moved: {refusal_message(error)}", messages.ERROR)
                return redirect(page)
            else:
                self.message_user(
                    request,
                    f"{alliance.code} {alliance.name}: the {what} moved from {current} "
                    f"to {_label(field, to)}.",
                    messages.SUCCESS,
                )
                return redirect(page)
        return render(
            request,
            "admin/alliances/alliance_move.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Move the {what} of {alliance.code} {alliance.name}",
                "alliance": alliance,
                "what": what,
                "current": current,
                "to": _label(field, to),
                "note_required": field == TransitionField.MANAGEMENT_MODEL
                or (
                    field == TransitionField.STAGE
                    and _STAGE_ORDER.index(to) < _STAGE_ORDER.index(alliance.stage)
                ),
                "form": form,
                "back": page,
                "opts": self.model._meta,
                "original": alliance,
            },
        )

    def history_view(self, request, object_id, extra_context=None):
        """The History button opens the History tab: the activity log, in words."""
        alliance = self.get_object(request, object_id)
        if alliance is None:
            raise Http404("No such alliance.")
        return redirect(
            reverse("admin:alliances_alliance_change", args=[alliance.pk]) + "#activity"
        )

    # On a saved alliance: confidentiality as a warning (the head changes it with an action);
    # for those who only read it, money with its currency and people by name.
    SHOWN = {"confidential": "confidentiality"}
    SHOWN_TO_READERS = {
        "upfront_payment": "upfront",
        "potential_milestones": "milestones",
        "currency": None,
        "lead": "lead_name",
        "executive_sponsor": "sponsor_name",
    }

    def _shown(self, request, obj) -> dict:
        if obj is None:
            return {}
        if self.has_change_permission(request, obj):
            return self.SHOWN
        return {**self.SHOWN, **self.SHOWN_TO_READERS}

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["code", "created_at", "updated_at"]
        shown = [name for name in self._shown(request, obj).values() if name]
        return [*self.readonly_fields, *shown]

    def get_fieldsets(self, request, obj=None):
        shown = self._shown(request, obj)
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        shown.get(field, field)
                        for field in options["fields"]
                        if shown.get(field, field) is not None
                    ],
                },
            )
            for name, options in self.fieldsets
        ]

    @admin.display(description="Upfront payment")
    def upfront(self, alliance):
        return money(alliance.upfront_payment, alliance.currency)

    @admin.display(description="Potential milestones")
    def milestones(self, alliance):
        return money(alliance.potential_milestones, alliance.currency)

    @admin.display(description="Executive sponsor")
    def sponsor_name(self, alliance):
        return person(alliance.executive_sponsor) if alliance.executive_sponsor_id else "—"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.manages_alliances(request.user):
            actions.pop("move_selected", None)
        if not access.can_change_confidentiality(request.user):
            actions.pop("change_confidentiality", None)
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            services.alliance_update(actor=request.user, alliance=obj, data=data)
        else:
            fields = {
                name: value
                for name, value in form.cleaned_data.items()
                if name in {f.name for f in Alliance._meta.concrete_fields}
            }
            created = services.alliance_create(actor=request.user, data=fields)
            obj.pk, obj.code = created.pk, created.code

    def save_formset(self, request, form, formset, change):
        if formset.model is not AllianceMembership:
            return super().save_formset(request, form, formset, change)
        alliance = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for member_form in formset.deleted_forms:
            # A view-only row posts only its id; the membership is in cleaned_data["id"].
            membership = member_form.cleaned_data.get("id")
            if membership is not None:
                services.alliance_member_remove(actor=request.user, membership=membership)
                formset.deleted_objects.append(membership)
        for member_form in formset.forms:
            if member_form in formset.deleted_forms or not member_form.has_changed():
                continue
            if member_form.instance.pk is None:
                formset.new_objects.append(
                    services.alliance_member_add(
                        actor=request.user,
                        alliance=alliance,
                        user=member_form.cleaned_data["user"],
                        role=member_form.cleaned_data["role"],
                    )
                )

    def _each_alliance(self, request, queryset, *, form, name, title, intro, verb, write):
        """An action with a form, applied to each selected alliance through a service: each
        refusal is reported and leaves that alliance as it was."""
        if form.is_valid():
            done, refused = [], []
            for alliance in queryset.order_by("code"):
                try:
                    with transaction.atomic():
                        write(alliance, form.cleaned_data)
                    done.append(alliance.code)
                except REFUSALS as error:
                    refused.append(f"{alliance.code}: {refusal_message(error)}")
            if done:
                self.message_user(
                    request, f"{verb} {len(done)}: {', '.join(done)}.", messages.SUCCESS
                )
            for refusal in refused:
                self.message_user(request, f"Not {verb.lower()}, {refusal}", messages.ERROR)
            return None
        return render(
            request,
            "admin/alliances/alliance_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "intro": intro,
                "submit_label": title.split(" ")[0],
                "action_name": name,
                "alliances": queryset.order_by("code"),
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Move selected alliances (stage, status or management model)")
    def move_selected(self, request, queryset):
        if not access.manages_alliances(request.user):
            self.message_user(
                request, "Only alliance leads and the head move alliances.", messages.ERROR
            )
            return None
        return self._each_alliance(
            request,
            queryset,
            form=TransitionForm(request.POST if "apply" in request.POST else None),
            name="move_selected",
            title="Move selected alliances",
            intro="Each moves only along its allowed edges; any refused is reported and left "
            "as it was.",
            verb="Moved",
            write=lambda alliance, data: services.alliance_transition(
                actor=request.user,
                alliance=alliance,
                backwards_allowed=access.is_head(request.user),
                **data,
            ),
        )

    @admin.action(description="Change confidentiality of selected alliances (the head)")
    def change_confidentiality(self, request, queryset):
        if not access.can_change_confidentiality(request.user):
            self.message_user(
                request, "Only the head of alliance management changes it.", messages.ERROR
            )
            return None
        return self._each_alliance(
            request,
            queryset,
            form=ConfidentialityForm(request.POST if "apply" in request.POST else None),
            name="change_confidentiality",
            title="Change confidentiality",
            intro="A confidential alliance is seen only by its team and the head; everyone "
            "else sees it as a masked row in the workbook, and nowhere else.",
            verb="Changed",
            write=lambda alliance, data: services.alliance_set_confidential(
                actor=request.user, alliance=alliance, **data
            ),
        )


def _move_action(field: str, to: str):
    def move(self, request, object_id):
        return self.move_view(request, object_id, field, to)

    move.__name__ = _move_name(field, to)
    label = _label(field, to)
    return unfold_action(description=label, url_path=f"move/{field}/{to}")(move)


for _field, _choices in TRANSITION_CHOICES.items():
    for _to in _choices.values:
        setattr(AllianceAdmin, _move_name(_field, _to), _move_action(_field, _to))


@admin.register(ActivityLog)
class ActivityLogAdmin(RoleAdmin):
    list_display = ["created_at", "actor", "verb", "object_repr", "alliance", "request_id"]
    list_filter = ["verb", "content_type"]
    search_fields = ["object_repr", "request_id", "actor__username"]
    list_select_related = ["actor", "alliance", "content_type"]
    date_hierarchy = "created_at"

    add_rule = change_rule = delete_rule = staticmethod(rules.nobody)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


def _changes_people(user, person=None) -> bool:
    # Granting superuser status stays with superusers.
    return user.is_superuser or (
        access.is_head(user) and (person is None or not person.is_superuser)
    )


class UserAdmin(rules.RulesMixin, DjangoUserAdmin, ModelAdmin):
    """Leads and the head look people up (to pick leads, sponsors, members); the head
    manages them."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm

    view_rule = staticmethod(lambda user, obj=None: rules.managers(user) or user.is_superuser)
    change_rule = staticmethod(_changes_people)
    delete_rule = staticmethod(rules.superuser)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
