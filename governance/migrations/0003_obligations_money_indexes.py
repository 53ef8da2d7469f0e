# Covering indexes for the obligations forecast and the overdue register.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_agreements_obligations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(
                fields=[
                    "status",
                    "due_date",
                    "kind",
                    "currency",
                    "direction",
                    "amount",
                    "alliance",
                ],
                name="obligation_money_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(
                fields=["status", "met_on", "kind", "currency", "direction", "amount", "alliance"],
                name="obligation_money_met_idx",
            ),
        ),
    ]
