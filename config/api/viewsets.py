"""The viewset every app's read-and-act endpoints share (NetBox's way): the app gives the
queryset (its selector, through the one visibility method), the serializer and the filterset;
filters, search and ordering apply to lists only, so an action on one object never answers
404 because of a filter in its query string; POSTs honour Idempotency-Key."""

from rest_framework import mixins, viewsets

from .idempotency import IdempotentMixin

# At most 18 digits: a larger id exists nowhere, and SQLite cannot even compare one past 2**63 - 1
# (OverflowError, a 500); the address simply matches nothing (404).
ID = r"[0-9]{1,18}"


class ReadViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_value_regex = ID

    def filter_queryset(self, queryset):
        if self.action in ("list", None):
            return super().filter_queryset(queryset)
        return queryset
