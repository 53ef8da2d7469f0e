"""Report jobs over the API: POST reports/portfolio-jobs/ queues the portfolio workbook (202),
GET lists and reads the caller's own jobs, GET …/{id}/file/ downloads the workbook once done."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from alliances.api.views import require
from alliances.calendar import local_date
from config.api.serializers import ReadModelSerializer
from config.api.viewsets import ReadViewSet

from .. import access, jobs
from ..choices import JobStatus
from ..models import ReportJob
from .views import XLSX

FILTERS_HELP = (
    "The workbook's filters, as for GET reports/portfolio.xlsx: the alliances list's filters, "
    "`search` and `since`, each a string (or a list of strings for a filter that takes "
    'several), e.g. {"stage": "development", "since": "2026-10-01"}.'
)


class ReportJobSerializer(ReadModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "status",
            "progress",
            "rows_done",
            "rows_total",
            "filters",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "error",
            "file_url",
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file_url(self, job) -> str | None:
        """Where to download the workbook: only once done, until it expires."""
        if job.status != JobStatus.DONE or job.is_expired(timezone.now()):
            return None
        url = reverse("report-job-file", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


def _conflict(codes: list[str], description: str) -> OpenApiResponse:
    return OpenApiResponse(
        description=description,
        response={
            "type": "object",
            "properties": {
                "code": {"type": "string", "enum": codes},
                "detail": {"type": "string"},
            },
            "required": ["code", "detail"],
        },
    )


def params_from_body(data) -> QueryDict:
    """The request body as the workbook's query parameters: a form's fields as they are; a JSON
    object's values as strings (true/false, numbers and lists of them too)."""
    if isinstance(data, QueryDict):
        return data.copy()
    if not isinstance(data, dict):
        raise ValidationError("Give the filters as an object: {name: value or [values]}.")
    params = QueryDict(mutable=True)
    errors = {}
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        texts = []
        for item in values:
            if isinstance(item, bool):
                texts.append("true" if item else "false")
            elif isinstance(item, int | str):
                texts.append(str(item))
            else:
                errors[name] = ["Give a string, a whole number, true or false, or a list of them."]
                break
        params.setlist(name, texts)
    if errors:
        raise ValidationError(errors)
    return params


class ReportJobViewSet(ReadViewSet):
    """The portfolio workbook, made in the background: queue it with the filters you would give
    GET reports/portfolio.xlsx, watch its progress, download it when done. A job is its
    creator's alone; the file is kept REPORT_JOB_DAYS days."""

    serializer_class = ReportJobSerializer
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return ReportJob.objects.visible_to(self.request.user).order_by("-created_at", "-pk")

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the spreadsheet type still gets its errors (as JSON).
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        request={"application/json": {"type": "object", "description": FILTERS_HELP}},
        responses={
            202: ReportJobSerializer,
            400: OpenApiResponse(description="A bad or unknown filter, by name."),
            403: OpenApiResponse(description="Not an executive, alliance lead or the head."),
        },
    )
    def create(self, request):
        require(
            access.can_download_portfolio(request.user),
            "The portfolio workbook is for executives, alliance leads and the head.",
        )
        if request.query_params:
            raise ValidationError(
                {name: ["Give the filters in the request body."] for name in request.query_params}
            )
        job = jobs.queue_portfolio_job(actor=request.user, params=params_from_body(request.data))
        job.refresh_from_db()  # it may have been refused by the queue, or (eager) run already
        url = reverse("report-job-detail", args=[job.pk])
        return Response(
            ReportJobSerializer(job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(url)},
        )

    @extend_schema(
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            409: _conflict(["not_ready", "job_failed"], "Queued or running, or failed."),
            410: _conflict(["expired"], "The file was deleted (kept REPORT_JOB_DAYS days)."),
        },
    )
    @action(detail=True, methods=["get"], url_path="file", url_name="file")
    def file(self, request, pk=None):
        job = self.get_object()
        if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            return Response(
                {"code": "not_ready", "detail": f"The workbook is {job.status}; try again soon."},
                status=status.HTTP_409_CONFLICT,
                headers={"Retry-After": "5"},
            )
        if job.status == JobStatus.FAILED:
            return Response(
                {"code": "job_failed", "detail": job.error or "The job failed."},
                status=status.HTTP_409_CONFLICT,
            )
        gone = Response(
            {"code": "expired", "detail": "The workbook was deleted; queue the job again."},
            status=status.HTTP_410_GONE,
        )
        if job.is_expired(timezone.now()):
            return gone
        try:
            handle = job.file.storage.open(job.file.name, "rb")
        except (FileNotFoundError, OSError):
            return gone
        made = local_date(job.finished_at or job.created_at)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"portfolio-{made:%Y-%m-%d}.xlsx",
            content_type=XLSX,
        )
