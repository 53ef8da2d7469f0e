"""Your inbox on the web screens: the same notifications as GET notifications/, newest first,
unread marked; opening one marks it read and goes to what it is about."""

from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.decorators import display

from alliances import admin_rules as rules
from alliances.admin import RoleAdmin
from config import display as show

from . import services
from .models import Notification


def _anyone(user, obj=None) -> bool:
    """Everyone who signs in has an inbox (requesters included); it holds only their own."""
    return user.is_active and user.is_authenticated


class UnreadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("true", "Unread"), ("false", "Read")]

    def queryset(self, request, queryset):
        if self.value() == "true":
            return queryset.unread()
        if self.value() == "false":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(rules.ReadOnlyRules, RoleAdmin):
    """Your own inbox, as the API shows it."""

    view_rule = staticmethod(_anyone)
    list_display = ["message", "kind_label", "when", "state"]
    list_display_links = None
    list_filter = [UnreadFilter, "kind"]
    search_fields = ["text"]
    ordering = ["-created_at", "-pk"]
    actions = ["read_selected"]
    fields = ["kind", "text", "created_at", "read_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    @display(description="Notification")
    def message(self, notification):
        url = reverse("admin:notifications_notification_open", args=[notification.pk])
        if notification.read_at is None:
            return format_html('<a href="{}" class="font-semibold">{}</a>', url, notification.text)
        return format_html('<a href="{}">{}</a>', url, notification.text)

    @display(description="About", ordering="kind")
    def kind_label(self, notification):
        return notification.get_kind_display()

    @display(description="When", ordering="created_at")
    def when(self, notification):
        return show.moment(notification.created_at)

    @display(description="")
    def state(self, notification):
        return show.badge("New", "primary") if notification.read_at is None else ""

    @admin.action(description="Mark selected as read")
    def read_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        changed = services.notifications_read(user=request.user, ids=ids)
        said = f"{show.count(changed, 'notification')} marked read."
        self.message_user(request, said, messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if _anyone(request.user):  # reading your own inbox is not a change permission
            actions["read_selected"] = self.get_action("read_selected")
        return actions

    def get_urls(self):
        open_view = self.admin_site.admin_view(self.open_view)
        return [
            path("<int:pk>/open/", open_view, name="notifications_notification_open"),
            *super().get_urls(),
        ]

    def open_view(self, request, pk):
        """Marks it read and goes to what it is about (the inbox when that is gone)."""
        notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
        services.notifications_read(user=request.user, ids=[notification.pk])
        target = notification.admin_path or reverse("admin:notifications_notification_changelist")
        return redirect(target)
