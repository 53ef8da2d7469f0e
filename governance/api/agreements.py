"""`agreements/`: what each alliance has signed, or will, with `transition/` for its status.
Everyone reads the agreements of the alliances they may see; leads and the head write. The
alliance's agreements are `agreements/?alliance=<id>`, and its next obligations
`obligations/?alliance=<id>&status=due`."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliances.access import manages_alliances
from alliances.api.serializers import AllianceBriefField, UserBriefField
from alliances.api.views import require
from alliances.models import Alliance
from config.api.serializers import (
    ReadModelSerializer,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSerializer,
)
from config.api.viewsets import ReadViewSet

from .. import selectors
from ..choices import AgreementStatus
from ..filters import AgreementFilter
from ..models import Agreement, AgreementStep
from ..services import agreements as services

# Serializers ---------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "kind": {"type": "string"},
            "status": {"type": "string"},
        },
    }
)
class AgreementBriefField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, agreement) -> dict:
        return {
            "id": agreement.pk,
            "title": agreement.title,
            "kind": agreement.kind,
            "status": agreement.status,
        }


class AgreementStepSerializer(ReadModelSerializer):
    task = serializers.IntegerField(source="task_id", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    due_date = serializers.DateField(source="task.due_date", read_only=True)
    status = serializers.CharField(source="task.status", read_only=True)
    assignee = UserBriefField(source="task.assignee")

    class Meta:
        model = AgreementStep
        fields = ["task", "title", "due_date", "status", "assignee"]


class AgreementSerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    parent = AgreementBriefField(allow_null=True)
    notice_date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The last day to give notice before expiry: expiry_date less notice_days.",
    )
    created_by = UserBriefField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "alliance",
            "kind",
            "title",
            "parent",
            "status",
            "owning_function",
            "target_date",
            "effective_date",
            "expiry_date",
            "notice_days",
            "notice_date",
            "payment_terms_days",
            "document_url",
            "created_by",
            "created_at",
            "updated_at",
        ]


class AgreementDetailSerializer(AgreementSerializer):
    steps = AgreementStepSerializer(
        many=True,
        read_only=True,
        help_text="The playbook steps a subsidiary agreement started, in date order.",
    )

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "steps"]


STATUS_HINT = "It moves with POST agreements/{id}/transition/."
COMPUTED = {
    "status": STATUS_HINT,
    "notice_date": "It is expiry_date less notice_days.",
    "steps": "A subsidiary agreement's target date starts them.",
}


class AgreementInputSerializer(StrictModelSerializer):
    alliance = StrictPrimaryKeyRelatedField(queryset=Alliance.objects.none())
    parent = StrictPrimaryKeyRelatedField(
        queryset=Agreement.objects.none(), required=False, allow_null=True
    )

    field_hints = COMPUTED

    class Meta:
        model = Agreement
        fields = [
            "alliance",
            "kind",
            "title",
            "parent",
            "owning_function",
            "target_date",
            "effective_date",
            "expiry_date",
            "notice_days",
            "payment_terms_days",
            "document_url",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # An alliance or agreement the caller may not see is, to them, one that does not exist.
            if "alliance" in self.fields:
                self.fields["alliance"].queryset = Alliance.objects.visible_to(user)
            self.fields["parent"].queryset = Agreement.objects.visible_to(user)


class AgreementUpdateSerializer(AgreementInputSerializer):
    field_hints = {
        **COMPUTED,
        "alliance": "An agreement stays with its alliance.",
        "kind": "Record an agreement of another kind as a new agreement.",
    }

    class Meta(AgreementInputSerializer.Meta):
        fields = [f for f in AgreementInputSerializer.Meta.fields if f not in ("alliance", "kind")]


class AgreementTransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=AgreementStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


# Views ---------------------------------------------------------------------------------------


def can_write_agreements(user) -> bool:
    """Leads and the head, on alliances they can see."""
    return manages_alliances(user)


WRITERS_ONLY = "Only alliance leads and the head record and change agreements."


class AgreementViewSet(ReadViewSet):
    """An alliance's agreements: the main agreement, subsidiary agreements (requested with the
    target date they must be in place by, which starts their playbook steps), amendments.
    `notice_date` is expiry_date less notice_days; an executed agreement with one has an open
    `notice` obligation due then."""

    filterset_class = AgreementFilter
    search_fields = ["title", "alliance__code", "alliance__name"]
    ordering_fields = [
        "title",
        "kind",
        "status",
        "target_date",
        "effective_date",
        "expiry_date",
        "created_at",
    ]
    ordering = ["alliance_id", "kind", "title", "pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.agreement_list(user=self.request.user)
        return selectors.agreement_detail_queryset(user=self.request.user)

    def get_serializer_class(self):
        return AgreementSerializer if self.action == "list" else AgreementDetailSerializer

    def _respond(self, agreement, code=status.HTTP_200_OK):
        fresh = selectors.agreement_detail_queryset(user=self.request.user).get(pk=agreement.pk)
        return Response(AgreementDetailSerializer(fresh).data, status=code)

    def _changeable(self):
        agreement = self.get_object()
        require(can_write_agreements(self.request.user), WRITERS_ONLY)
        return agreement

    @extend_schema(
        request=AgreementInputSerializer,
        responses={
            201: AgreementDetailSerializer,
            409: OpenApiResponse(description="alliance_closed"),
        },
    )
    def create(self, request):
        """Record an agreement. A subsidiary agreement (quality, pv_sdea, supply, data_use)
        needs its `target_date`, and starts the playbook steps of its kind, dated back from it
        (never before today), for the alliance's subsidiary-agreements assignee or its lead."""
        require(can_write_agreements(request.user), WRITERS_ONLY)
        data = AgreementInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        agreement = services.agreement_create(actor=request.user, data=data.validated_data)
        return self._respond(agreement, status.HTTP_201_CREATED)

    @extend_schema(request=AgreementUpdateSerializer, responses=AgreementDetailSerializer)
    def partial_update(self, request, pk=None):
        """Details and dates. A new target date moves the open steps by as many days (never
        into the past); new expiry or notice days move the notice obligation."""
        agreement = self._changeable()
        data = AgreementUpdateSerializer(
            instance=agreement, data=request.data, partial=True, user=request.user
        )
        data.is_valid(raise_exception=True)
        services.agreement_update(actor=request.user, agreement=agreement, data=data.validated_data)
        return self._respond(agreement)

    @extend_schema(
        request=AgreementTransitionSerializer,
        responses={
            200: AgreementDetailSerializer,
            409: OpenApiResponse(description="illegal_transition or effective_date_missing"),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the status one step: planned → drafting → negotiating → executed → expired,
        terminated or superseded; planned, drafting or negotiating → abandoned. Executing needs
        an effective date; abandoning cancels the open playbook steps with the note."""
        agreement = self._changeable()
        data = AgreementTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_transition(
            actor=request.user, agreement=agreement, **data.validated_data
        )
        return self._respond(agreement)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agreements", AgreementViewSet, basename="agreement")
