from django.db import models


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """Your own; of those about an alliance, only while you still see it: a notification
        leaves your inbox with your access, so it never shows more than the API does."""
        from alliances.models import Alliance

        if not user.is_authenticated:
            return self.none()
        visible = Alliance.objects.visible_to(user).values("pk")
        return self.filter(recipient=user).filter(
            models.Q(alliance__isnull=True) | models.Q(alliance__in=visible)
        )

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)
