"""`obligations/`: the register of what is owed under each agreement, in both directions, and
`obligations/forecast/`, the money per quarter and currency. Everyone reads what they may see
(the obligation's alliance); leads and the head record and change obligations; the alliance's
contract-and-finance assignee may also record that one was met or triggered.

Meeting or waiving an obligation closes its contract-and-finance task; completing that task
through the tasks API does not meet the obligation: the payment is recorded here, with its
date (met/)."""

import django_filters
from django.contrib.auth import get_user_model
from django.db import models
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as RequestError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliances.access import manages_alliances
from alliances.api.serializers import AllianceBriefField, UserBriefField
from alliances.api.views import require
from alliances.calendar import today
from alliances.models import validate_currency
from config.api.filters import BooleanFilter, DateFilter, IdFilter, UserIdFilter
from config.api.serializers import (
    BoundedDateField,
    ReadModelSerializer,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSerializer,
)
from config.api.viewsets import ReadViewSet
from resourcing.api.serializers import ReasonSerializer

from ..choices import (
    ObligationDirection,
    ObligationKind,
    ObligationStatus,
)
from ..forecast import MAX_QUARTERS, obligations_forecast
from ..models import Agreement, Obligation
from ..querysets import obligation_overdue_q
from ..services import obligations as services

User = get_user_model()

WRITERS_ONLY = "Only alliance leads and the head record and change obligations."
PAYMENT_RECORDERS = (
    "Only alliance leads, the head and the alliance's contract-and-finance assignee do this."
)


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "string"},
            "payment_terms_days": {"type": "integer"},
        },
    }
)
class ObligationAgreementField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, agreement) -> dict:
        return {
            "id": agreement.pk,
            "kind": agreement.kind,
            "title": agreement.title,
            "status": agreement.status,
            "payment_terms_days": agreement.payment_terms_days,
        }


class ObligationSerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    agreement = ObligationAgreementField()
    owner = UserBriefField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    next_occurrence = serializers.SerializerMethodField()
    created_by = UserBriefField()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "alliance",
            "agreement",
            "kind",
            "direction",
            "title",
            "trigger_event",
            "triggered_on",
            "due_date",
            "amount",
            "currency",
            "we_invoice",
            "owner",
            "status",
            "status_reason",
            "overdue",
            "met_on",
            "recurrence",
            "previous",
            "next_occurrence",
            "task",
            "note",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_overdue(self, obligation) -> bool:
        """querysets.obligation_overdue_q, for one obligation in memory."""
        return (
            obligation.status in (ObligationStatus.DUE, ObligationStatus.DISPUTED)
            and obligation.due_date is not None
            and obligation.due_date < (self.context.get("today") or today())
        )

    def get_next_occurrence(self, obligation) -> int | None:
        """The occurrence created when this recurring one was met or waived."""
        return getattr(obligation, "next_id", None)


class CurrencyField(serializers.CharField):
    """An ISO 4217 code, in any case (`eur` is EUR)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=3, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).upper()
        if value:
            try:
                validate_currency(value)
            except Exception as error:  # django's ValidationError, as DRF's
                raise serializers.ValidationError(list(error.messages)) from error
        return value


OBLIGATION_HINTS = {
    "status": "Use POST obligations/{id}/met/, waive/, dispute/ or trigger/.",
    "status_reason": "Give the reason to waive/ or dispute/.",
    "met_on": "Use POST obligations/{id}/met/.",
    "triggered_on": "Use POST obligations/{id}/trigger/.",
    "alliance": "It is the agreement's alliance.",
    "task": "The contract-and-finance task follows the obligation.",
    "previous": "Occurrences are linked when a recurring obligation is met or waived.",
}


class ObligationInputSerializer(StrictModelSerializer):
    agreement = StrictPrimaryKeyRelatedField(queryset=Agreement.objects.none())
    owner = StrictPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    currency = CurrencyField(required=False, allow_blank=True)

    field_hints = OBLIGATION_HINTS

    class Meta:
        model = Obligation
        fields = [
            "agreement",
            "kind",
            "direction",
            "title",
            "trigger_event",
            "due_date",
            "amount",
            "currency",
            "we_invoice",
            "owner",
            "recurrence",
            "note",
        ]
        extra_kwargs = {"note": {"max_length": 20_000}}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and "agreement" in self.fields:
            # An agreement the caller may not see is, to them, one that does not exist.
            self.fields["agreement"].queryset = Agreement.objects.visible_to(user)


class ObligationUpdateSerializer(ObligationInputSerializer):
    field_hints = {**OBLIGATION_HINTS, "agreement": "An obligation stays with its agreement."}

    class Meta(ObligationInputSerializer.Meta):
        fields = [f for f in ObligationInputSerializer.Meta.fields if f != "agreement"]


class ObligationMetSerializer(StrictSerializer):
    met_on = BoundedDateField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ObligationTriggerSerializer(StrictSerializer):
    occurred_on = BoundedDateField()


class ForecastFilter(django_filters.FilterSet):
    """The filters that make sense for money over time (the forecast takes these)."""

    alliance = IdFilter(field_name="alliance_id")
    agreement = IdFilter(field_name="agreement_id")
    kind = django_filters.MultipleChoiceFilter(choices=ObligationKind.choices)
    direction = django_filters.MultipleChoiceFilter(choices=ObligationDirection.choices)
    currency = django_filters.CharFilter(method="filter_currency", label="ISO 4217 code")

    class Meta:
        model = Obligation
        fields = []

    def filter_currency(self, queryset, name, value):
        code = value.strip().upper()
        if not code:
            return queryset
        try:
            validate_currency(code)
        except Exception as error:  # django's ValidationError, as a 400 on the parameter
            raise RequestError({"currency": list(error.messages)}) from error
        return queryset.filter(currency=code)


class ObligationFilter(ForecastFilter):
    status = django_filters.MultipleChoiceFilter(choices=ObligationStatus.choices)
    owner = UserIdFilter(field_name="owner_id", label="The internal owner (an id or `me`)")
    overdue = BooleanFilter(method="filter_overdue", label="Due or disputed, and past its due date")
    due_date_after = DateFilter(field_name="due_date", lookup_expr="gte")
    due_date_before = DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta(ForecastFilter.Meta):
        pass

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        rule = obligation_overdue_q()
        return queryset.filter(rule) if value else queryset.exclude(rule)


FORECAST_SPLIT = {
    "type": "object",
    "properties": {"met": {"type": "string"}, "due": {"type": "string"}},
    "required": ["met", "due"],
}
FORECAST_SIDES = {
    "type": "object",
    "properties": {
        "currency": {"type": "string"},
        "in": {"type": "string"},
        "out": {"type": "string"},
        "joint": {"type": "string"},
    },
    "required": ["currency", "in", "out", "joint"],
}
FORECAST_SCHEMA = {
    "type": "object",
    "properties": {
        "as_of": {"type": "string", "format": "date"},
        "quarters": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "quarter": {"type": "string", "example": "2026-Q4"},
                    "starts_on": {"type": "string", "format": "date"},
                    "ends_on": {"type": "string", "format": "date"},
                    "currencies": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "currency": {"type": "string"},
                                "in": FORECAST_SPLIT,
                                "out": FORECAST_SPLIT,
                                "joint": FORECAST_SPLIT,
                            },
                            "required": ["currency", "in", "out", "joint"],
                        },
                    },
                },
                "required": ["quarter", "starts_on", "ends_on", "currencies"],
            },
        },
        "overdue": {"type": "array", "items": FORECAST_SIDES},
        "undated": {"type": "array", "items": FORECAST_SIDES},
    },
    "required": ["as_of", "quarters", "overdue", "undated"],
}


def detailed(queryset):
    return queryset.select_related("alliance", "agreement", "owner", "created_by").annotate(
        next_id=models.F("next_occurrence__pk")
    )


class ObligationViewSet(ReadViewSet):
    """Obligations under agreements: financial (upfront, milestone, royalty, cost share,
    invoice: amount and ISO 4217 currency required) and not (report, delivery, notice, audit,
    diligence, other), `incoming` (the partner owes us), `outgoing` (we owe) or `joint`.
    `upcoming` waits on its trigger event, `due` has a due date; `overdue` is worked out when
    read. Overdue first, then by due date (undated last)."""

    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter
    search_fields = ["title", "trigger_event", "alliance__code", "alliance__name"]
    ordering_fields = ["due_date", "amount", "status", "kind", "created_at", "updated_at", "title"]
    ordering = [
        "-is_overdue",
        models.F("due_date").asc(nulls_last=True),
        "pk",
    ]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        """The visible obligations, slim (what the list filters, counts and orders by);
        `detailed` adds what a row shows."""
        queryset = Obligation.objects.visible_to(self.request.user).annotate(
            is_overdue=models.ExpressionWrapper(
                obligation_overdue_q(), output_field=models.BooleanField()
            )
        )
        return queryset if self.action == "list" else detailed(queryset)

    def list(self, request):
        # Count and order the slim rows, then read the page's rows in full: the sort never
        # carries the joined columns of every matching row (the overdue register on 100,000).
        ids = self.paginate_queryset(
            self.filter_queryset(self.get_queryset()).values_list("pk", flat=True)
        )
        rows = {row.pk: row for row in detailed(Obligation.objects.filter(pk__in=ids))}
        serializer = self.get_serializer([rows[pk] for pk in ids], many=True)
        return self.get_paginated_response(serializer.data)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": today()}

    def _respond(self, obligation, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=obligation.pk)
        return Response(ObligationSerializer(fresh, context={"today": today()}).data, status=code)

    @extend_schema(
        request=ObligationInputSerializer,
        responses={
            201: ObligationSerializer,
            409: OpenApiResponse(description="alliance_closed"),
        },
    )
    def create(self, request):
        require(manages_alliances(request.user), WRITERS_ONLY)
        data = ObligationInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        obligation = services.obligation_create(actor=request.user, data=data.validated_data)
        return self._respond(obligation, status.HTTP_201_CREATED)

    @extend_schema(
        request=ObligationUpdateSerializer,
        responses={
            200: ObligationSerializer,
            409: OpenApiResponse(description="obligation_closed"),
        },
    )
    def partial_update(self, request, pk=None):
        obligation = self.get_object()
        require(manages_alliances(request.user), WRITERS_ONLY)
        data = ObligationUpdateSerializer(data=request.data, partial=True, user=request.user)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.obligation_update(
                actor=request.user, obligation=obligation, data=data.validated_data
            )
        )

    def _move(self, request, service, body, finance_may=False):
        obligation = self.get_object()
        allowed = manages_alliances(request.user) or (
            finance_may and services.records_payments(request.user, obligation.alliance)
        )
        require(allowed, PAYMENT_RECORDERS if finance_may else WRITERS_ONLY)
        data = body(data=request.data)
        data.is_valid(raise_exception=True)
        moved = service(actor=request.user, obligation=obligation, **data.validated_data)
        return self._respond(moved)

    @extend_schema(
        request=ObligationMetSerializer,
        responses={
            200: ObligationSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        """Record that it was met on `met_on` (not in the future); its task is done, and a
        recurring obligation's next occurrence is created."""
        return self._move(request, services.obligation_meet, ObligationMetSerializer, True)

    @extend_schema(
        request=ReasonSerializer,
        responses={
            200: ObligationSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """Leads and the head; its task is cancelled, and a recurring obligation's next
        occurrence is still created (waiving one occurrence does not end the duty)."""
        return self._move(request, services.obligation_waive, ReasonSerializer)

    @extend_schema(
        request=ReasonSerializer,
        responses={
            200: ObligationSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """A due obligation is disputed, with the reason; it can then be met or waived."""
        return self._move(request, services.obligation_dispute, ReasonSerializer)

    @extend_schema(
        request=ObligationTriggerSerializer,
        responses={
            200: ObligationSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def trigger(self, request, pk=None):
        """The trigger event of an upcoming obligation happened on `occurred_on`: it is due the
        agreement's payment terms (days) later."""
        return self._move(request, services.obligation_trigger, ObligationTriggerSerializer, True)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quarters",
                {"type": "integer", "minimum": 1, "maximum": MAX_QUARTERS, "default": 4},
                description="Calendar quarters from the current one.",
            ),
            OpenApiParameter("alliance", {"type": "integer", "minimum": 1}),
            OpenApiParameter("agreement", {"type": "integer", "minimum": 1}),
            OpenApiParameter("kind", str, enum=ObligationKind.values, many=True),
            OpenApiParameter("direction", str, enum=ObligationDirection.values, many=True),
            OpenApiParameter("currency", {"type": "string"}),
        ],
        responses={200: OpenApiResponse(response=FORECAST_SCHEMA)},
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=ForecastFilter, pagination_class=None)
    def forecast(self, request):
        """Money per calendar quarter (from the current one) and currency: in (incoming), out
        (outgoing) and joint, each `met` in the quarter or `due` in it from today on; `overdue`
        and `undated` (waiting on a trigger) per currency. Financial obligations with an
        amount, from what you may see; never summed across currencies."""
        quarters = _quarters(request.query_params.get("quarters"))
        queryset = Obligation.objects.visible_to(request.user)
        filterset = ForecastFilter(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise RequestError(filterset.errors)
        return Response(obligations_forecast(filterset.qs, quarters=quarters))


def _quarters(raw) -> int:
    if raw in (None, ""):
        return 4
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_QUARTERS:
        raise RequestError(
            {"quarters": [f"Give a whole number of quarters from 1 to {MAX_QUARTERS}."]}
        )
    return int(raw)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("obligations", ObligationViewSet, basename="obligation")
