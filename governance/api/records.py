"""`decisions/` and `action-items/`: what meetings decided and who does what by when. Everyone
reads what they may see (the meeting's alliance); leads and the head record and change them; an
action item's internal owner may also mark it done or reopen it (as the assignee of a task may),
and finds it, while open, in their task queue."""

import django_filters
from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliances.access import manages_alliances
from alliances.api.serializers import AllianceBriefField, UserBriefField
from alliances.api.views import require
from alliances.calendar import today
from config.api.filters import BooleanFilter, DateFilter, IdFilter, UserIdFilter
from config.api.serializers import (
    ReadModelSerializer,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSerializer,
)
from config.api.viewsets import ReadViewSet
from resourcing.api.serializers import ReasonSerializer

from ..choices import ActionStatus, DecisionOutcome
from ..models import ActionItem, Decision, GovernanceBody, Meeting, PartnerContact
from ..querysets import action_overdue_q
from ..services import records as services
from .serializers import BodyBriefField, ContactBriefField

User = get_user_model()

WRITERS_ONLY = "Only alliance leads and the head record decisions and action items."


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string"},
        },
    }
)
class MeetingBriefField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, meeting) -> dict:
        return {
            "id": meeting.pk,
            "title": meeting.title,
            "starts_at": meeting.starts_at.isoformat(),
            "status": meeting.status,
        }


# Decisions -----------------------------------------------------------------------------------


class DecisionSerializer(ReadModelSerializer):
    alliance = AllianceBriefField(source="meeting.alliance")
    body = BodyBriefField(source="meeting.body")
    meeting = MeetingBriefField()
    escalated_to = BodyBriefField(allow_null=True)
    created_by = UserBriefField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "alliance",
            "body",
            "meeting",
            "text",
            "outcome",
            "escalated_to",
            "created_by",
            "created_at",
        ]


class DecisionInputSerializer(StrictModelSerializer):
    meeting = StrictPrimaryKeyRelatedField(queryset=Meeting.objects.none())
    escalated_to = StrictPrimaryKeyRelatedField(
        queryset=GovernanceBody.objects.none(), required=False, allow_null=True
    )

    field_hints = {
        "alliance": "It is the meeting's alliance.",
        "body": "It is the meeting's body.",
    }

    class Meta:
        model = Decision
        fields = ["meeting", "text", "outcome", "escalated_to"]
        extra_kwargs = {"text": {"max_length": 20_000}}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # A meeting or body the caller may not see is, to them, one that does not exist.
            self.fields["meeting"].queryset = Meeting.objects.visible_to(user)
            self.fields["escalated_to"].queryset = GovernanceBody.objects.visible_to(user)


class DecisionFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="meeting__alliance_id")
    body = IdFilter(field_name="meeting__body_id")
    meeting = IdFilter(field_name="meeting_id")
    outcome = django_filters.MultipleChoiceFilter(choices=DecisionOutcome.choices)
    escalated_to = IdFilter(field_name="escalated_to_id")
    created_at_after = DateFilter(field_name="created_at__date", lookup_expr="gte")
    created_at_before = DateFilter(field_name="created_at__date", lookup_expr="lte")

    class Meta:
        model = Decision
        fields = []


class DecisionViewSet(ReadViewSet):
    """Decisions taken at held meetings: approved, rejected, deferred, or escalated to a body up
    the escalation path (`escalated_to`). Newest meeting first."""

    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    search_fields = ["text", "meeting__body__name", "meeting__alliance__name"]
    ordering_fields = ["created_at", "meeting__starts_at", "outcome"]
    ordering = ["-meeting__starts_at", "-pk"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Decision.objects.visible_to(self.request.user).select_related(
            "meeting__alliance", "meeting__body", "escalated_to", "created_by"
        )

    @extend_schema(
        request=DecisionInputSerializer,
        responses={
            201: DecisionSerializer,
            409: OpenApiResponse(description="meeting_not_held"),
        },
    )
    def create(self, request):
        require(manages_alliances(request.user), WRITERS_ONLY)
        data = DecisionInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        decision = services.decision_create(actor=request.user, data=data.validated_data)
        fresh = self.get_queryset().get(pk=decision.pk)
        return Response(DecisionSerializer(fresh).data, status=status.HTTP_201_CREATED)


# Action items --------------------------------------------------------------------------------


class ActionItemSerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    body = BodyBriefField(source="meeting.body")
    meeting = MeetingBriefField()
    owner_user = UserBriefField(allow_null=True)
    owner_contact = ContactBriefField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    created_by = UserBriefField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "alliance",
            "body",
            "meeting",
            "title",
            "owner_user",
            "owner_contact",
            "due_date",
            "status",
            "overdue",
            "note",
            "task",
            "completed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_overdue(self, item) -> bool:
        """querysets.action_overdue_q, for one item in memory: open and past its due date."""
        return item.status == ActionStatus.OPEN and item.due_date < (
            self.context.get("today") or today()
        )


OWNER_HINTS = {
    "status": "Use POST action-items/{id}/done/, cancel/ or reopen/.",
    "task": "The task in the owner's queue follows the item.",
    "alliance": "It is the meeting's alliance.",
}


class ActionItemInputSerializer(StrictModelSerializer):
    meeting = StrictPrimaryKeyRelatedField(queryset=Meeting.objects.none())
    owner_user = StrictPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    owner_contact = StrictPrimaryKeyRelatedField(
        queryset=PartnerContact.objects.none(), required=False, allow_null=True
    )

    field_hints = OWNER_HINTS

    class Meta:
        model = ActionItem
        fields = ["meeting", "title", "owner_user", "owner_contact", "due_date", "note"]
        extra_kwargs = {"note": {"max_length": 20_000}}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            if "meeting" in self.fields:
                self.fields["meeting"].queryset = Meeting.objects.visible_to(user)
            self.fields["owner_contact"].queryset = PartnerContact.objects.visible_to(user)


class ActionItemUpdateSerializer(ActionItemInputSerializer):
    field_hints = {**OWNER_HINTS, "meeting": "An action item stays with its meeting."}

    class Meta(ActionItemInputSerializer.Meta):
        fields = ["title", "owner_user", "owner_contact", "due_date", "note"]


class EmptySerializer(StrictSerializer):
    pass


class ActionItemFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    body = IdFilter(field_name="meeting__body_id")
    meeting = IdFilter(field_name="meeting_id")
    owner = UserIdFilter(field_name="owner_user_id", label="The internal owner (an id or `me`)")
    owner_contact = IdFilter(field_name="owner_contact_id")
    status = django_filters.MultipleChoiceFilter(choices=ActionStatus.choices)
    overdue = BooleanFilter(method="filter_overdue", label="Open and past its due date")
    due_date_after = DateFilter(field_name="due_date", lookup_expr="gte")
    due_date_before = DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = ActionItem
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        rule = action_overdue_q()
        return queryset.filter(rule) if value else queryset.exclude(rule)


class ActionItemViewSet(ReadViewSet):
    """Action items from meetings, each owned by one of ours (`owner_user`: while open, it is
    also a task in their queue) or by someone at the partner (`owner_contact`). `overdue` is
    worked out when read."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    search_fields = ["title", "alliance__code", "alliance__name", "meeting__body__name"]
    ordering_fields = ["due_date", "status", "created_at", "updated_at", "title"]
    ordering = ["due_date", "pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return ActionItem.objects.visible_to(self.request.user).select_related(
            "alliance", "meeting__body", "owner_user", "owner_contact", "created_by"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": today()}

    def _respond(self, item, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(ActionItemSerializer(fresh, context={"today": today()}).data, status=code)

    @extend_schema(
        request=ActionItemInputSerializer,
        responses={
            201: ActionItemSerializer,
            409: OpenApiResponse(description="meeting_cancelled or alliance_closed"),
        },
    )
    def create(self, request):
        require(manages_alliances(request.user), WRITERS_ONLY)
        data = ActionItemInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        item = services.action_item_create(actor=request.user, data=data.validated_data)
        return self._respond(item, status.HTTP_201_CREATED)

    @extend_schema(request=ActionItemUpdateSerializer, responses=ActionItemSerializer)
    def partial_update(self, request, pk=None):
        item = self.get_object()
        require(manages_alliances(request.user), WRITERS_ONLY)
        data = ActionItemUpdateSerializer(data=request.data, partial=True, user=request.user)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.action_item_update(actor=request.user, item=item, data=data.validated_data)
        )

    def _move(self, request, name, body=EmptySerializer, owner_may=False):
        item = self.get_object()
        allowed = manages_alliances(request.user) or (
            owner_may and item.owner_user_id == request.user.pk
        )
        require(
            allowed,
            "Only the owner, alliance leads and the head do this."
            if owner_may
            else "Only alliance leads and the head do this.",
        )
        data = body(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.action_item_move(
            actor=request.user, item=item, action=name, **data.validated_data
        )
        return self._respond(moved)

    @extend_schema(
        request=EmptySerializer,
        responses={
            200: ActionItemSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """The owner, leads or the head mark it done; the task in the owner's queue is done."""
        return self._move(request, "done", owner_may=True)

    @extend_schema(
        request=ReasonSerializer,
        responses={
            200: ActionItemSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Leads and the head; the task in the owner's queue is cancelled with it."""
        return self._move(request, "cancel", ReasonSerializer)

    @extend_schema(
        request=EmptySerializer,
        responses={
            200: ActionItemSerializer,
            409: OpenApiResponse(description="illegal_transition or alliance_closed"),
        },
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """A done or cancelled item is open again, and so is its task."""
        return self._move(request, "reopen", owner_may=True)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("decisions", DecisionViewSet, basename="decision")
router.register("action-items", ActionItemViewSet, basename="action-item")
