"""Explicit hooks through which higher apps add columns and filters to the alliances list
(reports: the latest status report), without this app importing them. Registered from the
higher app's AppConfig.ready()."""

from collections.abc import Callable

# () -> {name: (expression, serializer field)}: annotations every alliance list and detail
# carries, and how the API shows each.
_columns: list[Callable[[], dict]] = []


def register_list_annotations(source: Callable[[], dict]) -> None:
    if source not in _columns:
        _columns.append(source)


def register_filters(source: Callable[[], dict]) -> None:
    """`source() -> {name: django_filters.Filter}`, added to the alliances list's filters."""
    from .filters import AllianceFilter

    AllianceFilter.base_filters.update(source())


def annotate(queryset):
    for source in _columns:
        queryset = queryset.annotate(**{name: expr for name, (expr, _) in source().items()})
    return queryset


def serializer_fields() -> dict:
    return {name: field for source in _columns for name, (_, field) in source().items()}


# () -> {name: (Prefetch, serializer field)}: what higher apps list on one alliance's page
# (governance: its agreements and next obligations), prefetched with the detail.
_detail_sections: list[Callable[[], dict]] = []


def register_detail_sections(source: Callable[[], dict]) -> None:
    if source not in _detail_sections:
        _detail_sections.append(source)


def prefetch_detail(queryset):
    for source in _detail_sections:
        queryset = queryset.prefetch_related(*(prefetch for prefetch, _ in source().values()))
    return queryset


def detail_serializer_fields() -> dict:
    return {name: field for source in _detail_sections for name, (_, field) in source().items()}
