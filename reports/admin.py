"""Status reports in the admin: inline on each alliance, and a list of their own."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import QueryDict
from django.shortcuts import render
from django.urls import path

from alliances.admin import AllianceAdmin, RoleAdmin, StaffInline
from alliances.choices import (
    AllianceType,
    Direction,
    ManagementModel,
    PartnerKind,
    Stage,
    Status,
)
from alliances.models import Alliance, Partner, TherapeuticArea
from config.admin_errors import REFUSALS, refusal_message

from . import access, selectors, services
from .api.views import workbook_response
from .choices import Rag
from .models import StatusReport


class StatusReportInline(StaffInline):
    model = StatusReport
    extra = 0
    fields = ["month", "rag", "trend", "headline", "author", "updated_at"]
    readonly_fields = fields
    ordering = ["-month"]
    show_change_link = True
    max_num = 0  # written from the status report page, which checks the month is open

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AllianceWithReportsAdmin(AllianceAdmin):
    inlines = [*AllianceAdmin.inlines, StatusReportInline]


admin.site.unregister(Alliance)
admin.site.register(Alliance, AllianceWithReportsAdmin)


class StatusReportForm(forms.ModelForm):
    """Checks the service's rules up front, so a refusal is a form error, not a crash."""

    class Meta:
        model = StatusReport
        fields = ["alliance", "month", "rag", "trend", "headline", "narrative"]

    def clean(self):
        data = super().clean()
        month = data.get("month") if self.instance.pk is None else self.instance.month
        if month is None:
            return data
        if month.day != 1:
            self.add_error("month", "Give the first day of the month.")
            return data
        try:
            services.check_month_open(month)
        except REFUSALS as error:
            raise forms.ValidationError(refusal_message(error)) from None
        alliance = data.get("alliance")
        if self.instance.pk is None and alliance is not None:
            if StatusReport.objects.filter(alliance=alliance, month=month).exists():
                raise forms.ValidationError("This alliance already has a report for that month.")
            if not access.can_write_status_report(self.current_user, alliance):
                raise forms.ValidationError(
                    "Only the alliance's lead, its members and the head write its reports."
                )
        return data


@admin.register(StatusReport)
class StatusReportAdmin(RoleAdmin):
    form = StatusReportForm
    list_display = ["alliance", "month", "rag", "trend", "headline", "author", "updated_at"]
    list_filter = ["rag", "trend", "month"]
    search_fields = ["alliance__code", "alliance__name", "headline"]
    list_select_related = ["alliance", "author"]
    autocomplete_fields = ["alliance"]
    date_hierarchy = "month"
    fields = ["alliance", "month", "rag", "trend", "headline", "narrative", "author"]

    def get_queryset(self, request):
        return selectors.status_report_list(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["alliance", "month", "author"] if obj else ["author"]

    def has_add_permission(self, request):
        return request.user.is_staff

    def has_change_permission(self, request, obj=None):
        return obj is None or access.can_write_status_report(request.user, obj.alliance)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(download_portfolio_view)
        return [path("portfolio/", view, name="download_portfolio"), *super().get_urls()]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "alliance" in form.base_fields:
            form.base_fields["alliance"].queryset = Alliance.objects.visible_to(request.user)
        form.current_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        fields = ("rag", "trend", "headline", "narrative")
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data if name in fields}
            services.status_report_update(actor=request.user, report=obj, data=data)
        else:
            data = {name: form.cleaned_data[name] for name in ("alliance", "month", *fields)}
            obj.pk = services.status_report_create(actor=request.user, data=data).pk


YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class PortfolioForm(forms.Form):
    """The workbook's filters, as on the alliances list."""

    search = forms.CharField(required=False, help_text="Code, name or partner name.")
    stage = forms.MultipleChoiceField(choices=Stage.choices, required=False)
    status = forms.MultipleChoiceField(choices=Status.choices, required=False)
    therapeutic_area = forms.ModelMultipleChoiceField(
        queryset=TherapeuticArea.objects.order_by("name"), to_field_name="code", required=False
    )
    alliance_type = forms.MultipleChoiceField(choices=AllianceType.choices, required=False)
    direction = forms.MultipleChoiceField(choices=Direction.choices, required=False)
    management_model = forms.MultipleChoiceField(choices=ManagementModel.choices, required=False)
    partner = forms.ModelChoiceField(queryset=Partner.objects.order_by("name"), required=False)
    partner_kind = forms.MultipleChoiceField(choices=PartnerKind.choices, required=False)
    lead = forms.ModelChoiceField(queryset=None, required=False)
    executive_sponsor = forms.ModelChoiceField(queryset=None, required=False)
    mine = forms.ChoiceField(
        choices=YES_NO, required=False, label="Alliances I lead, sponsor or am a member of"
    )
    confidential = forms.ChoiceField(choices=YES_NO, required=False)
    rag = forms.MultipleChoiceField(choices=Rag.choices, required=False, label="Latest RAG")
    report_missing = forms.ChoiceField(
        choices=YES_NO, required=False, label="Status report missing"
    )
    start_date_after = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    start_date_before = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    end_date_after = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    end_date_before = forms.DateField(required=False, widget=forms.DateInput({"type": "date"}))
    since = forms.DateField(
        required=False,
        help_text="Changes since this date, up to today (default 30 days ago).",
        widget=forms.DateInput({"type": "date"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Alliance.objects.visible_to(user)
        people = get_user_model().objects.order_by("last_name", "first_name", "username")
        self.fields["lead"].queryset = people.filter(pk__in=visible.values("lead_id"))
        self.fields["executive_sponsor"].queryset = people.filter(
            pk__in=visible.values("executive_sponsor_id")
        )

    def params(self) -> QueryDict:
        """The chosen filters as the API's query parameters."""
        params = QueryDict(mutable=True)
        for name, value in self.cleaned_data.items():
            if isinstance(value, datetime.date):
                params[name] = value.isoformat()
            elif isinstance(value, models.Model):
                params[name] = str(value.pk)
            elif isinstance(value, str):
                if value.strip():
                    params[name] = value
            elif value is not None and len(value):
                params.setlist(name, [getattr(v, "code", v) for v in value])
        return params


def download_portfolio_view(request):
    """Admin page: pick filters, download the workbook (the same one as the API)."""
    if not access.can_download_portfolio(request.user):
        raise PermissionDenied
    data = request.GET if "download" in request.GET else None
    form = PortfolioForm(data, user=request.user)
    unknown = sorted(set(data or ()) - set(form.fields) - {"download"})
    if unknown:
        form.add_error(None, f"Not a filter of the portfolio workbook: {', '.join(unknown)}.")
    if form.is_valid():
        try:
            return workbook_response(user=request.user, params=form.params())
        except ValidationError as error:
            form.add_error(None, refusal_message(error))
    return render(
        request,
        "admin/reports/download_portfolio.html",
        {
            **admin.site.each_context(request),
            "title": "Download the portfolio workbook",
            "form": form,
        },
    )
