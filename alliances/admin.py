"""The admin uses the same visibility method and services as the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.shortcuts import render

from config.admin_errors import REFUSALS, refusal_message

from . import access, services
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


class RoleAdmin(admin.ModelAdmin):
    """Model permissions follow the roles, not per-user Django permissions."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return access.is_head(request.user)

    def has_change_permission(self, request, obj=None):
        return access.is_head(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.is_head(request.user)


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

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return access.can_change_partners(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_change_partners(request.user)


class StaffInline(admin.TabularInline):
    """Inlines are seen by whoever sees the page; each says who may change it."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


class MembershipInline(StaffInline):
    model = AllianceMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "added_at"]
    readonly_fields = ["added_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and access.can_change_alliance(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and access.can_change_alliance(request.user, obj)


class TransitionInline(StaffInline):
    model = StageTransition
    extra = 0
    fields = ["created_at", "field", "from_value", "to_value", "actor", "note"]
    readonly_fields = fields
    ordering = ["-created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
    readonly_fields = ["code", "stage", "status", "management_model", "created_at", "updated_at"]
    inlines = [MembershipInline, TransitionInline]
    actions = ["move_selected"]
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

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["code", "created_at", "updated_at"]
        return self.readonly_fields

    def has_add_permission(self, request):
        return access.can_create_alliance(request.user)

    def has_change_permission(self, request, obj=None):
        return access.manages_alliances(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

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

    @admin.action(description="Move selected alliances (stage, status or management model)")
    def move_selected(self, request, queryset):
        if not access.manages_alliances(request.user):
            self.message_user(
                request, "Only alliance leads and the head move alliances.", messages.ERROR
            )
            return None
        form = TransitionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            moved, refused = [], []
            for alliance in queryset.order_by("code"):
                try:
                    with transaction.atomic():
                        services.alliance_transition(
                            actor=request.user,
                            alliance=alliance,
                            backwards_allowed=access.is_head(request.user),
                            **form.cleaned_data,
                        )
                    moved.append(alliance.code)
                except REFUSALS as error:
                    refused.append(f"{alliance.code}: {refusal_message(error)}")
            if moved:
                self.message_user(
                    request, f"Moved {len(moved)}: {', '.join(moved)}.", messages.SUCCESS
                )
            for refusal in refused:
                self.message_user(request, f"Not moved, {refusal}", messages.ERROR)
            return None
        return render(
            request,
            "admin/alliances/move_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "Move selected alliances",
                "alliances": queryset.order_by("code"),
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(ActivityLog)
class ActivityLogAdmin(RoleAdmin):
    list_display = ["created_at", "actor", "verb", "object_repr", "alliance", "request_id"]
    list_filter = ["verb", "content_type"]
    search_fields = ["object_repr", "request_id", "actor__username"]
    list_select_related = ["actor", "alliance", "content_type"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserAdmin(DjangoUserAdmin):
    """Leads and the head look people up (to pick leads, sponsors, members); the head
    manages them."""

    def has_module_permission(self, request):
        return access.manages_alliances(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return access.is_head(request.user)

    def has_change_permission(self, request, obj=None):
        # Granting superuser status stays with superusers.
        return request.user.is_superuser or (
            access.is_head(request.user) and (obj is None or not obj.is_superuser)
        )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
