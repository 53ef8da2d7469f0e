"""The daily digest as a row django-celery-beat's DatabaseScheduler reads (the admin's Periodic
tasks), at NOTIFICATION_DIGEST_HOUR in PORTFOLIO_TIME_ZONE when first migrated; change the time
there afterwards. Upserted by name, so running it again changes nothing but its task path."""

from django.conf import settings
from django.db import migrations

NAME = "notification digests"


def upsert(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    existing = PeriodicTask.objects.filter(name=NAME).first()
    if existing is not None:
        existing.task = "notifications.tasks.send_digests"
        existing.save(update_fields=["task"])
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour=str(settings.NOTIFICATION_DIGEST_HOUR),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.PORTFOLIO_TIME_ZONE,
    )
    PeriodicTask.objects.create(
        name=NAME,
        task="notifications.tasks.send_digests",
        crontab=crontab,
        description="Emails each person the notifications they take in the daily digest.",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(upsert, remove)]
