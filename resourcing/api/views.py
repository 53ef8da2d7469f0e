from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from alliances.api.views import ID, require

from .. import access, selectors, services
from ..filters import IntakeRequestFilter, SpecialistFilter
from .serializers import (
    AnswerSerializer,
    EmptySerializer,
    IntakeRequestDetailSerializer,
    IntakeRequestInputSerializer,
    IntakeRequestSerializer,
    MeWithSpecialistSerializer,
    QuestionSerializer,
    ReasonSerializer,
    ServiceSerializer,
    SpecialistInputSerializer,
    SpecialistSerializer,
    SpecialistUpdateSerializer,
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


class SpecialistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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


class IntakeRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
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

    def filter_queryset(self, queryset):
        if self.action in ("list", None):
            return super().filter_queryset(queryset)
        return queryset

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
        data = IntakeRequestInputSerializer(data=request.data)
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

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def recommendation(self, request, pk=None):
        """The management model and the ranked specialists per requested service, with every
        factor and every exclusion. Read-only."""
        intake = self._triageable()
        return Response(selectors.intake_recommendation(intake=intake))
