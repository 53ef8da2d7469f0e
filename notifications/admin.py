from django.contrib import admin

from alliances import admin_rules as rules
from alliances.admin import RoleAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(rules.ReadOnlyRules, RoleAdmin):
    """Your own inbox, as the API shows it."""

    list_display = ["created_at", "kind", "text", "read_at"]
    list_filter = ["kind"]
    search_fields = ["text"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
