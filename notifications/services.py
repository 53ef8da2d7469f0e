"""Telling people: `notify` writes the inbox row inside the caller's transaction (a change that
rolls back tells nobody) and emails after commit, once; digests gather the rest."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from alliances.models import Alliance

from .choices import Delivery
from .models import Notification, NotificationPreference

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One event to tell one person: `key` names the event; `about` is the row it concerns
    (its model has `objects.visible_to`; by default the alliance)."""

    recipient: object
    kind: str
    key: str
    text: str
    alliance: Alliance | None = None
    about: object = None
    api_path: str = ""
    admin_path: str = ""

    @property
    def subject(self):
        return self.about if self.about is not None else self.alliance


def _visible(messages: list[Message]) -> list[Message]:
    """The messages whose recipient may see what they are about: one query per recipient and
    kind of row, however many messages."""
    wanted = defaultdict(set)
    for m in messages:
        if m.subject is not None:
            wanted[m.recipient.pk, type(m.subject)].add(m.subject.pk)
    people = {m.recipient.pk: m.recipient for m in messages}
    seen = {
        (person, model): set(
            model.objects.visible_to(people[person]).filter(pk__in=ids).values_list("pk", flat=True)
        )
        for (person, model), ids in wanted.items()
    }
    return [
        m
        for m in messages
        if m.subject is None or m.subject.pk in seen[m.recipient.pk, type(m.subject)]
    ]


def notify_many(messages: list[Message]) -> int:
    """Tell each recipient of their event, inside the caller's transaction; email after
    commit for those who take it immediately. Nobody hears of what they may not see (so a
    confidential alliance's name reaches only its team), nor of the same event twice (the
    (recipient, key) constraint holds even against a second tick at the same moment); an
    inactive user hears nothing. A fixed number of queries per recipient, not per message.
    Returns how many were written."""
    messages = [m for m in messages if m.recipient is not None and m.recipient.is_active]
    if not messages:
        return 0
    told = set(
        Notification.objects.filter(
            recipient__in={m.recipient.pk for m in messages},
            key__in={m.key[:200] for m in messages},
        ).values_list("recipient_id", "key")
    )
    fresh, keys = [], set()
    for m in _visible(messages):
        mark = (m.recipient.pk, m.key[:200])
        if mark not in told and mark not in keys:
            keys.add(mark)
            fresh.append(m)
    if not fresh:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=m.recipient,
                kind=m.kind,
                key=m.key[:200],
                text=m.text[:300],
                alliance=m.alliance,
                api_path=m.api_path,
                admin_path=m.admin_path,
            )
            for m in fresh
        ],
        ignore_conflicts=True,
    )
    quiet = set(
        NotificationPreference.objects.filter(recipient_q(fresh))
        .exclude(delivery=Delivery.IMMEDIATELY)
        .values_list("user_id", "kind")
    )
    loud = [m for m in fresh if (m.recipient.pk, m.kind) not in quiet]
    if loud:
        ids = list(
            Notification.objects.filter(
                recipient__in={m.recipient.pk for m in loud},
                key__in={m.key[:200] for m in loud},
                emailed_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        from .tasks import email_notifications

        for start in range(0, len(ids), EMAILS_PER_TASK):
            chunk = ids[start : start + EMAILS_PER_TASK]
            transaction.on_commit(lambda chunk=chunk: email_notifications.delay(chunk))
    return len(fresh)


EMAILS_PER_TASK = 200


def recipient_q(messages: list[Message]):
    from django.db.models import Q

    return Q(user__in={m.recipient.pk for m in messages}, kind__in={m.kind for m in messages})


def notify(**fields) -> Notification | None:
    """Tell one person of one event (see notify_many); the notification, or None if none was
    due."""
    message = Message(**fields)
    if not notify_many([message]):
        return None
    return Notification.objects.get(recipient=message.recipient, key=message.key[:200])


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
