from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from alliances import selectors as alliance_selectors
from alliances.api.serializers import AllianceDetailSerializer
from alliances.api.views import require
from alliances.calendar import today
from alliances.models import Alliance
from config.api.pagination import is_whole_number
from config.api.viewsets import ID, ReadViewSet

from .. import access, capacity, selectors, services
from ..filters import IntakeRequestFilter, SpecialistFilter, TaskFilter
from .serializers import (
    AcceptResultSerializer,
    AcceptSerializer,
    AnswerSerializer,
    AssignmentSerializer,
    EmptySerializer,
    IntakeRequestDetailSerializer,
    IntakeRequestInputSerializer,
    IntakeRequestSerializer,
    MeWithSpecialistSerializer,
    QuestionSerializer,
    ReasonSerializer,
    ReassignSerializer,
    ServiceSerializer,
    SpecialistInputSerializer,
    SpecialistSerializer,
    SpecialistUpdateSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)


class MeView(APIView):
    @extend_schema(responses=MeWithSpecialistSerializer)
    def get(self, request):
        return Response(MeWithSpecialistSerializer.describe(request.user))


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The services specialists deliver, each with its playbook."""

    serializer_class = ServiceSerializer
    lookup_field = "code"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.service_list()


WEEKS = OpenApiParameter(
    "weeks", int, description=f"Horizon in weeks, 1-52 (default {capacity.HORIZON_WEEKS})."
)


def weeks_param(request) -> int:
    given = request.query_params.getlist("weeks")
    if len(given) > 1:  # refused, never the last one silently
        raise ValidationError({"weeks": ["Give weeks once."]})
    raw = given[0] if given else str(capacity.HORIZON_WEEKS)
    if not is_whole_number(raw) or not 1 <= int(raw) <= 52:
        raise ValidationError({"weeks": ["Must be a whole number of weeks from 1 to 52."]})
    return int(raw)


class CapacityView(APIView):
    """Leads and the head: capacity against demand per specialist and per service over the
    next `weeks`, with the hours the open intake pipeline would add."""

    @extend_schema(parameters=[WEEKS], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        require(
            access.can_see_all_specialists(request.user),
            "Only alliance leads and the head see capacity.",
        )
        return Response(capacity.capacity_report(weeks=weeks_param(request), user=request.user))


class SpecialistViewSet(ReadViewSet):
    """Specialists and their capacity: leads and the head see and change all of them; a
    specialist sees their own profile."""

    filterset_class = SpecialistFilter
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["user__username", "weekly_capacity_hours", "wip_limit", "open_tasks"]
    ordering = ["user__username"]
    lookup_value_regex = ID
    serializer_class = SpecialistSerializer

    def get_queryset(self):
        return selectors.specialist_list(user=self.request.user)

    def _respond(self, specialist, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=specialist.pk)
        return Response(SpecialistSerializer(fresh).data, status=code)

    @extend_schema(request=SpecialistInputSerializer, responses={201: SpecialistSerializer})
    def create(self, request):
        require(
            access.can_change_specialists(request.user),
            "Only alliance leads and the head manage specialists.",
        )
        data = SpecialistInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        specialist = services.specialist_create(actor=request.user, data=data.validated_data)
        return self._respond(specialist, status.HTTP_201_CREATED)

    @extend_schema(request=SpecialistUpdateSerializer, responses=SpecialistSerializer)
    def partial_update(self, request, pk=None):
        specialist = self.get_object()
        require(
            access.can_change_specialists(request.user),
            "Only alliance leads and the head manage specialists.",
        )
        data = SpecialistUpdateSerializer(instance=specialist, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.specialist_update(
            actor=request.user, specialist=specialist, data=data.validated_data
        )
        return self._respond(specialist)

    @extend_schema(parameters=[WEEKS], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def workload(self, request, pk=None):
        """Capacity, open work, overdue and utilisation over the next `weeks` (default 12)."""
        specialist = self.get_object()  # someone else's profile is a 404, as in the list
        require(
            access.can_see_workload(request.user, specialist),
            "Only leads, the head and the specialist see a workload.",
        )
        weeks = weeks_param(request)
        first, last = capacity.horizon(weeks)
        (row,) = capacity.specialist_rows(first=first, last=last, specialists=[specialist])
        horizon = {"start": first.isoformat(), "end": last.isoformat(), "weeks": weeks}
        return Response({"horizon": horizon, **row})


class IntakeRequestViewSet(ReadViewSet):
    """The front door. Everyone submits; requesters follow their own requests; leads (and,
    for confidential ones, the head) triage."""

    filterset_class = IntakeRequestFilter
    search_fields = ["title", "partner_name", "partner__name", "description"]
    ordering_fields = ["submitted_at", "sla_due", "desired_start_date", "title", "created_at"]
    ordering = ["sla_due", "pk"]
    lookup_value_regex = ID

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.intake_detail_queryset(user=self.request.user)
        return selectors.intake_list(user=self.request.user)

    def get_serializer_class(self):
        return IntakeRequestSerializer if self.action == "list" else IntakeRequestDetailSerializer

    def _respond(self, intake, code=status.HTTP_200_OK):
        fresh = selectors.intake_detail_queryset(user=self.request.user).get(pk=intake.pk)
        return Response(IntakeRequestDetailSerializer(fresh).data, status=code)

    def _triageable(self):
        intake = self.get_object()
        require(
            access.can_triage(self.request.user, intake),
            "Only alliance leads triage requests (the head, if it is confidential).",
        )
        return intake

    @extend_schema(
        request=IntakeRequestInputSerializer, responses={201: IntakeRequestDetailSerializer}
    )
    def create(self, request):
        data = IntakeRequestInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        requested = fields.pop("requested_services")
        intake = services.intake_submit(actor=request.user, data=fields, services=requested)
        return self._respond(intake, status.HTTP_201_CREATED)

    @extend_schema(
        request=EmptySerializer,
        responses={
            200: IntakeRequestDetailSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """Take a submitted request into triage."""
        intake = self._triageable()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        return self._respond(services.intake_triage(actor=request.user, intake=intake))

    @extend_schema(request=ReasonSerializer, responses=IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        intake = self._triageable()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.intake_decline(actor=request.user, intake=intake, **data.validated_data)
        )

    @extend_schema(request=QuestionSerializer, responses=IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        intake = self._triageable()
        data = QuestionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.intake_request_info(actor=request.user, intake=intake, **data.validated_data)
        )

    @extend_schema(request=AnswerSerializer, responses=IntakeRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The requester answers the triage question; the request is submitted again."""
        intake = self.get_object()
        require(access.can_answer(request.user, intake), "Only the requester answers.")
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.intake_answer(actor=request.user, intake=intake, **data.validated_data)
        )

    @extend_schema(
        request=AcceptSerializer,
        responses={
            201: AcceptResultSerializer,
            409: OpenApiResponse(description="already_accepted or illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a request in triage: the alliance in start-up, one assignment per service and
        the start-up playbooks' tasks, in one transaction."""
        intake = self._triageable()
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        result = services.intake_accept(
            actor=request.user,
            intake=intake,
            management_model=body["management_model"],
            services=body.get("services"),
            overrides=body.get("overrides"),
            alliance_fields=body.get("alliance"),
        )
        alliance = alliance_selectors.alliance_after_write(alliance=result["alliance"])
        tasks = selectors.task_list(user=request.user).filter(
            pk__in=[task.pk for task in result["tasks"]]
        )
        return Response(
            {
                "alliance": AllianceDetailSerializer(alliance).data,
                "assignments": AssignmentSerializer(result["assignments"], many=True).data,
                "tasks": TaskSerializer(tasks.order_by("due_date", "pk"), many=True).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def recommendation(self, request, pk=None):
        """The management model and the ranked specialists per requested service, with every
        factor and every exclusion. Read-only."""
        intake = self._triageable()
        return Response(selectors.intake_recommendation(intake=intake, user=request.user))


class TaskViewSet(ReadViewSet):
    """Work on alliances. `?assignee=me&open=true` is your queue: open work, overdue first, then
    by due date, then by priority."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["title", "alliance__code", "alliance__name"]
    ordering_fields = ["due_date", "priority_rank", "status", "created_at", "updated_at", "title"]
    ordering = ["due_date", "priority_rank", "pk"]
    lookup_value_regex = ID
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.task_rows(user=self.request.user)
        return selectors.task_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": today()}

    def _respond(self, task, code=status.HTTP_200_OK):
        # Shown even if the change took it out of the caller's sight (a reassignment).
        fresh = selectors.task_list(user=self.request.user).filter(pk=task.pk).first() or task
        return Response(TaskSerializer(fresh, context={"today": today()}).data, status=code)

    @extend_schema(request=TaskCreateSerializer, responses={201: TaskSerializer})
    def create(self, request):
        require(
            access.can_manage_tasks(request.user), "Only alliance leads and the head add tasks."
        )
        visible = Alliance.objects.visible_to(request.user)
        data = TaskCreateSerializer(data=request.data, visible_alliances=visible)
        data.is_valid(raise_exception=True)
        task = services.task_create(actor=request.user, data=data.validated_data)
        return self._respond(task, status.HTTP_201_CREATED)

    @extend_schema(request=TaskUpdateSerializer, responses=TaskSerializer)
    def partial_update(self, request, pk=None):
        task = self.get_object()
        require(
            access.can_manage_tasks(request.user, task),
            "Only alliance leads and the head edit tasks.",
        )
        data = TaskUpdateSerializer(instance=task, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.task_update(actor=request.user, task=task, data=data.validated_data)
        )

    def _move(self, request, action_name, body_serializer=EmptySerializer, managers_only=False):
        task = self.get_object()
        allowed = (
            access.can_manage_tasks(request.user, task)
            if managers_only
            else access.can_act_on_task(request.user, task)
        )
        message = (
            "Only alliance leads and the head do this."
            if managers_only
            else "Only the assignee, alliance leads and the head act on this task."
        )
        require(allowed, message)
        data = body_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.task_move(
            actor=request.user, task=task, action=action_name, **data.validated_data
        )
        return self._respond(moved)

    @extend_schema(request=EmptySerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, "start")

    @extend_schema(request=EmptySerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"], url_path="wait-on-partner")
    def wait_on_partner(self, request, pk=None):
        return self._move(request, "wait_on_partner")

    @extend_schema(request=ReasonSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        return self._move(request, "block", ReasonSerializer)

    @extend_schema(request=EmptySerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move(request, "complete")

    @extend_schema(request=EmptySerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move(request, "reopen")

    @extend_schema(request=ReasonSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(request, "cancel", ReasonSerializer, managers_only=True)

    @extend_schema(request=ReassignSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        task = self.get_object()
        require(
            access.can_manage_tasks(request.user, task),
            "Only alliance leads and the head reassign.",
        )
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.task_reassign(actor=request.user, task=task, **data.validated_data)
        )
