"""The admin uses the same visibility method and services as the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.shortcuts import render
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from config.admin_errors import REFUSALS, dry_run_refusal, refusal_message

from . import access, services
from . import admin_rules as rules
from .choices import TransitionField
from .models import (
    ActivityLog,
    Alliance,
    AllianceMembership,
    Partner,
    StageTransition,
    TherapeuticArea,
)
from .services import TRANSITION_CHOICES

User = get_user_model()


class RoleAdmin(rules.RulesMixin, ModelAdmin):
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
    """Inlines are seen by whoever sees the page; each names who may change it."""


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
    fields = ["user", "role", "added_at"]
    readonly_fields = ["added_at"]
    add_rule = delete_rule = staticmethod(_changes_alliance)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.current_user = request.user
        return formset


class TransitionInline(StaffInline):
    model = StageTransition
    extra = 0
    fields = ["created_at", "field", "from_value", "to_value", "actor", "note"]
    readonly_fields = fields
    ordering = ["-created_at"]
    can_delete = False


class AllianceForm(forms.ModelForm):
    """An edit the service would refuse (a lead who cannot take over the old one's work on a
    confidential alliance) is a form error, not a failed save."""

    current_user = None

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.changed_data and not self.errors:
            changed = {name: data[name] for name in self.changed_data if name in data}
            refusal = dry_run_refusal(
                lambda: services.alliance_update(
                    actor=self.current_user, alliance=self.instance, data=changed
                )
            )
            if refusal:
                raise forms.ValidationError(refusal)
        return data


class ConfidentialityForm(forms.Form):
    confidential = forms.TypedChoiceField(
        choices=[("true", "Confidential"), ("false", "Not confidential")],
        coerce=lambda value: value == "true",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why (logged).")


class TransitionForm(forms.Form):
    field = forms.ChoiceField(choices=TransitionField.choices)
    to = forms.ChoiceField(
        choices=[
            (field.label, [(value, label) for value, label in choices.choices])
            for field, choices in ((TransitionField(f), c) for f, c in TRANSITION_CHOICES.items())
        ]
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required for management-model changes and for moving a stage back.",
    )


@admin.register(Alliance)
class AllianceAdmin(RoleAdmin):
    form = AllianceForm
    add_rule = staticmethod(lambda user, obj=None: access.can_create_alliance(user))
    change_rule = staticmethod(rules.managers)
    delete_rule = staticmethod(rules.nobody)
    list_display = [
        "code",
        "name",
        "partner",
        "therapeutic_area",
        "stage",
        "status",
        "management_model",
        "lead",
        "confidential",
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
    inlines = [MembershipInline, TransitionInline]
    actions = ["move_selected", "change_confidentiality"]
    fieldsets = [
        (None, {"fields": ["code", "name", "partner", "therapeutic_area", "description"]}),
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
            "Lifecycle (moved with the “Move selected alliances” action)",
            {"fields": ["stage", "status", "management_model", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_inlines(self, request, obj):
        return [*self.inlines, *(_alliance_inlines if obj is not None else [])]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["code", "created_at", "updated_at"]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def get_actions(self, request):
        actions = super().get_actions(request)
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
