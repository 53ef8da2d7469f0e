"""The periodic tasks, as rows django-celery-beat's DatabaseScheduler reads (the admin's
Periodic tasks): upserted by name, so running this on a database that already has them changes
nothing but their task path and schedule."""

from django.db import migrations

PERIODIC_TASKS = [
    {
        "name": "housekeeping",
        "task": "reports.tasks.housekeeping",
        "every": (1, "hours"),
        "description": "Deletes report-job files past REPORT_JOB_DAYS, fails jobs whose worker "
        "died without anyone to take them over, and purges Idempotency-Key records past "
        "IDEMPOTENCY_KEY_HOURS.",
    },
]


def upsert(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for spec in PERIODIC_TASKS:
        every, period = spec["every"]
        interval = IntervalSchedule.objects.filter(every=every, period=period).first()
        if interval is None:
            interval = IntervalSchedule.objects.create(every=every, period=period)
        PeriodicTask.objects.update_or_create(
            name=spec["name"],
            defaults={
                "task": spec["task"],
                "interval": interval,
                "crontab": None,
                "solar": None,
                "clocked": None,
                "description": spec["description"],
            },
        )
    # Tell a running beat to read its schedule again.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[spec["name"] for spec in PERIODIC_TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_report_job"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(upsert, remove)]
