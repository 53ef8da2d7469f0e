from .choices import Delivery, Kind
from .models import Notification, NotificationPreference


def notification_list(*, user):
    return Notification.objects.visible_to(user)


def unread_count(*, user) -> int:
    return Notification.objects.visible_to(user).unread().count()


def preferences(*, user) -> list[dict]:
    """Every kind with how email reaches the user for it (immediately unless they chose)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [
        {
            "kind": kind.value,
            "label": str(kind.label),
            "delivery": chosen.get(kind, Delivery.IMMEDIATELY),
        }
        for kind in Kind
    ]
