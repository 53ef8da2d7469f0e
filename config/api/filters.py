import functools

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from config import dates

MAX_ID = 2**63 - 1
# An empty query parameter (`?alliance=`) means none given, for every filter: the schema says so.
EMPTY = {"type": "string", "maxLength": 0}


class BoundedDateField(forms.DateField):
    """`YYYY-MM-DD` within config.dates' range; a date beyond it is a 400 naming the range
    rather than a database error or a silently empty list."""

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not dates.in_range(day):
            raise forms.ValidationError(dates.range_message(), code="date_out_of_range")
        return day


@extend_schema_field(
    # Empty (`?due_date_after=`) means no filter, as for every filter.
    {"anyOf": [{"type": "string", "format": "date"}, EMPTY]}
)
class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


@extend_schema_field({"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID}, EMPTY]})
class IdFilter(django_filters.NumberFilter):
    """An object id. An id nobody may see and an id that does not exist both simply match
    nothing; a value that cannot be an id is a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StrictSearchFilter(SearchFilter):
    """`?search=` with at most MAX_SEARCH_TERMS words: each word is one more condition, and a
    query of hundreds of them is refused by the database (a 400 here, not a 500 there)."""

    MAX_SEARCH_TERMS = 20

    def get_search_terms(self, request):
        terms = super().get_search_terms(request)
        if len(terms) > self.MAX_SEARCH_TERMS:
            message = f"Search with at most {self.MAX_SEARCH_TERMS} words."
            raise ValidationError({self.search_param: [message]})
        return terms


class StrictOrderingFilter(OrderingFilter):
    """Unknown `?ordering=` fields are a 400 rather than silently ignored; the view's default
    ordering always ends with the primary key so pages are stable."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param, "")
        fields = [param.strip() for param in params.split(",") if param.strip()]
        if fields:
            valid = {
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            }
            bad = [f for f in fields if f.lstrip("-") not in valid]
            if bad:
                choices = ", ".join(sorted(valid))
                message = f"Cannot order by {', '.join(bad)}. Choose from: {choices}."
                raise ValidationError({self.ordering_param: [message]})
            # The tie-break runs the same way as the last key, so an index can serve both.
            return [*fields, "-pk" if fields[-1].startswith("-") else "pk"]
        return self.get_default_ordering(view)


class StrictBooleanField(forms.NullBooleanField):
    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise forms.ValidationError("Use true or false.")

    def validate(self, value):
        return None


@extend_schema_field({"anyOf": [{"type": "boolean"}, EMPTY]})
class BooleanFilter(django_filters.BooleanFilter):
    """`true`/`false` (or 1/0); anything else is a 400 rather than silently ignored."""

    field_class = StrictBooleanField


class CodeChoiceField(django_filters.fields.ModelMultipleChoiceField):
    def clean(self, value):
        # `?area=` with nothing after it means no filter, not a bad code.
        return super().clean([v for v in (value or []) if v != ""])


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelMultipleChoiceFilter):
    """One or more codes or names (`?therapeutic_area=a&therapeutic_area=b`); unknown: 400."""

    field_class = CodeChoiceField


class IdOrMeField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        if value == "me":
            return value
        return forms.IntegerField(min_value=1, max_value=MAX_ID).clean(value)


@extend_schema_field({"type": "string", "pattern": r"^(me|[1-9][0-9]{0,17})?$"})
class UserIdFilter(django_filters.Filter):
    """A user id, or `me` for the caller."""

    field_class = IdOrMeField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        user_id = self.parent.request.user.pk if value == "me" else value
        return queryset.filter(**{self.field_name: user_id})


class NamedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, building only the filters the query string names.

    django-filter copies every filter of the set and builds and validates a form field for
    each on every request, though a filter given no value filters nothing (its form field is
    empty, and django-filter returns the queryset untouched). A list with twenty filters
    spent an eighth of its CPU there. Here the filterset class is narrowed, once per set of
    names, to the filters whose parameter a request carries (`name`, or `name_<suffix>` for
    the range widgets); bad values are still 400s with the same messages, and the schema
    still lists every filter."""

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        given = frozenset(request.query_params)
        named = frozenset(
            name for name in filterset_class.base_filters if _names_filter(name, given)
        )
        if len(named) != len(filterset_class.base_filters):
            filterset_class = _narrowed(filterset_class, named)
        return filterset_class(**self.get_filterset_kwargs(request, queryset, view))


def _names_filter(name: str, given: frozenset) -> bool:
    return name in given or any(key.startswith(f"{name}_") for key in given)


@functools.lru_cache(maxsize=512)
def _narrowed(filterset_class, names: frozenset):
    narrowed = type(filterset_class.__name__, (filterset_class,), {})
    narrowed.base_filters = {
        name: flt for name, flt in filterset_class.base_filters.items() if name in names
    }
    return narrowed
