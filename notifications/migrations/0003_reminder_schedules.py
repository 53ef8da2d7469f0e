"""Reminders daily an hour before the digest (so the digest carries them) and the purge of old
read notifications nightly, as django-celery-beat rows created once by name; their times are
edited in the admin's Periodic tasks afterwards."""

from django.conf import settings
from django.db import migrations

SCHEDULES = [
    (
        "reminders",
        "notifications.tasks.send_reminders",
        lambda: str((settings.NOTIFICATION_DIGEST_HOUR - 1) % 24),
        "Triage due tomorrow or breached, overdue tasks, status reports due.",
    ),
    (
        "purge read notifications",
        "notifications.tasks.purge_read_notifications",
        lambda: "3",
        "Deletes read notifications older than NOTIFICATION_KEEP_DAYS.",
    ),
]


def upsert(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).update(task=task):
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0",
            hour=hour(),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.PORTFOLIO_TIME_ZONE,
        )
        PeriodicTask.objects.create(name=name, task=task, crontab=crontab, description=description)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_digest_schedule")]

    operations = [migrations.RunPython(upsert, remove)]
