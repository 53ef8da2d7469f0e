from django.db import migrations

ROLES = ["alliance_lead", "specialist", "executive", "alliance_head"]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    CodeSequence = apps.get_model("alliances", "CodeSequence")
    CodeSequence.objects.get_or_create(name="alliance")


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
