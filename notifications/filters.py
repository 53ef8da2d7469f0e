import django_filters

from config.api.filters import BooleanFilter

from .choices import Kind
from .models import Notification


class NotificationFilter(django_filters.FilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Not read yet")
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)

    class Meta:
        model = Notification
        fields = []
