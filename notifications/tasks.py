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


@shared_task(acks_late=True)
def send_digests() -> int:
    return services.digests_send()
