"""The strict input serializer every write goes through: a field the client may not write is a
400 naming it, never silently ignored; a datetime without an offset is a 400."""

from django.db import models
from django.utils import timezone
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    default_error_messages = {"naive": "Give a UTC offset, e.g. 2026-01-31T09:00:00+00:00."}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class StrictSerializerMixin:
    # `field_hints` maps a field the client may not write here to what to do instead.
    field_hints: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data) - writable)
            if refused:
                raise serializers.ValidationError({name: [self._refusal(name)] for name in refused})
        return super().to_internal_value(data)

    def _refusal(self, name: str) -> str:
        if name in self.field_hints:
            return f"This field cannot be written here. {self.field_hints[name]}"
        if name in self.fields:
            return "This field is read-only."
        return "Unknown field."


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    serializer_field_mapping = {}


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: AwareDateTimeField,
    }
