"""The home page (the admin index): what needs each reader now, one section per role they
hold; nothing a reader could not see through the API; a constant number of queries whatever
the number of rows."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.calendar import today
from alliances.choices import Role, Stage
from governance.choices import MeetingStatus
from reports.latest import due_month, previous_month
from resourcing import home as resourcing_home
from resourcing.choices import IntakeStatus, MessageKind, TaskStatus
from resourcing.models import IntakeMessage
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.governance.factories import ActionItemFactory, MeetingFactory, ObligationFactory
from tests.reports.factories import StatusReportFactory
from tests.resourcing.factories import IntakeFactory, TaskFactory, TaskTemplateFactory

pytestmark = pytest.mark.django_db

HOME = "/admin/"
OCT = due_month(today())  # the month whose report is due on the test clock's today


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def queries(client, user) -> int:
    client.force_login(user)
    client.get(HOME)  # warm: the session, the content types
    cache.clear()  # measured with nothing kept (demand against capacity is kept a minute)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return len(captured)


# Who may open it ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_inactive_user_is_sent_to_sign_in(client, lead):
    lead.is_active = False
    lead.save()
    client.force_login(lead)
    assert client.get(HOME).status_code == 302


# The lead ------------------------------------------------------------------------------------


def test_lead_sees_intake_by_sla_state_oldest_first_linking_to_triage(client, lead):
    breached = IntakeFactory(title="Breached deal", sla_due=days(-3))
    due_today = IntakeFactory(title="Due today deal", sla_due=today())
    IntakeFactory(title="This week deal", sla_due=days(4))
    IntakeFactory(title="Next month deal", sla_due=days(30))
    IntakeFactory(title="Decided deal", sla_due=days(-9), status=IntakeStatus.DECLINED)
    page = home(client, lead)
    assert "Intake waiting on triage" in page
    assert "1 SLA breached" in page and "1 due today" in page and "1 due this week" in page
    assert "3 days breached" in page
    assert reverse("admin:resourcing_intakerequest_triage", args=[breached.pk]) in page
    assert page.index("Breached deal") < page.index("Due today deal") < page.index("This week")
    assert reverse("admin:resourcing_intakerequest_triage", args=[due_today.pk]) in page
    assert "Next month deal" not in page
    assert "Decided deal" not in page


def test_lead_sees_their_alliances_needing_attention_and_governance(client, lead):
    red = AllianceFactory(code="ALL-RED", lead=lead)
    StatusReportFactory(alliance=red, month=OCT, rag="red", headline="Safety signal")
    calm = AllianceFactory(code="ALL-CALM", lead=lead)
    StatusReportFactory(alliance=calm, month=OCT, rag="green")
    silent = AllianceFactory(code="ALL-SILENT", lead=lead)  # no report for October
    someone_elses = AllianceFactory(code="ALL-OTHER")
    StatusReportFactory(alliance=someone_elses, month=OCT, rag="red")
    MeetingFactory(
        body__alliance=red,
        title="Held JSC",
        status=MeetingStatus.HELD,
        starts_at=timezone.now() - datetime.timedelta(days=40),
    )
    ObligationFactory(agreement__alliance=silent, title="Late milestone", due_date=days(-5))
    page = home(client, lead)
    assert "My alliances needing attention" in page
    assert "ALL-RED" in page and "Safety signal" in page
    assert "ALL-SILENT" in page and "Missing" in page
    assert "ALL-CALM" not in page
    assert "ALL-OTHER" not in page
    assert "Held JSC" in page and "Approval overdue" in page
    assert "Late milestone" in page and "5 days overdue" in page
    assert "Demand against capacity" in page


def test_a_confidential_alliance_never_reaches_a_lead_who_may_not_see_it(client, lead, head):
    secret = AllianceFactory(code="ALL-SECRET", name="HUSH", confidential=True)
    MembershipFactory(alliance=secret)  # someone else is on it; the lead is not
    StatusReportFactory(alliance=secret, month=OCT, rag="red", headline="Secret trouble")
    ObligationFactory(agreement__alliance=secret, title="Secret milestone", due_date=days(-2))
    MeetingFactory(
        body__alliance=secret,
        title="Secret JSC",
        status=MeetingStatus.HELD,
        starts_at=timezone.now() - datetime.timedelta(days=3),
    )
    IntakeFactory(title="Secret deal", confidential=True, sla_due=days(-1))
    page = home(client, lead)
    for text in ("ALL-SECRET", "HUSH", "Secret trouble", "Secret milestone", "Secret JSC"):
        assert text not in page
    assert "Secret deal" not in page
    # The head sees everything, confidential included.
    page = home(client, head)
    assert "Alliances needing attention" in page
    for text in ("ALL-SECRET", "Secret milestone", "Secret JSC", "Secret deal"):
        assert text in page


# The specialist ------------------------------------------------------------------------------


def test_specialist_sees_counts_and_their_queue_overdue_first(client, specialist):
    TaskFactory(assignee=specialist, title="Later task", due_date=days(20))
    TaskFactory(assignee=specialist, title="Late task", due_date=days(-4))
    TaskFactory(
        assignee=specialist,
        title="Stuck task",
        due_date=days(3),
        status=TaskStatus.BLOCKED,
        blocked_reason="Waiting for the signed CDA",
    )
    TaskFactory(
        assignee=specialist,
        title="Partner task",
        due_date=days(30),
        status=TaskStatus.WAITING_ON_PARTNER,
    )
    TaskFactory(assignee=specialist, title="Finished task", status=TaskStatus.DONE)
    TaskFactory(title="Someone else's task", due_date=days(-9))
    ActionItemFactory(owner_user=specialist, title="Send the slides", due_date=days(-1))
    page = home(client, specialist)
    assert "My work" in page
    assert "4 days overdue" in page
    assert "Waiting for the signed CDA" in page
    assert page.index("Late task") < page.index("Stuck task") < page.index("Later task")
    assert "Finished task" not in page
    assert "Someone else" not in page
    assert "whose=mine&amp;open=yes" in page
    assert "Send the slides" in page and "1 day overdue" in page
    assert "Front door and alliances" not in page
    assert "The portfolio at a glance" not in page


def test_specialist_queue_shows_the_first_ten_and_links_to_the_rest(client, specialist):
    for n in range(12):
        TaskFactory(assignee=specialist, title=f"Queued {n:02d}", due_date=days(n + 1))
    page = home(client, specialist)
    assert "Queued 09" in page
    assert "Queued 10" not in page
    assert "The full queue (12 open tasks)" in page


# The executive -------------------------------------------------------------------------------


def test_executive_sees_the_portfolio_grid_trend_changes_and_download(client, executive):
    reds = [AllianceFactory(stage=Stage.DEVELOPMENT) for _ in range(2)]
    for alliance in reds:
        StatusReportFactory(alliance=alliance, month=OCT, rag="red")
    green = AllianceFactory(stage=Stage.DEVELOPMENT, code="ALL-GREEN")
    StatusReportFactory(alliance=green, month=OCT, rag="green")
    page = home(client, executive)
    assert "The portfolio at a glance" in page
    assert "Stage by therapeutic area" in page
    assert "2 red, 1 green" in page  # the cell's mix; coloured red, the majority
    assert "Red 67% (2)" in page
    assert 'class="chart"' in page and OCT.strftime("%b %Y") in page
    assert "What changed in the last 30 days" in page
    assert "3 new alliances" in page and "ALL-GREEN" in page
    assert reverse("admin:download_portfolio") in page
    assert "Front door and alliances" not in page
    assert "//cdn" not in page and "https://" not in page.split("<body", 1)[0]


def test_executive_never_sees_a_confidential_alliance_they_are_not_on(client, executive):
    AllianceFactory(code="ALL-OPEN")
    secret = AllianceFactory(code="ALL-SECRET", name="HUSH", confidential=True)
    StatusReportFactory(alliance=secret, month=OCT, rag="red")
    page = home(client, executive)
    assert "ALL-OPEN" in page
    assert "ALL-SECRET" not in page and "HUSH" not in page
    assert "1 alliance." in page
    assert "1 new alliances" in page


# The requester -------------------------------------------------------------------------------


def test_requester_sees_only_their_requests_and_the_question_waiting(client, requester, lead):
    asked = IntakeFactory(requester=requester, title="My asked deal", status="needs_info")
    IntakeMessage.objects.create(
        intake_request=asked,
        kind=MessageKind.QUESTION,
        author=lead,
        text="Is the CDA signed?",
    )
    IntakeFactory(requester=requester, title="My waiting deal")
    IntakeFactory(title="Another person's deal")
    page = home(client, requester)
    assert "Your requests" in page
    assert "My asked deal" in page and "Needs information" in page
    assert "Is the CDA signed?" in page and "1 waiting for your answer" in page
    assert "Answer the question" in page
    assert reverse("admin:portal_request", args=[asked.pk]) in page  # where it is answered
    assert "My waiting deal" in page
    assert "Another person" not in page
    assert "Front door and alliances" not in page and "My work" not in page


def test_a_user_with_several_roles_sees_each_section(client, lead):
    lead.groups.add(Group.objects.get_or_create(name=Role.EXECUTIVE)[0])
    lead._alliance_roles = None
    page = home(client, lead)
    assert "Front door and alliances" in page
    assert "The portfolio at a glance" in page


# Constant queries ----------------------------------------------------------------------------


def _lead_rows(lead, n):
    for i in range(n):
        alliance = AllianceFactory(lead=lead)
        StatusReportFactory(alliance=alliance, month=OCT, rag="red")
        IntakeFactory(sla_due=days(-i))
        ObligationFactory(agreement__alliance=alliance, due_date=days(-1 - i))
        MeetingFactory(
            body__alliance=alliance,
            status=MeetingStatus.HELD,
            starts_at=timezone.now() - datetime.timedelta(days=20 + i),
        )


def _specialist_rows(specialist, n):
    for i in range(n):
        TaskFactory(
            assignee=specialist,
            due_date=days(i - 5),
            status=TaskStatus.BLOCKED,
            blocked_reason="Waiting on legal",
        )
        ActionItemFactory(owner_user=specialist, due_date=days(i - 3))


def _executive_rows(n):
    for i in range(n):
        alliance = AllianceFactory(stage=list(Stage)[i % 3])
        StatusReportFactory(alliance=alliance, month=OCT, rag=["red", "amber", "green"][i % 3])
        StatusReportFactory(
            alliance=alliance, month=previous_month(OCT), rag="green", headline="Before"
        )


def _requester_rows(requester, lead, n):
    for _ in range(n):
        asked = IntakeFactory(requester=requester, status="needs_info")
        IntakeMessage.objects.create(
            intake_request=asked, kind=MessageKind.QUESTION, author=lead, text="Why?"
        )


@pytest.mark.parametrize("role", ["lead", "head", "specialist", "executive", "requester"])
def test_home_queries_do_not_grow_with_the_rows(client, request, role, lead):
    user = request.getfixturevalue(role)

    def add(n):
        if role in ("lead", "head"):
            _lead_rows(user, n)
        elif role == "specialist":
            _specialist_rows(user, n)
        elif role == "executive":
            _executive_rows(n)
        else:
            _requester_rows(user, lead, n)

    add(1)
    one = queries(client, user)
    add(14)
    many = queries(client, user)
    assert one == many, f"{role}: {one} queries with one row, {many} with fifteen"
    assert many <= 25, f"{role}: {many} queries"


def test_demand_kept_for_one_reader_is_not_shown_to_another(lead, head):
    """The head's pipeline counts a confidential request; a lead's must not, even just after
    the head's figures were kept."""
    TaskTemplateFactory(offset_days=0, effort_hours=8)
    IntakeFactory(confidential=True, desired_start_date=days(7), services=["startup"])

    def pipeline(user):
        rows = resourcing_home.demand_by_service(user=user)
        return {row["service"]: row["pipeline_hours"] for row in rows}["startup"]

    assert pipeline(head) >= 8
    assert pipeline(lead) == pipeline(head) - 8
