"""`meetings/` with reschedule, cancel and held, and each held meeting's minutes. Everyone
reads what they may see; leads, the head and the alliance's governance-logistics assignee
schedule and run meetings."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliances.access import manages_alliances
from alliances.api.views import require
from config.api.viewsets import ReadViewSet
from resourcing.choices import ServiceCode
from resourcing.models import Assignment

from .. import selectors
from ..filters import MeetingFilter
from ..models import Minutes
from ..services import meetings as services
from .serializers import (
    CancelSerializer,
    HeldSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MeetingUpdateSerializer,
    MinutesApproveSerializer,
    MinutesInputSerializer,
    MinutesSavedSerializer,
    MinutesSerializer,
    RescheduleSerializer,
)


def _logistics(user):
    return Assignment.objects.filter(assignee=user, service__code=ServiceCode.GOVERNANCE_LOGISTICS)


def can_run_meetings(user, alliance_id: int | None = None) -> bool:
    """Leads and the head; and the alliance's governance-logistics assignee (with no alliance:
    the assignee of any)."""
    if manages_alliances(user):
        return True
    assigned = _logistics(user)
    if alliance_id is not None:
        assigned = assigned.filter(alliance_id=alliance_id)
    return assigned.exists()


RUNNERS_ONLY = (
    "Only alliance leads, the head and the alliance's governance-logistics assignee run its "
    "meetings."
)
TIME_CONFLICTS = "illegal_transition, body_dissolved, alliance_closed or no_change"


class MeetingViewSet(ReadViewSet):
    """Committee meetings. `starts_at` carries an offset and `time_zone` is where the meeting
    takes place: `local_start` and `local_date` are in that zone, and the logistics steps count
    from `local_date`."""

    filterset_class = MeetingFilter
    search_fields = ["title", "body__name", "alliance__code", "alliance__name"]
    ordering_fields = ["starts_at", "status", "created_at"]
    ordering = ["starts_at", "pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.meeting_list(user=self.request.user)
        return selectors.meeting_detail_queryset(user=self.request.user)

    def get_serializer_class(self):
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def _respond(self, meeting, code=status.HTTP_200_OK):
        fresh = selectors.meeting_detail_queryset(user=self.request.user).get(pk=meeting.pk)
        return Response(MeetingDetailSerializer(fresh).data, status=code)

    def _runnable(self):
        meeting = self.get_object()
        require(can_run_meetings(self.request.user, meeting.alliance_id), RUNNERS_ONLY)
        return meeting

    @extend_schema(
        request=MeetingCreateSerializer,
        responses={
            201: MeetingDetailSerializer,
            409: OpenApiResponse(description="body_dissolved or alliance_closed"),
        },
    )
    def create(self, request):
        """Schedule a meeting: its logistics steps are created with it."""
        require(can_run_meetings(request.user), RUNNERS_ONLY)
        data = MeetingCreateSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        require(
            can_run_meetings(request.user, data.validated_data["body"].alliance_id), RUNNERS_ONLY
        )
        meeting = services.meeting_schedule(actor=request.user, data=data.validated_data)
        return self._respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses=MeetingDetailSerializer)
    def partial_update(self, request, pk=None):
        """Title, location, call link and duration; the time moves with reschedule."""
        meeting = self._runnable()
        data = MeetingUpdateSerializer(instance=meeting, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.meeting_update(actor=request.user, meeting=meeting, data=data.validated_data)
        return self._respond(meeting)

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: MeetingDetailSerializer, 409: OpenApiResponse(description=TIME_CONFLICTS)},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move a scheduled meeting (optionally to another `time_zone`): its open logistics
        steps move by the days its local date moved, never into the past; `sequence` rises."""
        meeting = self._runnable()
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_reschedule(actor=request.user, meeting=meeting, **data.validated_data)
        return self._respond(meeting)

    @extend_schema(
        request=CancelSerializer,
        responses={
            200: MeetingDetailSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a scheduled meeting: its open logistics steps are cancelled with the reason."""
        meeting = self._runnable()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_cancel(actor=request.user, meeting=meeting, **data.validated_data)
        return self._respond(meeting)

    @extend_schema(
        request=HeldSerializer,
        responses={
            200: MeetingDetailSerializer,
            409: OpenApiResponse(description="illegal_transition or meeting_not_started"),
        },
    )
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """The meeting took place; `attendees` are ids of the body's members."""
        meeting = self._runnable()
        data = HeldSerializer(data=request.data, body=meeting.body)
        data.is_valid(raise_exception=True)
        services.meeting_mark_held(actor=request.user, meeting=meeting, **data.validated_data)
        return self._respond(meeting)

    def _minutes_response(self, minutes, code=status.HTTP_200_OK, cleared=None):
        fresh = Minutes.objects.select_related(
            "meeting",
            "drafted_by",
            "internal_approved_by",
            "partner_approved_by",
            "partner_approval_recorded_by",
        ).get(pk=minutes.pk)
        if cleared is None:
            return Response(MinutesSerializer(fresh).data, status=code)
        fresh.approvals_cleared = cleared
        return Response(MinutesSavedSerializer(fresh).data, status=code)

    @extend_schema(
        methods=["GET"],
        responses={
            200: MinutesSerializer,
            404: OpenApiResponse(description="No minutes drafted yet"),
            409: OpenApiResponse(description="meeting_not_held"),
        },
        filters=False,
    )
    @extend_schema(
        methods=["PUT"],
        request=MinutesInputSerializer,
        responses={
            200: MinutesSavedSerializer,
            201: MinutesSavedSerializer,
            409: OpenApiResponse(description="meeting_not_held or minutes_final"),
        },
    )
    @action(detail=True, methods=["get", "put"])
    def minutes(self, request, pk=None):
        """A held meeting's minutes: the draft (text and a link to the document) and each
        side's approval. PUT drafts them (201 the first time) or redrafts them: a change after
        one side approved withdraws the approvals given (`approvals_cleared`), since each side
        approves the words it read; once both sides approved, the minutes are the record and
        are not edited (409 minutes_final)."""
        if request.method == "GET":
            minutes = services.minutes_of(self.get_object())
            if minutes is None:
                raise NotFound("No minutes drafted yet.")
            return self._minutes_response(minutes)
        meeting = self._runnable()
        data = MinutesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        minutes, created, cleared = services.minutes_save(
            actor=request.user, meeting=meeting, **data.validated_data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return self._minutes_response(minutes, code, cleared)

    @extend_schema(
        request=MinutesApproveSerializer,
        responses={
            200: MinutesSerializer,
            409: OpenApiResponse(
                description="meeting_not_held, minutes_missing or already_approved"
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="minutes/approve")
    def minutes_approve(self, request, pk=None):
        """Record one side's approval: `{side: "internal"}` is yours; `{side: "partner",
        contact}` names who approved at the partner and records you as the one who noted it.
        Both sides approved: the meeting is minutes_approved."""
        meeting = self._runnable()
        data = MinutesApproveSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        minutes = services.minutes_approve(
            actor=request.user, meeting=meeting, **data.validated_data
        )
        return self._minutes_response(minutes)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("meetings", MeetingViewSet, basename="meeting")
