"""Thin Celery tasks: ids in, a service call, explicit retries."""

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_notification(notification_id: int) -> bool:
    return services.notification_email_send(notification_id=notification_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notifications(notification_ids: list[int]) -> int:
    """Several at once (a reminder tick); each is claimed before it is sent, so a retry after
    a failure half-way sends only the rest."""
    return sum(services.notification_email_send(notification_id=pk) for pk in notification_ids)


@shared_task(acks_late=True)
def send_digests() -> int:
    return services.digests_send()


@shared_task(acks_late=True)
def send_reminders() -> int:
    from alliances.calendar import today

    from .reminders import run_reminders

    return run_reminders(today())


@shared_task(acks_late=True)
def purge_read_notifications() -> int:
    return services.read_notifications_purge()
