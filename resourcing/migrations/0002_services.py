from django.db import migrations

SERVICES = [
    ("startup", "Alliance start-up", "Stand the alliance up: obligations, governance, charter, kick-off, plan and budget, baseline health check, hand-off."),
    ("termination", "Termination", "Wind an alliance down cleanly: notice, communications, transitional supply, rights reversion, reconciliation, surviving obligations."),
    ("subsidiary_agreements", "Subsidiary agreements", "Quality, pharmacovigilance (SDEA), supply and data-use agreements negotiated under the main contract."),
    ("reporting", "Measurement and reporting", "Quarterly alliance reporting, scorecards and the annual health check."),
    ("governance_logistics", "Governance logistics", "Committee meeting logistics counted back from each meeting: holds, agenda, pre-reads, minutes."),
    ("contract_finance", "Contract and financial management", "Milestones, royalties, cost sharing, invoicing and audit rights tracked against the contract."),
]


def create(apps, schema_editor):
    Service = apps.get_model("resourcing", "Service")
    for code, name, description in SERVICES:
        Service.objects.get_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("resourcing", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
