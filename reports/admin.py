"""Status reports in the admin: inline on each alliance, and a list of their own; and the
page that downloads the portfolio workbook."""

from types import SimpleNamespace

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.widgets import INPUT_CLASSES, SELECT_CLASSES, UnfoldAdminSelectWidget

from alliances import admin_rules as rules
from alliances.admin import AllianceAdmin, RoleAdmin, StaffInline
from alliances.filters import AllianceFilter
from alliances.models import Alliance, Partner
from config import display
from config.admin_errors import REFUSALS, refusal_message
from config.api.filters import StrictBooleanField

from . import access, jobs, selectors, services
from .api.views import workbook_response
from .choices import JobStatus
from .models import ReportJob, StatusReport
from .portfolio.params import DEFAULT_SINCE_DAYS, SinceField


class StatusReportInline(StaffInline):
    """On the alliance's page: its reports, newest month first, RAG and trend as badges."""

    model = StatusReport
    extra = 0
    fields = ["report_month", "rag_badge", "trend_label", "headline", "written_by", "updated"]
    readonly_fields = fields
    ordering = ["-month"]
    show_change_link = True
    max_num = 0  # written from the status report page, which checks the month is open
    tab = True
    hide_title = True
    per_page = 12

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description="Month")
    def report_month(self, report):
        return report.month.strftime("%b %Y")

    @admin.display(description="RAG")
    def rag_badge(self, report):
        return display.rag(report.rag, report.get_rag_display())

    @admin.display(description="Trend")
    def trend_label(self, report):
        return report.get_trend_display()

    @admin.display(description="Written by")
    def written_by(self, report):
        author = report.author
        return (author.get_full_name() or author.get_username()) if author else display.EMPTY

    @admin.display(description="Last changed")
    def updated(self, report):
        return display.moment(report.updated_at)


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


def _writes_report(user, report=None) -> bool:
    return report is None or access.can_write_status_report(user, report.alliance)


@admin.register(StatusReport)
class StatusReportAdmin(RoleAdmin):
    form = StatusReportForm
    list_display = ["alliance", "month_label", "rag_badge", "trend", "headline", "author"]
    list_filter = ["rag", "trend", "month"]
    search_fields = ["alliance__code", "alliance__name", "headline"]
    list_select_related = ["alliance", "author"]
    autocomplete_fields = ["alliance"]
    date_hierarchy = "month"
    fields = ["alliance", "month", "rag", "trend", "headline", "narrative", "author"]

    def get_queryset(self, request):
        return selectors.status_report_list(user=request.user)

    @admin.display(description="Month", ordering="month")
    def month_label(self, report):
        return f"{report.month:%b %Y}"

    @admin.display(description="RAG", ordering="rag")
    def rag_badge(self, report):
        return display.rag(report.rag, report.get_rag_display())

    def get_readonly_fields(self, request, obj=None):
        return ["alliance", "month", "author"] if obj else ["author"]

    add_rule = staticmethod(rules.staff)
    change_rule = staticmethod(_writes_report)
    delete_rule = staticmethod(rules.nobody)

    def get_urls(self):
        view = self.admin_site.admin_view(download_portfolio_view)
        job = self.admin_site.admin_view(portfolio_job_view)
        return [
            path("portfolio/", view, name="download_portfolio"),
            path("portfolio/jobs/<int:pk>/", job, name="portfolio_job"),
            *super().get_urls(),
        ]

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
LABELS = {
    "mine": "Alliances I lead, sponsor or am a member of",
    "rag": "Latest RAG",
    "report_missing": "Status report missing",
}


class PortfolioForm(forms.Form):
    """The workbook's parameters: `search`, the alliances list's filters and `since`. The
    filters are the filterset's own form fields, so this page parses every value exactly as
    the API does; only their widgets are the admin's (selects of what the reader can see)."""

    def __init__(self, data=None, *, user):
        super().__init__(data)
        request = SimpleNamespace(user=user)
        filterset = AllianceFilter(queryset=Alliance.objects.visible_to(user), request=request)
        filters = filterset.get_form_class()(prefix=filterset.form_prefix).fields
        self.fields = {
            "search": forms.CharField(required=False, help_text="Code, name or partner name."),
            **filters,
            "since": SinceField(
                required=False,
                help_text=f"Changes since this date, up to today (default "
                f"{DEFAULT_SINCE_DAYS} days ago).",
                widget=forms.DateInput({"type": "date"}),
            ),
        }
        choices = _choices(user)
        for name, field in filters.items():
            field.label = LABELS.get(name, pretty_name(name))
            if name in choices:
                field.widget = forms.Select(choices=[("", "Any"), *choices[name]])
            elif isinstance(field, StrictBooleanField):
                field.widget = forms.Select(choices=YES_NO)
            elif isinstance(field, forms.DateField):
                field.widget = forms.DateInput({"type": "date"})
        for field in self.fields.values():
            _unfold_look(field.widget)

    def params(self) -> QueryDict:
        """What was asked, as the API's query parameters (the workbook parses them again)."""
        params = self.data.copy()
        params.pop("download", None)
        params.pop("csrfmiddlewaretoken", None)  # the form's, not a filter
        return params


def _unfold_look(widget) -> None:
    """The admin's own input and select look (django-unfold's widget classes)."""
    classes = SELECT_CLASSES if isinstance(widget, forms.Select) else INPUT_CLASSES
    widget.attrs["class"] = " ".join(classes)
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        widget.template_name = UnfoldAdminSelectWidget.template_name  # with its arrow


def _choices(user) -> dict[str, list[tuple[int, str]]]:
    """The id filters' options: people on alliances the reader sees, partners they see."""
    visible = Alliance.objects.visible_to(user)
    people = get_user_model().objects.order_by("last_name", "first_name", "username")
    partners = Partner.objects.visible_to(user).order_by("name")
    return {
        "partner": [(p.pk, str(p)) for p in partners],
        "lead": [(u.pk, str(u)) for u in people.filter(pk__in=visible.values("lead_id"))],
        "executive_sponsor": [
            (u.pk, str(u)) for u in people.filter(pk__in=visible.values("executive_sponsor_id"))
        ],
    }


def download_portfolio_view(request):
    """Admin page: pick filters and make the workbook (the same one as the API): queued as a
    report job, whose page shows its progress until the file is ready. `?download=1` with the
    filters still answers the file at once, for links and scripts."""
    if not access.can_download_portfolio(request.user):
        raise PermissionDenied
    if request.method == "POST":
        data = request.POST
    elif "download" in request.GET:
        data = request.GET
    else:
        data = None
    form = PortfolioForm(data, user=request.user)
    unknown = sorted(set(data or ()) - set(form.fields) - {"download", "csrfmiddlewaretoken"})
    if unknown:
        form.add_error(None, f"Not a filter of the portfolio workbook: {', '.join(unknown)}.")
    if form.is_valid():
        try:
            if request.method == "POST":
                job = jobs.queue_portfolio_job(actor=request.user, params=form.params())
                return redirect("admin:portfolio_job", job.pk)
            return workbook_response(user=request.user, params=form.params())
        except ValidationError as error:
            form.add_error(None, refusal_message(error))
    recent = list(ReportJob.objects.visible_to(request.user).order_by("-created_at", "-pk")[:5])
    return render(
        request,
        "admin/reports/download_portfolio.html",
        {
            **admin.site.each_context(request),
            "title": "Download the portfolio workbook",
            "form": form,
            "recent": recent,
            "recent_table": {
                "headers": ["Workbook", "Asked for", "Status"],
                "rows": [
                    [
                        format_html(
                            '<a class="font-medium text-primary-600 dark:text-primary-500" '
                            'href="{}">Job {}</a>',
                            reverse("admin:portfolio_job", args=[job.pk]),
                            job.pk,
                        ),
                        display.moment(job.created_at),
                        display.badge(job.get_status_display(), JOB_VARIANTS.get(job.status, "")),
                    ]
                    for job in recent
                ],
            },
        },
    )


JOB_VARIANTS = {
    JobStatus.QUEUED: "info",
    JobStatus.RUNNING: "primary",
    JobStatus.DONE: "success",
    JobStatus.FAILED: "danger",
}


def portfolio_job_view(request, pk: int):
    """One report job of the reader's: its progress, refreshed every two seconds while it runs,
    then the download (or why it failed)."""
    job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
    running = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    return render(
        request,
        "admin/reports/portfolio_job.html",
        {
            **admin.site.each_context(request),
            "title": f"Portfolio workbook (job {job.pk})",
            "job": job,
            "running": running,
            "file_url": f"/api/v1/reports/portfolio-jobs/{job.pk}/file/",
            "expired": job.status == JobStatus.DONE and not job.file,
            "status_variant": JOB_VARIANTS.get(job.status, ""),
            "progress_text": f"{job.progress}%, {job.rows_done:,} of {job.rows_total:,} alliances",
            "progress_items": [{"value": job.progress}],  # the bar's track shows at 0% too
        },
    )
