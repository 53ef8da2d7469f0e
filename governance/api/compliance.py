"""`governance/compliance/`: is governance running as agreed, per body the caller may see, and
`governance/compliance/summary/`: the totals. Computed when read (governance.compliance)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliances.api.serializers import AllianceBriefField
from alliances.api.serializers import full_name as user_full_name
from alliances.choices import Stage
from alliances.models import TherapeuticArea
from config.api.filters import BooleanFilter, CodeFilter, IdFilter
from config.api.serializers import ReadModelSerializer
from config.api.viewsets import ReadViewSet

from ..choices import BodyKind
from ..compliance import compliance_rows, compliance_summary, with_compliance
from ..models import GovernanceBody
from ..querysets import active_body_q


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "username": {"type": "string"},
                "full_name": {"type": "string"},
                "role": {"type": "string"},
            },
        },
    }
)
class UntrainedField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="untrained_members", read_only=True, **kwargs)

    def to_representation(self, members) -> list:
        return [
            {
                "id": member.user.pk,
                "username": member.user.username,
                "full_name": user_full_name(member.user),
                "role": member.role,
            }
            for member in members
        ]


class BodyComplianceSerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    active = serializers.BooleanField(source="is_active", read_only=True)
    meetings_held_12_months = serializers.IntegerField(source="meetings_held", read_only=True)
    below_cadence = serializers.BooleanField(read_only=True)
    last_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True)
    minutes_overdue = serializers.IntegerField(read_only=True)
    actions_open = serializers.IntegerField(read_only=True)
    actions_overdue = serializers.IntegerField(read_only=True)
    untrained_role_holders = UntrainedField()
    ok = serializers.BooleanField(read_only=True)

    class Meta:
        model = GovernanceBody
        fields = [
            "id",
            "name",
            "kind",
            "alliance",
            "active",
            "min_meetings_per_year",
            "meetings_held_12_months",
            "below_cadence",
            "last_meeting_at",
            "next_meeting_at",
            "minutes_overdue",
            "actions_open",
            "actions_overdue",
            "untrained_role_holders",
            "ok",
        ]


class ComplianceFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    kind = django_filters.MultipleChoiceFilter(choices=BodyKind.choices)
    active = BooleanFilter(method="filter_active", label="Chartered and not dissolved today")
    therapeutic_area = CodeFilter(
        field_name="alliance__therapeutic_area__code",
        to_field_name="code",
        queryset=TherapeuticArea.objects.all(),
    )
    stage = django_filters.MultipleChoiceFilter(field_name="alliance__stage", choices=Stage.choices)
    non_compliant = BooleanFilter(
        method="filter_non_compliant",
        label="Below cadence, minutes or actions overdue, or a role holder untrained",
    )

    class Meta:
        model = GovernanceBody
        fields = []

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(active_body_q()) if value else queryset.exclude(active_body_q())

    def filter_non_compliant(self, queryset, name, value):
        if value is None:
            return queryset
        return with_compliance(queryset).filter(ok=not value)


SUMMARY = inline_serializer(
    "GovernanceComplianceSummary",
    {
        name: serializers.IntegerField()
        for name in (
            "bodies",
            "bodies_below_cadence",
            "bodies_not_ok",
            "minutes_overdue",
            "actions_open",
            "actions_overdue",
            "untrained_role_holders",
        )
    },
)


class ComplianceViewSet(ReadViewSet):
    """Per body: the contract's minimum and the meetings held in the last 12 months
    (`below_cadence` if fewer, for a body not dissolved), the last and next meeting, minutes
    not approved MINUTES_APPROVAL_DAYS after their meeting, open and overdue action items, and
    co-chairs, co-secretaries and alliance managers of ours without valid governance-role
    training; `ok` when none of those is wrong."""

    serializer_class = BodyComplianceSerializer
    filterset_class = ComplianceFilter
    search_fields = ["name", "alliance__code", "alliance__name"]
    ordering_fields = ["name", "alliance__code", "min_meetings_per_year"]
    ordering = ["alliance__code", "name", "pk"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return GovernanceBody.objects.visible_to(self.request.user)

    def filter_queryset(self, queryset):
        if self.action == "summary":  # the list's filters, without its paging
            for backend in self.filter_backends:
                queryset = backend().filter_queryset(self.request, queryset, self)
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        # The page's ids first, then the figures for those bodies only: the database works
        # them out for a page, never for every body it sorts.
        bodies = self.filter_queryset(self.get_queryset()).values_list("pk", flat=True)
        page = self.paginate_queryset(bodies)
        rows = compliance_rows(ids=list(page))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        body = self.get_object()
        (row,) = compliance_rows(ids=[body.pk])
        return Response(self.get_serializer(row).data)

    @extend_schema(responses=SUMMARY)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """Totals over the bodies you see (the list's filters apply)."""
        bodies = self.filter_queryset(self.get_queryset())
        return Response(compliance_summary(bodies))


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("governance/compliance", ComplianceViewSet, basename="governance-compliance")
