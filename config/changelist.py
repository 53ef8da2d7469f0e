"""The lists' ChangeList: the same page, with the header links worked out once a page. Unfold
works out every column's sort links again for each row (a few thousand query strings for a
page of 100 rows); they depend only on the request's parameters, so they are kept for the
page's life."""

from unfold.views import ChangeList


class PageChangeList(ChangeList):
    def get_query_string(self, new_params=None, remove=None):
        try:
            key = (tuple(sorted((new_params or {}).items())), tuple(remove or ()))
            hash(key)
        except TypeError:  # a list among the values: worked out each time
            return super().get_query_string(new_params, remove)
        kept = self.__dict__.setdefault("_query_strings", {})
        if key not in kept:
            kept[key] = super().get_query_string(new_params, remove)
        return kept[key]

    def get_ordering_field_columns(self):
        if "_ordering_field_columns" not in self.__dict__:
            self._ordering_field_columns = super().get_ordering_field_columns()
        return dict(self._ordering_field_columns)


class PageChangeListMixin:
    """For a ModelAdmin: its list through PageChangeList."""

    def get_changelist(self, request, **kwargs):
        return PageChangeList
