"""The playbook's existing trigger steps say which subsidiary agreement they serve, from the
agreement their title names (steps added in the admin with other titles are left for the head
to set)."""

from django.db import migrations

KINDS = {
    "Quality agreement:": "quality",
    "Pharmacovigilance:": "pv_sdea",
    "Supply agreement:": "supply",
    "Data-use agreement:": "data_use",
}


def label(apps, schema_editor):
    TaskTemplate = apps.get_model("resourcing", "TaskTemplate")
    for prefix, kind in KINDS.items():
        TaskTemplate.objects.filter(
            anchor="trigger", trigger_kind="", title__startswith=prefix
        ).update(trigger_kind=kind)


class Migration(migrations.Migration):
    dependencies = [("resourcing", "0006_template_trigger_kind")]

    operations = [migrations.RunPython(label, migrations.RunPython.noop)]
