"""`make run` loads the demo portfolio into an empty database only and never touches what
users changed; the demo portfolio itself has the shape the product promises."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from alliances.calendar import today
from alliances.choices import (
    AllianceType,
    Direction,
    ManagementModel,
    PartnerKind,
    Stage,
    Status,
)
from alliances.models import (
    ActivityLog,
    Alliance,
    AllianceMembership,
    Partner,
    StageTransition,
    TherapeuticArea,
)
from alliances.services import next_code
from resourcing.choices import INTAKE_SLA_STATUSES, OPEN_WORK
from resourcing.models import IntakeRequest, LeavePeriod, Service, Specialist, Task, TaskTemplate

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
    assert "Demo portfolio: loaded" in output
    assert "Demo status reports: loaded" in output
    assert "Service playbooks: loaded" in output
    assert "Demo specialists, work and intake requests: loaded" in output
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

    assert "Demo portfolio: already has data" in output
    assert "Demo specialists, work and intake requests: already has data" in output
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
    output = load()
    assert not Alliance.objects.exists()
    assert not Specialist.objects.exists()  # it builds on the demo portfolio
    assert "not loaded (it builds on demo data" in output
    assert TaskTemplate.objects.exists()  # the playbooks stand alone
    assert get_user_model().objects.filter(username="head").exists()


def test_demo_history_is_in_the_activity_log():
    load()
    moves = StageTransition.objects.count()
    assert moves > 0
    alliance_moves = ActivityLog.objects.filter(
        verb="transitioned", content_type=ContentType.objects.get_for_model(Alliance)
    )
    assert alliance_moves.count() == moves


def test_demo_resourcing_is_dated_around_today():
    """Moved by whole weeks to today, so the demo always has people on leave now, one
    specialist at the WIP limit and an overdue request."""
    load()
    day = today()
    assert Specialist.objects.count() >= 12
    on_leave = LeavePeriod.objects.filter(start__lte=day, end__gte=day)
    assert on_leave.values("specialist").distinct().count() == 2
    at_limit = [
        s
        for s in Specialist.objects.filter(active=True)
        if Task.objects.filter(assignee=s.user, status__in=OPEN_WORK).count() >= s.wip_limit
    ]
    assert len(at_limit) == 1
    overdue = IntakeRequest.objects.filter(status__in=INTAKE_SLA_STATUSES, sla_due__lt=day)
    assert overdue.count() >= 1
    for service in Service.objects.all():
        assert service.templates.exists(), service.code
        assert Specialist.objects.filter(services=service, active=True).count() >= 3
    for model in (Specialist, Task, IntakeRequest):
        for row in model.objects.all():
            row.full_clean()


def test_demo_resourcing_loaded_months_later_still_has_people_on_leave_today(monkeypatch):
    import datetime

    from resourcing import demo

    later = demo.REFERENCE_MONDAY + datetime.timedelta(days=5 * 7 + 3)  # a Thursday
    monkeypatch.setattr(demo, "today", lambda: later)
    load()
    on_leave = LeavePeriod.objects.filter(start__lte=later, end__gte=later)
    assert on_leave.values("specialist").distinct().count() == 2
    late = IntakeRequest.objects.filter(status__in=INTAKE_SLA_STATUSES, sla_due__lt=later)
    assert late.exists()
    for intake in IntakeRequest.objects.all():
        assert intake.sla_due.weekday() < 5  # whole weeks keep business days business days


def test_demo_status_reports_cover_six_months_with_gaps_and_reds():
    from reports.latest import due_month
    from reports.models import StatusReport

    load()
    months = StatusReport.objects.values_list("month", flat=True).distinct()
    assert len(set(months)) == 6
    assert max(months) == due_month(today())
    assert StatusReport.objects.filter(rag="red").exists()
    reported = StatusReport.objects.values("alliance").distinct().count()
    assert 0.6 * Alliance.objects.count() < reported < Alliance.objects.count()
    missing = Alliance.objects.exclude(status="closed").exclude(
        status_reports__month=due_month(today())
    )
    assert missing.exists()


def test_demo_status_reports_were_written_early_in_the_following_month():
    from django.utils import timezone

    from reports.latest import next_month
    from reports.models import StatusReport

    load()
    now = timezone.now()
    for month, created in StatusReport.objects.values_list("month", "created_at"):
        written = timezone.localtime(created).date()
        assert created <= now
        assert next_month(month) <= written <= next_month(month).replace(day=3) or (
            written == timezone.localdate()
        )
