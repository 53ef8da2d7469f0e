"""Delete Idempotency-Key records older than IDEMPOTENCY_KEY_HOURS. Keyed POSTs purge their
own user's records as they go; run this from a scheduled job (e.g. daily) to purge the rest."""

from django.conf import settings
from django.core.management.base import BaseCommand

from config.api.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_HOURS."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(
            f"Deleted {deleted} Idempotency-Key record(s) older than "
            f"{settings.IDEMPOTENCY_KEY_HOURS} hours."
        )
