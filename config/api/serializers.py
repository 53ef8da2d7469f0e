"""The strict input serializer every write goes through: a field the client may not write is a
400 naming it, never silently ignored; a datetime without an offset is a 400; dates and
datetimes fall in the range of config.dates; ids are whole numbers from 1 (1.5 or true is a 400,
not object 1)."""

import re

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from config import dates
from config.api.filters import MAX_ID

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_WHOLE = re.compile(r"-?[0-9]{1,19}")


class BoundedDateField(serializers.DateField):
    default_error_messages = {"out_of_range": "{message}"}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not dates.in_range(day):
            self.fail("out_of_range", message=dates.range_message())
        return day


class AwareDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "naive": "Give a UTC offset, e.g. 2026-01-31T09:00:00+00:00.",
        "out_of_range": "{message}",
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        value = super().enforce_timezone(value)
        if not dates.in_range(timezone.localtime(value).date()):
            self.fail("out_of_range", message=dates.range_message())
        return value


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An object by its id: an integer, or a string of ASCII digits, from 1. DRF's own field
    hands anything to the database lookup, so 1.5, true and "1.0" all meant object 1."""

    default_error_messages = {
        "incorrect_type": "Give the id as a whole number, not {data_type}.",
        "out_of_range": "Give an id from 1.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not _ASCII_DIGITS.fullmatch(data):
                self.fail("incorrect_type", data_type="text")
            data = int(data)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist" if data > MAX_ID else "out_of_range", pk_value=data)
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """A decimal as a string ("12.5"), as the API documents it and answers it: a JSON number
    is a binary float, and money must not pass through one."""

    default_error_messages = {"not_a_string": 'Give a decimal string, e.g. "12.5".'}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


_NESTED = (serializers.BaseSerializer, serializers.ListField, serializers.DictField)


class StrictSerializerMixin:
    # `field_hints` maps a field the client may not write here to what to do instead.
    field_hints: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data) - writable)
            if refused:
                raise serializers.ValidationError({name: [self._refusal(name)] for name in refused})
        if hasattr(data, "getlist"):
            self._check_form(data)
        elif isinstance(data, dict):
            self._check_json_types(data)
        return super().to_internal_value(data)

    @staticmethod
    def _too_long(field, value: str) -> str | None:
        """The schema's maxLength counts what was sent; DRF counts it after trimming spaces."""
        limit = getattr(field, "max_length", None)
        if limit is not None and len(value) > limit:
            return f"Ensure this field has no more than {limit} characters."
        return None

    @staticmethod
    def _wrong_form_value(field, values: list[str]) -> str | None:
        """A form sends text; a boolean is `true` or `false` and a whole number is digits, as
        the schema says (DRF would also take "yes", "on", 1 and "5.0")."""
        if isinstance(field, serializers.BooleanField) and any(
            v.lower() not in ("true", "false") for v in values
        ):
            return "Give true or false."
        if isinstance(field, serializers.IntegerField) and any(
            not _WHOLE.fullmatch(v) for v in values
        ):
            return "Give a whole number."
        if isinstance(field, serializers.CharField):
            for value in values:
                if too_long := StrictSerializerMixin._too_long(field, value):
                    return too_long
        return None

    def _check_json_types(self, data: dict) -> None:
        """In a JSON body a value has the type the schema gives it: DRF would take 0 for text,
        "yes" for true and "5" or 5.0 for a whole number."""
        errors = {}
        for name, field in self.fields.items():
            value = data.get(name)
            if field.read_only or value is None:
                continue
            if isinstance(field, serializers.BooleanField):
                wrong = not isinstance(value, bool) and "Give true or false."
            elif isinstance(field, serializers.IntegerField):
                whole = isinstance(value, int) and not isinstance(value, bool)
                wrong = not whole and "Give a whole number."
            elif isinstance(field, serializers.CharField | serializers.ChoiceField):
                plain = not isinstance(field, serializers.MultipleChoiceField)
                wrong = plain and not isinstance(value, str) and "Give text."
                wrong = wrong or self._too_long(field, value)
            else:
                wrong = False
            if wrong:
                errors[name] = [wrong]
        if errors:
            raise serializers.ValidationError(errors)

    def _check_form(self, data) -> None:
        """A form body (multipart or urlencoded) cannot carry nested objects, and DRF reads a
        missing list field in one as an empty list: both are 400s rather than silently taken."""
        errors = {}
        partial = getattr(self.root, "partial", False)
        for name, field in self.fields.items():
            if field.read_only:
                continue
            sent = [key for key in data if key == name or key.startswith((f"{name}[", f"{name}."))]
            if isinstance(field, _NESTED) and sent:
                errors[name] = ["Send nested fields in a JSON body (application/json)."]
            elif field.required and not partial and name not in data:
                errors[name] = [field.error_messages["required"]]
            elif name in data and (wrong := self._wrong_form_value(field, data.getlist(name))):
                errors[name] = [wrong]
        if errors:
            raise serializers.ValidationError(errors)

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
        models.DateField: BoundedDateField,
        models.DateTimeField: AwareDateTimeField,
        models.DecimalField: StrictDecimalField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField


class FastReadMixin:
    """DRF's `to_representation` for model instances, with the way each field is read worked
    out once per serializer instead of once per field of every row.

    A field whose source is one concrete column or forward relation of the model, read through
    DRF's plain `Field.get_attribute` (or a related field's), is read with `getattr`; a related
    field that would send only the primary key reads the id column; a plain field naming a
    queryset annotation reads it from the row. Everything else (methods, dotted sources,
    many-to-many, `source="*"`) goes through DRF's own path. Datetime fields take the
    request's time zone once. The output is the same dict DRF builds (a test compares them);
    DRF's per-field bookkeeping (finding the attribute, checking it is not a method, asking
    for the time zone) cost more than the values on lists of fifty rows."""

    def _read_plan(self, instance) -> list:
        model, plan = self.__dict__.get("_fast_read_plan", (None, None))
        if model is not type(instance):
            model = type(instance)
            plan = []
            for field in self._readable_fields:
                if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
                    # The request's zone, looked up once: DRF asks Django for it for every
                    # value, through a context-local lookup that cost more than the value.
                    field.timezone = field.default_timezone()
                plan.append((field.field_name, field, *_fast_read(field, model)))
            self._fast_read_plan = model, plan
        return plan

    def to_representation(self, instance):
        if not isinstance(instance, models.Model):
            return super().to_representation(instance)
        ret = {}
        values = instance.__dict__
        for name, field, attr, how in self._read_plan(instance):
            if how is _ANNOTATION and attr in values:
                value = values[attr]
            elif attr is None or how is _ANNOTATION:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(value, PKOnlyObject):
                    ret[name] = None if value.pk is None else field.to_representation(value)
                    continue
            else:
                try:
                    value = getattr(instance, attr)
                except ObjectDoesNotExist:
                    value = None
                if how is _PK and value is not None:
                    value = PKOnlyObject(pk=value)
            ret[name] = None if value is None else field.to_representation(value)
        return ret


# How a planned field is read: the attribute as it is, a related field's id column, or a
# queryset annotation (a value the row carries, read from the instance when it is there).
_PLAIN, _PK, _ANNOTATION = "plain", "pk", "annotation"


def _fast_read(field, model) -> tuple[str | None, str | None]:
    """(the attribute to read, how) for a field read without DRF's help; (None, None) for a
    field DRF must read itself."""
    if len(field.source_attrs) != 1 or getattr(field, "many", False):
        return None, None
    source = field.source_attrs[0]
    try:
        # By name or by column ("task_id" finds the relation `task`: the id is read).
        column = model._meta.get_field(source)
    except FieldDoesNotExist:
        if type(field).get_attribute is serializers.Field.get_attribute:
            return source, _ANNOTATION
        return None, None
    if not column.concrete or column.many_to_many:
        return None, None
    if isinstance(field, serializers.RelatedField):
        if type(field).get_attribute is not serializers.RelatedField.get_attribute:
            return None, None
        if field.use_pk_only_optimization():
            if not column.is_relation or source != column.name:
                return None, None
            return column.attname, _PK
        return source, _PLAIN
    if type(field).get_attribute is not serializers.Field.get_attribute:
        return None, None
    return source, _PLAIN


class ReadModelSerializer(FastReadMixin, serializers.ModelSerializer):
    """The base of every model serializer that only answers (see FastReadMixin)."""
