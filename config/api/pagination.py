import re

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 500
_DIGITS = re.compile(r"[0-9]{1,9}")


def is_whole_number(raw: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²" and "١٢", which int() refuses or reads."""
    return bool(_DIGITS.fullmatch(raw))


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page` and `?page_size` (default 50, at most 500); anything else is a 400, never a
    silent clamp."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not is_whole_number(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and (not is_whole_number(raw) or int(raw) < 1):
            raise ValidationError({"page": ["Must be a whole number from 1."]})
        return super().paginate_queryset(queryset, request, view)
