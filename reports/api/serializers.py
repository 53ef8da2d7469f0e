from rest_framework import serializers

from alliances.api.serializers import AllianceBriefField, UserBriefField
from config.api.serializers import ReadModelSerializer, StrictModelSerializer

from ..models import StatusReport


class StatusReportSerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    author = UserBriefField()

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "alliance",
            "month",
            "rag",
            "trend",
            "headline",
            "narrative",
            "author",
            "created_at",
            "updated_at",
        ]


class StatusReportCreateSerializer(StrictModelSerializer):
    field_hints = {"author": "The author is whoever writes it."}

    class Meta:
        model = StatusReport
        fields = ["alliance", "month", "rag", "trend", "headline", "narrative"]

    def __init__(self, *args, visible_alliances=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_alliances is not None:
            self.fields["alliance"].queryset = visible_alliances

    def validate_month(self, month):
        if month.day != 1:
            raise serializers.ValidationError("Give the month as its first day, e.g. 2026-10-01.")
        return month

    def get_validators(self):
        return []  # the one-per-month rule answers 409 duplicate_report, not 400


class StatusReportUpdateSerializer(StrictModelSerializer):
    field_hints = {
        "alliance": "A report stays with its alliance.",
        "month": "A report stays with its month; write one for the other month instead.",
    }

    class Meta:
        model = StatusReport
        fields = ["rag", "trend", "headline", "narrative"]
