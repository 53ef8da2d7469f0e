"""Playbook steps are known by (service, anchor, title). Loading fixtures/playbooks.json twice
used to duplicate every step: keep the first of each set of duplicates (its tasks keep pointing
at it) before the unique constraint goes on."""

from django.db import migrations, models
from django.db.models import Count, Min


def merge_duplicates(apps, schema_editor):
    TaskTemplate = apps.get_model("resourcing", "TaskTemplate")
    Task = apps.get_model("resourcing", "Task")
    groups = (
        TaskTemplate.objects.values("service_id", "anchor", "title")
        .annotate(n=Count("pk"), keep=Min("pk"))
        .filter(n__gt=1)
        .order_by()
    )
    for group in groups:
        duplicates = TaskTemplate.objects.filter(
            service_id=group["service_id"], anchor=group["anchor"], title=group["title"]
        ).exclude(pk=group["keep"])
        Task.objects.filter(template__in=duplicates).update(template_id=group["keep"])
        duplicates.delete()
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deferred foreign-key checks now: PostgreSQL refuses to alter a table with
        # pending trigger events in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("resourcing", "0004_dates_in_range")]

    operations = [
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="tasktemplate",
            constraint=models.UniqueConstraint(
                fields=("service", "anchor", "title"), name="template_step_unique"
            ),
        ),
    ]
