"""Status reports in the admin: inline on each alliance, and a list of their own."""

from django import forms
from django.contrib import admin
from django.shortcuts import render
from django.urls import path
from rest_framework.exceptions import ValidationError

from alliances.admin import AllianceAdmin, RoleAdmin, StaffInline, refusal_message
from alliances.choices import AllianceType, ManagementModel, Stage, Status
from alliances.models import Alliance, TherapeuticArea
from config.api.exceptions import DomainError

from . import access, selectors, services
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
        except (DomainError, ValidationError) as error:
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


class PortfolioForm(forms.Form):
    """The workbook's filters, as on the alliances list."""

    stage = forms.MultipleChoiceField(choices=Stage.choices, required=False)
    status = forms.MultipleChoiceField(choices=Status.choices, required=False)
    therapeutic_area = forms.ModelMultipleChoiceField(
        queryset=TherapeuticArea.objects.all(), to_field_name="code", required=False
    )
    alliance_type = forms.MultipleChoiceField(choices=AllianceType.choices, required=False)
    management_model = forms.MultipleChoiceField(choices=ManagementModel.choices, required=False)
    rag = forms.MultipleChoiceField(choices=Rag.choices, required=False, label="Latest RAG")
    since = forms.DateField(
        required=False,
        help_text="Changes since this date (YYYY-MM-DD; default 30 days ago).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def download_portfolio_view(request):
    """Admin page: pick filters, download the workbook (the same one as the API)."""
    from django.core.exceptions import PermissionDenied
    from django.http import QueryDict

    from .api.views import workbook_response

    if not access.can_download_portfolio(request.user):
        raise PermissionDenied
    form = PortfolioForm(request.GET if "download" in request.GET else None)
    if form.is_valid():
        params = QueryDict(mutable=True)
        for name, value in request.GET.lists():
            if name in form.fields and any(value):
                params.setlist(name, [v for v in value if v])
        return workbook_response(user=request.user, params=params)
    return render(
        request,
        "admin/reports/download_portfolio.html",
        {
            **admin.site.each_context(request),
            "title": "Download the portfolio workbook",
            "form": form,
        },
    )
