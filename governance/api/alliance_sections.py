"""What one alliance's detail (`GET alliances/{id}/`) lists from governance: its agreements
and its next open obligations (overdue first), registered through alliances.extensions. The
rows are the alliance's own, so whoever sees the alliance sees them."""

from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch
from rest_framework import serializers

from alliances.calendar import today
from config.api.serializers import ReadModelSerializer

from ..choices import OPEN_OBLIGATION
from ..models import Agreement, Obligation
from ..querysets import obligation_overdue_q

# The detail lists this many open obligations; the rest are `obligations/?alliance=<id>`.
NEXT_OBLIGATIONS = 10


class AllianceAgreementSerializer(ReadModelSerializer):
    notice_date = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = ["id", "kind", "title", "status", "target_date", "expiry_date", "notice_date"]
        read_only_fields = fields


class AllianceObligationSerializer(ReadModelSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Obligation
        fields = [
            "id",
            "kind",
            "direction",
            "title",
            "due_date",
            "amount",
            "currency",
            "status",
            "overdue",
        ]
        read_only_fields = fields


def sections() -> dict:
    agreements = Agreement.objects.order_by("kind", "title", "pk")
    late = ExpressionWrapper(obligation_overdue_q(today()), output_field=BooleanField())
    upcoming = (
        Obligation.objects.filter(status__in=OPEN_OBLIGATION)
        .annotate(overdue=late)
        .order_by("-overdue", F("due_date").asc(nulls_last=True), "pk")[:NEXT_OBLIGATIONS]
    )
    return {
        "agreements": (
            Prefetch("agreements", queryset=agreements, to_attr="listed_agreements"),
            AllianceAgreementSerializer(source="listed_agreements", many=True, read_only=True),
        ),
        "next_obligations": (
            Prefetch("obligations", queryset=upcoming, to_attr="listed_obligations"),
            AllianceObligationSerializer(source="listed_obligations", many=True, read_only=True),
        ),
    }
