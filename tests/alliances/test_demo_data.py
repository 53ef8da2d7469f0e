"""`make run` loads the demo portfolio into an empty database only and never touches what
users changed; the demo portfolio itself has the shape the product promises."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from alliances.choices import (
    AllianceType,
    Direction,
    ManagementModel,
    PartnerKind,
    Stage,
    Status,
)
from alliances.models import Alliance, AllianceMembership, Partner, StageTransition, TherapeuticArea
from alliances.services import next_code

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_portfolio_loads_with_its_users_and_prints_credentials():
    output = load()
    for username in ("head", "lead", "lead2", "specialist", "executive", "requester", "admin"):
        assert username in output
        user = get_user_model().objects.get(username=username)
        assert user.check_password(f"{username}-demo-2026")
    assert "Loaded the demo portfolio" in output
    assert TherapeuticArea.objects.count() == 8
    assert Partner.objects.count() == 25
    assert Alliance.objects.count() == 60
    assert Alliance.objects.filter(confidential=True).count() == 5
    assert not AllianceMembership.objects.filter(
        alliance__confidential=True, user__username="lead2"
    ).exists()


def test_demo_portfolio_covers_every_choice():
    load()
    assert set(Partner.objects.values_list("kind", flat=True)) == set(PartnerKind.values)
    for field, choices in [
        ("stage", Stage),
        ("status", Status),
        ("alliance_type", AllianceType),
        ("direction", Direction),
        ("management_model", ManagementModel),
    ]:
        assert set(Alliance.objects.values_list(field, flat=True)) == set(choices.values), field
    assert StageTransition.objects.exists()
    for alliance in Alliance.objects.all():
        alliance.full_clean()


def test_running_again_changes_nothing_users_made():
    load()
    alliance = Alliance.objects.get(code="ALL-0001")
    alliance.name = "RENAMED BY A USER"
    alliance.save()
    lead = get_user_model().objects.get(username="lead")
    lead.set_password("my own password")
    lead.save()
    counts = (Alliance.objects.count(), Partner.objects.count(), AllianceMembership.objects.count())

    output = load()

    assert "already has data" in output
    assert "password left as it was" in output
    assert Alliance.objects.get(code="ALL-0001").name == "RENAMED BY A USER"
    assert get_user_model().objects.get(username="lead").check_password("my own password")
    assert (
        Alliance.objects.count(),
        Partner.objects.count(),
        AllianceMembership.objects.count(),
    ) == counts


def test_codes_continue_after_the_demo_portfolio():
    load()
    assert next_code(sequence="alliance", prefix="ALL") == "ALL-0061"


def test_a_database_with_any_portfolio_data_gets_no_demo_portfolio():
    TherapeuticArea.objects.create(code="ours", name="Our own area")
    load()
    assert not Alliance.objects.exists()
    assert get_user_model().objects.filter(username="head").exists()
