from rest_framework import serializers

from config.api.serializers import ReadModelSerializer, StrictSerializer

from ..choices import Delivery, Kind
from ..models import Notification


class NotificationSerializer(ReadModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "api_path", "admin_path", "created_at", "read_at"]


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField()
    delivery = serializers.ChoiceField(choices=Delivery.choices)


class PreferencesInputSerializer(StrictSerializer):
    """`{kind: delivery}` for the kinds to change."""

    def get_fields(self):
        return {
            kind.value: serializers.ChoiceField(choices=Delivery.choices, required=False)
            for kind in Kind
        }


class ReadAllSerializer(StrictSerializer):
    pass
