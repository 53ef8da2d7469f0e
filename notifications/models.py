from django.conf import settings
from django.db import models

from alliances.models import Alliance
from config.constraints import PythonCheckedConstraints

from .choices import Delivery, Kind
from .querysets import NotificationQuerySet


class Notification(PythonCheckedConstraints, models.Model):
    """One event told to one person: in their inbox, and by email as they prefer. `key` names
    the event, so the same event is never told twice (a retried task, a beat tick run twice)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200, help_text="The event, unique per recipient.")
    text = models.CharField(max_length=300)
    api_path = models.CharField(max_length=200, blank=True)
    admin_path = models.CharField(max_length=200, blank=True)
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text}"


class NotificationPreference(PythonCheckedConstraints, models.Model):
    """How email reaches a user for one kind (no row: immediately)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=models.Q(delivery__in=Delivery.values),
                name="notification_delivery_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.delivery}"
