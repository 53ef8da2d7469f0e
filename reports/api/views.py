import tempfile

from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from alliances.api.views import require
from alliances.calendar import today
from alliances.filters import ALLIANCE_SEARCH_FIELDS, AllianceFilter
from alliances.models import Alliance
from config.api.filters import StrictSearchFilter
from config.api.viewsets import ID, ReadViewSet

from .. import access, selectors, services
from ..filters import StatusReportFilter
from ..portfolio.params import DEFAULT_SINCE_DAYS
from ..workbook import PortfolioQuery, portfolio_workbook_build
from .serializers import (
    StatusReportCreateSerializer,
    StatusReportSerializer,
    StatusReportUpdateSerializer,
)

WRITERS = "Only the alliance's lead, its members and the head write its status reports."


class StatusReportViewSet(ReadViewSet):
    """Monthly status per alliance: RAG, trend, headline, narrative. Everyone who sees the
    alliance reads them; its lead, members and the head write them until the month closes."""

    serializer_class = StatusReportSerializer
    filterset_class = StatusReportFilter
    search_fields = ["headline", "alliance__code", "alliance__name"]
    ordering_fields = ["month", "updated_at", "rag"]
    ordering = ["-month", "alliance__code", "pk"]
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.status_report_list(user=self.request.user)

    def _respond(self, report, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(StatusReportSerializer(fresh).data, status=code)

    @extend_schema(
        request=StatusReportCreateSerializer,
        responses={
            201: StatusReportSerializer,
            409: OpenApiResponse(description="duplicate_report or month_closed"),
        },
    )
    def create(self, request):
        visible = Alliance.objects.visible_to(request.user)
        data = StatusReportCreateSerializer(data=request.data, visible_alliances=visible)
        data.is_valid(raise_exception=True)
        require(
            access.can_write_status_report(request.user, data.validated_data["alliance"]), WRITERS
        )
        report = services.status_report_create(actor=request.user, data=data.validated_data)
        return self._respond(report, status.HTTP_201_CREATED)

    @extend_schema(request=StatusReportUpdateSerializer, responses=StatusReportSerializer)
    def partial_update(self, request, pk=None):
        report = self.get_object()
        require(access.can_write_status_report(request.user, report.alliance), WRITERS)
        data = StatusReportUpdateSerializer(instance=report, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = services.status_report_update(
            actor=request.user, report=report, data=data.validated_data
        )
        return self._respond(updated)


SINCE = OpenApiParameter(
    "since",
    OpenApiTypes.DATE,
    description=f"Changes since this date, up to today (default: {DEFAULT_SINCE_DAYS} days ago).",
)


def workbook_response(*, user, params) -> FileResponse:
    """The workbook as a download; bad filters raise a ValidationError (a 400)."""
    query = PortfolioQuery(user=user, params=params)
    # Closed by the response once sent, so no context manager here.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    portfolio_workbook_build(query, out=out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"portfolio-{today():%Y-%m-%d}.xlsx",
        content_type=XLSX,
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PortfolioWorkbookView(APIView):
    """The executive portfolio workbook for executives, leads and the head. Takes the alliances
    list's filters and search, and `since` for the changes sheet; any other parameter, or several
    values for one that takes one, is a 400. Confidential alliances the reader is not on are
    masked rows, which only the stage, status, therapeutic-area, `confidential=true` and
    `mine=false` filters match."""

    # For the schema: the same filters and search as the alliances list.
    filter_backends = [DjangoFilterBackend, StrictSearchFilter]
    filterset_class = AllianceFilter
    search_fields = ALLIANCE_SEARCH_FIELDS

    def get_queryset(self):
        return Alliance.objects.none()

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the spreadsheet type still gets its errors (as JSON).
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[SINCE],
        filters=True,
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="A bad or unknown filter, by parameter."),
            403: OpenApiResponse(description="Not an executive, alliance lead or the head."),
        },
    )
    def get(self, request):
        require(
            access.can_download_portfolio(request.user),
            "The portfolio workbook is for executives, alliance leads and the head.",
        )
        return workbook_response(user=request.user, params=request.query_params)
