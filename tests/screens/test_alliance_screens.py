"""The alliances list and an alliance's page as people use them: tabs, the confidential
banner, the history in words, the moves offered as buttons, what an accept created."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances import services as alliance_services
from alliances.calendar import today
from alliances.models import ActivityLog, Alliance, StageTransition
from reports.models import StatusReport
from resourcing.services import intake_accept
from tests.alliances.factories import AllianceFactory, MembershipFactory, UserFactory
from tests.resourcing.factories import (
    AssignmentFactory,
    IntakeFactory,
    SpecialistFactory,
    TaskFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/alliances/alliance/"


def page_of(alliance) -> str:
    return f"{LIST}{alliance.pk}/change/"


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def borealis(lead):
    return AllianceFactory(name="BOREALIS", lead=lead, stage="pre_poc", status="startup")


# Tabs and the banner ---------------------------------------------------------------------------


def test_the_page_has_its_tabs(client, head, borealis):
    page = text(signed_in(client, head).get(page_of(borealis)))
    for tab in ("Team", "Assignments", "Open tasks", "Status reports", "History"):
        assert f">\n                        {tab}\n" in page or f"{tab}\n" in page, tab
    for anchor in ("#memberships", "#assignments", "#tasks", "#status_reports", "#activity"):
        assert f'href="{anchor}"' in page, anchor


def test_the_confidential_banner_only_on_confidential_alliances(client, head, borealis):
    secret = AllianceFactory(name="NIGHTJAR", confidential=True, lead=head)
    signed_in(client, head)
    assert "Confidential alliance" in text(client.get(page_of(secret)))
    assert 'role="alert"' in text(client.get(page_of(secret)))
    plain = text(client.get(page_of(borealis)))
    assert "Confidential alliance" not in plain
    assert "Where the alliance stands" in plain and ">Pre-PoC<" in plain and ">Start-up<" in plain


def test_a_hidden_alliance_page_is_not_there(client, lead2, head):
    secret = AllianceFactory(name="NIGHTJAR", confidential=True, lead=head)
    signed_in(client, lead2)
    assert client.get(page_of(secret)).status_code == 404
    assert client.get(f"{LIST}{secret.pk}/move/stage/development/").status_code == 404
    assert client.get(f"{LIST}{secret.pk}/history/").status_code == 404
    assert client.get(f"{LIST}not-a-number/move/stage/development/").status_code == 404


# History in words -----------------------------------------------------------------------------


def test_history_reads_as_sentences(client, head, lead, borealis):
    lead.first_name, lead.last_name = "Leo", "Adeyemi"
    lead.save()
    member = UserFactory(first_name="Mia", last_name="Sato")
    alliance_services.alliance_member_add(actor=lead, alliance=borealis, user=member, role="legal")
    alliance_services.alliance_transition(
        actor=lead, alliance=borealis, field="stage", to="development", backwards_allowed=False
    )
    alliance_services.alliance_transition(
        actor=head,
        alliance=borealis,
        field="management_model",
        to="self_managed",
        note="The partner runs it",
        backwards_allowed=True,
    )
    alliance_services.alliance_update(actor=lead, alliance=borealis, data={"name": "AURORA"})
    page = text(signed_in(client, head).get(page_of(borealis)))
    assert "Leo Adeyemi added Mia Sato to the team as Legal" in page
    assert "Leo Adeyemi moved the stage from Pre-PoC to Development" in page
    assert "moved the management model from" in page and "to Self-managed" in page
    assert "“The partner runs it”" in page
    assert "Leo Adeyemi changed the name from BOREALIS to AURORA" in page
    assert "pre_poc" not in page.split('id="activity-group"')[-1].split("</table>")[0]


def test_history_names_the_accept_and_its_work(client, head, lead):
    TaskTemplateFactory.create_batch(2, service=service("startup"))
    specialist = SpecialistFactory(
        services=["startup"], user=UserFactory(first_name="Ana", last_name="Ruiz")
    )
    intake = IntakeFactory(status="triage", services=["startup"])
    alliance = intake_accept(
        actor=lead,
        intake=intake,
        management_model="dedicated",
        overrides={"startup": {"specialist": specialist, "reason": "Knows them"}},
    )["alliance"]
    page = text(signed_in(client, head).get(page_of(alliance)))
    name = service("startup").name
    assert f"accepted the alliance from intake request #{intake.pk}" in page
    assert f"assigned {name} to Ana Ruiz: “Knows them”" in page
    assert f"started the {name} playbook: 2 tasks for Ana Ruiz, from 1 Feb 2027" in page


def test_an_unknown_kind_still_reads_as_a_sentence(client, head, borealis):
    from alliances.activity import activity_record

    activity_record(actor=head, verb="signal_flare_lit", target=borealis, alliance=borealis)
    page = text(signed_in(client, head).get(page_of(borealis)))
    assert "signal flare lit: the alliance" in page


def test_the_history_button_opens_the_history_tab(client, head, borealis):
    response = signed_in(client, head).get(f"{LIST}{borealis.pk}/history/")
    assert response.status_code == 302
    assert response["Location"] == f"{page_of(borealis)}#activity"


# Moves as buttons -----------------------------------------------------------------------------


def test_only_legal_moves_are_offered(client, lead, head, borealis):
    page = text(signed_in(client, lead).get(page_of(borealis)))
    move = f"{LIST}{borealis.pk}/move/"
    assert f"{move}stage/development/" in page and "Move to Development" in page
    assert f"{move}stage/commercial/" not in page  # one step at a time
    assert f"{move}stage/pre_poc/" not in page  # where it is
    assert f"{move}status/active/" in page and f"{move}status/wind_down/" in page
    assert f"{move}status/closed/" not in page and f"{move}status/reset/" not in page
    assert f"{move}management_model/self_managed/" in page
    Alliance.objects.filter(pk=borealis.pk).update(stage="commercial")
    as_lead = text(client.get(page_of(borealis)))
    assert f"{move}stage/development/" not in as_lead  # back is the head's
    as_head = text(signed_in(client, head).get(page_of(borealis)))
    assert "Move back to Development" in as_head and "Move back to Pre-PoC" in as_head


def test_a_button_moves_the_stage_through_the_service(client, lead, borealis):
    url = f"{LIST}{borealis.pk}/move/stage/development/"
    confirm = text(signed_in(client, lead).get(url))
    assert "moves from <strong>Pre-PoC</strong> to <strong>Development</strong>" in confirm
    assert not StageTransition.objects.exists()
    response = client.post(url, {"note": ""}, follow=True)
    assert response.redirect_chain[-1][0] == page_of(borealis)
    assert "the stage moved from Pre-PoC to Development" in text(response)
    borealis.refresh_from_db()
    assert borealis.stage == "development"
    assert ActivityLog.objects.filter(verb="transitioned", actor=lead).count() == 1


def test_a_move_that_needs_a_reason_asks_for_it_beside_the_field(client, lead, borealis):
    url = f"{LIST}{borealis.pk}/move/management_model/self_managed/"
    page = text(signed_in(client, lead).post(url, {"note": "  "}))
    assert "Say why" in page
    borealis.refresh_from_db()
    assert borealis.management_model != "self_managed"


def test_a_disallowed_move_posted_directly_is_refused_with_a_message(client, lead, borealis):
    signed_in(client, lead)
    for url in (
        f"{LIST}{borealis.pk}/move/stage/commercial/",  # two steps
        f"{LIST}{borealis.pk}/move/status/closed/",  # not from start-up
    ):
        response = client.post(url, {"note": "x"}, follow=True)
        assert response.status_code == 200
        assert "cannot move from" in text(response)
    assert client.post(f"{LIST}{borealis.pk}/move/stage/bogus/", follow=True).status_code == 404
    borealis.refresh_from_db()
    assert (borealis.stage, borealis.status) == ("pre_poc", "startup")
    assert not StageTransition.objects.exists()


def test_a_refusal_from_the_service_is_a_message(client, lead, borealis):
    Alliance.objects.filter(pk=borealis.pk).update(status="wind_down")
    TaskFactory(alliance=borealis)  # open work: closing is refused
    response = signed_in(client, lead).post(
        f"{LIST}{borealis.pk}/move/status/closed/", {"note": ""}, follow=True
    )
    assert "Not moved:" in text(response)
    borealis.refresh_from_db()
    assert borealis.status == "wind_down"


def test_specialists_and_executives_see_no_moves_and_cannot_move(
    client, specialist, executive, borealis
):
    MembershipFactory(alliance=borealis, user=specialist)
    for user in (specialist, executive):
        page = text(signed_in(client, user).get(page_of(borealis)))
        assert "/move/" not in page
        response = client.post(f"{LIST}{borealis.pk}/move/stage/development/", follow=True)
        assert "Only alliance leads and the head move alliances." in text(response)
    borealis.refresh_from_db()
    assert borealis.stage == "pre_poc"


# After an accept ------------------------------------------------------------------------------


def test_after_an_accept_the_page_lists_the_new_assignments_and_tasks(client, lead):
    TaskTemplateFactory(service=service("startup"), title="Kick-off with the partner")
    TaskTemplateFactory(service=service("startup"), title="Draft the alliance charter")
    intake = IntakeFactory(status="triage", services=["startup"])
    result = intake_accept(actor=lead, intake=intake, management_model="dedicated")
    page = text(signed_in(client, lead).get(page_of(result["alliance"])))
    assert len(result["tasks"]) == 2
    assert "Kick-off with the partner" in page and "Draft the alliance charter" in page
    assignment = result["assignments"][0]
    assert assignment.service.name in page
    assignee = assignment.assignee
    assert (assignee.get_full_name() or assignee.get_username()) in page
    for task in result["tasks"]:
        assert f"/admin/resourcing/task/{task.pk}/change/" in page


def test_tasks_show_status_and_overdue_badges(client, lead, borealis):
    TaskFactory(
        alliance=borealis,
        title="Late one",
        due_date=today() - datetime.timedelta(days=3),
        status="blocked",
        blocked_reason="Waiting for legal",
    )
    TaskFactory(alliance=borealis, title="Finished", status="done")
    page = text(signed_in(client, lead).get(page_of(borealis)))
    assert "3 days overdue" in page
    assert "Blocked" in page and "Waiting for legal" in page
    assert "Finished" not in page  # open tasks only


# The list -------------------------------------------------------------------------------------


def test_the_list_shows_labels_and_badges(client, head, borealis):
    AllianceFactory(name="NIGHTJAR", confidential=True, lead=head, stage="development")
    StatusReport.objects.create(
        alliance=borealis,
        month=datetime.date(2026, 10, 1),
        rag="red",
        trend="declining",
        headline="Late",
        author=head,
    )
    page = text(signed_in(client, head).get(LIST))
    assert "Pre-PoC" in page and "Development" in page
    assert ">Red<" in page
    assert ">Confidential<" in page
    assert "icon-yes" not in page and "icon-no" not in page
    for heading in ("Stage", "Therapeutic area", "Lead", "Latest RAG", "Confidential"):
        assert heading in page


def test_the_list_keeps_the_visibility_rule(client, lead2, head):
    AllianceFactory(name="NIGHTJAR", confidential=True, lead=head)
    AllianceFactory(name="BOREALIS")
    page = text(signed_in(client, lead2).get(LIST))
    assert "BOREALIS" in page and "NIGHTJAR" not in page


def test_bad_list_parameters_are_not_a_500(client, head):
    response = signed_in(client, head).get(LIST, {"stage__exact": "nonsense", "o": "99"})
    assert response.status_code in (200, 302)


# Queries --------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


SERVICES = [
    "startup",
    "reporting",
    "governance_logistics",
    "termination",
    "contract_finance",
    "subsidiary_agreements",
]


def _grow(alliance, head, n):
    for i in range(n):
        TaskFactory(alliance=alliance, title=f"Task {i}")
        StatusReport.objects.create(
            alliance=alliance,
            month=datetime.date(2025, 1 + i, 1),
            rag="green",
            trend="stable",
            headline=f"Month {i}",
            author=head,
        )
        MembershipFactory(alliance=alliance)
        AssignmentFactory(alliance=alliance, service=service(SERVICES[i]))
        alliance_services.alliance_update(actor=head, alliance=alliance, data={"name": f"NAME{i}"})


def test_the_page_answers_in_a_fixed_number_of_queries(client, head):
    one, many = AllianceFactory(), AllianceFactory()
    _grow(one, head, 1)
    _grow(many, head, 6)
    signed_in(client, head)
    _queries(client, page_of(one))  # warm caches (content types, sessions)
    assert _queries(client, page_of(one)) == _queries(client, page_of(many))


def test_the_list_answers_in_a_fixed_number_of_queries(client, head):
    AllianceFactory.create_batch(2)
    signed_in(client, head)
    _queries(client, LIST)
    few = _queries(client, LIST)
    AllianceFactory.create_batch(20)
    assert _queries(client, LIST) == few


def test_readers_see_money_with_its_currency_and_people_by_name(client, executive, lead):
    lead.first_name, lead.last_name = "Leo", "Adeyemi"
    lead.save()
    alliance = AllianceFactory(lead=lead, upfront_payment=38000000, currency="USD")
    page = text(signed_in(client, executive).get(page_of(alliance)))
    assert "USD 38,000,000" in page and "38000000.00" not in page
    assert "Leo Adeyemi" in page


def test_a_long_history_comes_in_pages(client, head, borealis):  # of 20
    from alliances.activity import activity_record

    for n in range(25):
        activity_record(
            actor=head,
            verb="updated",
            target=borealis,
            alliance=borealis,
            changes={"name": [f"OLD{n:02d}", f"NEW{n:02d}"]},
        )
    signed_in(client, head)
    first = text(client.get(page_of(borealis)))
    assert "from OLD24 to NEW24" in first and "from OLD00 to NEW00" not in first
    second = text(client.get(page_of(borealis), {"activity-page": "2"}))
    assert "from OLD00 to NEW00" in second
    assert client.get(page_of(borealis), {"activity-page": "x"}).status_code == 200


def test_history_copes_with_any_payload(client, head, borealis):
    from alliances.activity import activity_record

    activity_record(
        actor=head,
        verb="held",
        target=borealis,
        alliance=borealis,
        changes={"attendees": [[], [1, 2]], "status": [{"a": 1}, None]},
    )
    activity_record(
        actor=head,
        verb="updated",
        target=borealis,
        alliance=borealis,
        changes={"description": ["A long text", "A longer text"]},
    )
    page = text(signed_in(client, head).get(page_of(borealis)))
    assert "recorded the alliance as held" in page
    assert "changed the description" in page and "A longer text" not in page


def test_the_status_reports_tab_reads_in_words(client, lead):
    alliance = AllianceFactory(name="BOREALIS", lead=lead)
    StatusReport.objects.create(
        alliance=alliance,
        month=datetime.date(2026, 10, 1),
        rag="amber",
        trend="declining",
        headline="Dosing on hold",
        author=lead,
    )
    client.force_login(lead)
    page = client.get(f"/admin/alliances/alliance/{alliance.pk}/change/").content.decode()
    assert "Oct 2026" in page and "Dosing on hold" in page
    assert "Declining" in page and lead.get_full_name() in page
    assert "2026-10: amber" not in page
