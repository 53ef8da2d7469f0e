"""Telling people: `notify` writes the inbox row inside the caller's transaction (a change that
rolls back tells nobody) and emails after commit, once; digests gather the rest."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliances.models import Alliance

from .choices import Delivery, Kind
from .models import Notification, NotificationPreference

log = logging.getLogger(__name__)


def delivery_for(user, kind: str) -> str:
    stored = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("delivery", flat=True)
        .first()
    )
    return stored or Delivery.IMMEDIATELY


def notify(
    *,
    recipient,
    kind: Kind,
    key: str,
    text: str,
    alliance: Alliance | None = None,
    about=None,
    api_path: str = "",
    admin_path: str = "",
) -> Notification | None:
    """Tell `recipient` of one event, named by `key`, about `about` (a row whose model has
    `objects.visible_to`; by default the alliance). Nobody hears of what they may not see (so
    a confidential alliance's name reaches only its team), nor of the same event twice; an
    inactive user hears nothing. Returns the notification, or None if none was due."""
    if recipient is None or not recipient.is_active:
        return None
    about = about if about is not None else alliance
    if about is not None and not (
        type(about).objects.visible_to(recipient).filter(pk=about.pk).exists()
    ):
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                key=key[:200],
                text=text[:300],
                alliance=alliance,
                api_path=api_path,
                admin_path=admin_path,
            )
    except IntegrityError:  # this event was told already
        return None
    if delivery_for(recipient, kind) == Delivery.IMMEDIATELY:
        from .tasks import email_notification

        pk = notification.pk
        transaction.on_commit(lambda: email_notification.delay(pk))
    return notification


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path else ""


def _still_visible(notification: Notification) -> bool:
    return (
        Notification.objects.visible_to(notification.recipient).filter(pk=notification.pk).exists()
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification unless it was emailed already (the row is claimed first, so two
    deliveries of the task send one email); a failed send gives the claim back for the retry."""
    now = timezone.now()
    if not Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=now
    ):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.email or not recipient.is_active or not _still_visible(notification):
        return False
    body = notification.text
    if notification.admin_path:
        body += f"\n\n{_link(notification.admin_path)}"
    try:
        send_mail(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{notification.text}"[:150],
            message=body + _footer(),
            from_email=None,
            recipient_list=[recipient.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def _footer() -> str:
    return (
        "\n\n--\nYou get this because of your notification preferences "
        f"({_link('/api/v1/me/notification-preferences/')})."
    )


def digest_send(*, user) -> int:
    """One email with every notification `user` takes in the daily digest and has not had by
    email; returns how many it held (claimed first, so two runs send it once)."""
    digest_kinds = list(
        NotificationPreference.objects.filter(
            user=user, delivery=Delivery.DAILY_DIGEST
        ).values_list("kind", flat=True)
    )
    pending = Notification.objects.visible_to(user).filter(
        emailed_at__isnull=True, kind__in=digest_kinds
    )
    ids = list(pending.order_by("created_at", "pk").values_list("pk", flat=True))
    if not ids or not user.email:
        return 0
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update()
            .filter(pk__in=ids, emailed_at__isnull=True)
            .order_by("created_at", "pk")
        )
        if not claimed:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(emailed_at=now)
        lines = [
            f"- {n.text}" + (f"\n  {_link(n.admin_path)}" if n.admin_path else "") for n in claimed
        ]
        send_mail(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}Your daily digest: {len(claimed)} update(s)",
            message="\n".join(lines) + _footer(),
            from_email=None,
            recipient_list=[user.email],
        )
    return len(claimed)


def digests_send() -> int:
    """Every user's digest; the number of emails sent."""
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            notification_preferences__delivery=Delivery.DAILY_DIGEST,
            notifications__emailed_at__isnull=True,
        )
        .distinct()
    )
    return sum(1 for user in users if digest_send(user=user))


@transaction.atomic
def notifications_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (these, or all); returns how many changed."""
    unread = Notification.objects.visible_to(user).unread()
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preferences_update(*, user, changes: dict[str, str]) -> None:
    for kind, delivery in changes.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )


def read_notifications_purge() -> int:
    """Delete read notifications older than NOTIFICATION_KEEP_DAYS; unread ones stay."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.NOTIFICATION_KEEP_DAYS)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
