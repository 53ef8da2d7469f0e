"""Parsing the workbook's query parameters (the API's, the admin page's and export_portfolio's
alike) into a PortfolioQuery: the alliances list's filters and search, and `since`."""

import datetime
import re
from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from rest_framework.exceptions import ValidationError as RequestError

from alliances.calendar import today
from alliances.filters import ALLIANCE_SEARCH_FIELDS, AllianceFilter
from alliances.models import Alliance
from config.api.filters import StrictSearchFilter

WORKBOOK_PARAMS = ("since", "search")
# Only filters on what a masked row shows can match one.
MASKED_FILTERS = ("stage", "status", "therapeutic_area")
DEFAULT_SINCE_DAYS = 30
EARLIEST_SINCE = datetime.date(1900, 1, 1)  # Excel has no earlier dates
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MULTIPLE = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


def default_since() -> datetime.date:
    """The workbook's default `since`: 30 days ago."""
    return today() - datetime.timedelta(days=DEFAULT_SINCE_DAYS)


def parse_since(raw: str | None) -> datetime.date:
    """`since` as given (YYYY-MM-DD, from 1900-01-01 up to today), or the default."""
    if not raw:
        return default_since()
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        since = datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError("Give a date as YYYY-MM-DD.") from None
    if not EARLIEST_SINCE <= since <= today():
        raise ValidationError(f"Give a date from {EARLIEST_SINCE:%Y-%m-%d} up to today.")
    return since


class SinceField(forms.CharField):
    """`since` in a form, parsed as the API parses it (blank: the default)."""

    def clean(self, value):
        return parse_since(super().clean(value))


def check_names(params: QueryDict) -> None:
    """Unknown parameters, and several values for one that takes one, are refused: either
    would otherwise be ignored without a word, and the workbook would not be what was asked."""
    filters = AllianceFilter.base_filters
    errors = {}
    known = ", ".join(sorted([*filters, *WORKBOOK_PARAMS]))
    for name, values in params.lists():
        if name not in filters and name not in WORKBOOK_PARAMS:
            errors[name] = [f"Not a filter of the portfolio workbook; use one of {known}."]
        elif len(values) > 1 and not (
            name in filters and issubclass(filters[name].field_class, MULTIPLE)
        ):
            errors[name] = ["Give one value."]
    if errors:
        raise ValidationError(errors)


def masked_rows_match(cleaned: dict, *, search) -> bool:
    """Whether the filters can match masked rows: only those on what such a row shows,
    `confidential=true` and `mine=false` can; a search or any other filter cannot."""
    if search and search.strip():
        return False
    for name, value in cleaned.items():
        if value in (None, "", [], ()) or name in MASKED_FILTERS:
            continue
        if (name, value) in (("confidential", True), ("mine", False)):
            continue
        return False
    return True


class PortfolioQuery:
    """Which alliances a reader gets: the ones they see, filtered and searched as on the
    alliances list; and the confidential ones they do not see, as masked rows. Only filters
    on what a masked row shows (stage, status, therapeutic area), `confidential=true` and
    `mine=false` can match those; any other filter, or a search, leaves them out, since
    matching on a hidden field would tell what it holds."""

    def __init__(self, *, user, params: QueryDict):
        check_names(params)
        self.user = user
        try:
            self.since = parse_since(params.get("since"))
        except ValidationError as error:
            raise ValidationError({"since": error.messages}) from None
        request = SimpleNamespace(user=user, query_params=params)
        filtered = AllianceFilter(
            data=params, queryset=Alliance.objects.visible_to(user), request=request
        )
        if not filtered.is_valid():
            raise ValidationError(filtered.errors)
        self.visible = _searched(request, filtered.qs)
        self.masked = Alliance.objects.none()
        if masked_rows_match(filtered.form.cleaned_data, search=params.get("search")):
            self.masked = _masked(user=user, params=params, request=request)
        # What the Summary shows as the filters: the ones given a value.
        self.params = {
            name: values
            for name, values in params.lists()
            if any(value.strip() for value in values)
        }

    def count(self) -> int:
        """Register rows: the visible alliances and the masked ones."""
        return self.visible.count() + self.masked.count()


def _searched(request, alliances):
    view = SimpleNamespace(search_fields=ALLIANCE_SEARCH_FIELDS)
    try:
        return StrictSearchFilter().filter_queryset(request, alliances, view)
    except RequestError as error:  # the API's own refusal, as a plain validation error here
        raise ValidationError(error.detail) from None


def _masked(*, user, params: QueryDict, request):
    hidden = Alliance.objects.filter(confidential=True).exclude(
        pk__in=Alliance.objects.visible_to(user).values("pk")
    )
    masked_params = QueryDict(mutable=True)
    for name in MASKED_FILTERS:
        if name in params:
            masked_params.setlist(name, params.getlist(name))
    masked = AllianceFilter(data=masked_params, queryset=hidden, request=request)
    masked.is_valid()
    return masked.qs


# The filters in words, for the Summary: each filter's label and its values' labels.
FILTER_LABELS = {
    "search": "Search",
    "stage": "Stage",
    "status": "Status",
    "management_model": "Management model",
    "alliance_type": "Type",
    "direction": "Direction",
    "therapeutic_area": "Therapeutic area",
    "partner": "Partner",
    "partner_kind": "Partner kind",
    "lead": "Lead",
    "executive_sponsor": "Executive sponsor",
    "confidential": "Confidential",
    "mine": "Mine (I lead, sponsor or am a member of)",
    "start_date_after": "Started on or after",
    "start_date_before": "Started on or before",
    "end_date_after": "Ending on or after",
    "end_date_before": "Ending on or before",
}
# Filters that mean the same on an intake request: the front door's sheets apply them.
REQUEST_FILTERS = {
    "therapeutic_area": "therapeutic_area__code__in",
    "alliance_type": "alliance_type__in",
    "direction": "direction__in",
    "partner": "partner_id__in",
    "partner_kind": "partner__kind__in",
}


def _value_words(query: PortfolioQuery, name: str, value: str) -> str:
    from django.contrib.auth import get_user_model

    from alliances.models import TherapeuticArea

    known = AllianceFilter.base_filters.get(name)
    choices = getattr(known, "extra", {}).get("choices")
    if choices:
        return str(dict(choices).get(value, value))
    if name in ("confidential", "mine"):
        return {"true": "yes", "false": "no"}.get(value.lower(), value)
    if name == "therapeutic_area":
        area = TherapeuticArea.objects.filter(code=value).values_list("name", flat=True).first()
        return area or value
    if name in ("lead", "executive_sponsor"):
        user = get_user_model().objects.filter(pk=value).first()
        return (user.get_full_name() or user.get_username()) if user else value
    if name == "partner":
        # Named only through an alliance the reader sees: a partner's name is no secret of
        # the filter's.
        seen = Alliance.objects.visible_to(query.user).filter(partner_id=value)
        return seen.values_list("partner__name", flat=True).first() or f"#{value}"
    if name == "search":
        return f"“{value.strip()}”"
    return value


def filters_in_words(query: PortfolioQuery) -> str:
    """The filters given a value, as labels: "Stage: Development, Commercial; Search: “x”"."""
    parts = []
    for name in [*FILTER_LABELS, *sorted(set(query.params) - set(FILTER_LABELS))]:
        if name not in query.params or name == "since":
            continue
        values = [v for v in query.params[name] if v.strip()]
        words = ", ".join(_value_words(query, name, value) for value in values)
        parts.append(f"{FILTER_LABELS.get(name, name)}: {words}")
    return "; ".join(parts)


def request_filters(query: PortfolioQuery):
    """(Q, labels): the query's filters that apply to intake requests as well (area, type,
    direction, partner, partner kind), and their labels."""
    from django.db.models import Q

    q, labels = Q(), []
    for name, lookup in REQUEST_FILTERS.items():
        values = [v for v in query.params.get(name, ()) if v.strip()]
        if values:
            q &= Q(**{lookup: values})
            labels.append(FILTER_LABELS[name])
    return q, labels
