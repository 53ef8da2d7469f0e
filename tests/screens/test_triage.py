"""The triage page as a lead uses it: the recommendation in words for the requested services
only, overrides ranked with their scores, errors beside their fields with every choice kept,
straight to the next request after a decision, and the recommendation kept with it."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.calendar import today
from alliances.models import Alliance
from resourcing.choices import IntakeStatus
from resourcing.models import Assignment, IntakeRequest
from tests.alliances.factories import UserFactory
from tests.resourcing.factories import (
    IntakeFactory,
    LeaveFactory,
    SpecialistFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db

LIST = "admin:resourcing_intakerequest_changelist"


def triage(intake) -> str:
    return reverse("admin:resourcing_intakerequest_triage", args=[intake.pk])


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def work_start() -> datetime.date:
    """When the requests here want work to start: ahead of the test clock's today."""
    return today() + datetime.timedelta(days=75)


@pytest.fixture
def people(db):
    TaskTemplateFactory(offset_days=30, effort_hours="12.0")
    TaskTemplateFactory(service=service("termination"), offset_days=30)
    top = SpecialistFactory(
        user__first_name="Nadia", user__last_name="Kerr", services=["startup"], areas=["oncology"]
    )
    other = SpecialistFactory(user__first_name="Kim", user__last_name="Mensah")
    away = SpecialistFactory(user__first_name="Ola", user__last_name="Berg")
    start = work_start()
    LeaveFactory(
        specialist=away,
        start=start - datetime.timedelta(days=7),
        end=start + datetime.timedelta(days=4),
    )
    SpecialistFactory(user__first_name="Tess", user__last_name="Ward", services=["termination"])
    return {"top": top, "other": other, "away": away}


def test_the_page_speaks_in_labels_for_the_requested_services_only(client, lead, people):
    intake = IntakeFactory(
        status=IntakeStatus.TRIAGE, differentiating=False, desired_start_date=work_start()
    )
    client.force_login(lead)
    page = client.get(triage(intake)).content.decode()
    assert "Management model: Specialist-supported" in page
    assert "specialist_supported" not in page.replace('value="specialist_supported"', "")
    assert "Alliance start-up: Nadia Kerr recommended" in page
    assert "Works in this therapeutic area (+30)" in page
    assert "On leave when the work starts" in page and "on_leave" not in page
    assert "lacks_skill" not in page and "1 other specialist does not deliver" in page
    assert "USD 10,000,000" in page
    # Only the requested service: nothing about termination, nor a field for it.
    assert "Tess Ward" not in page and "override_termination" not in page
    assert 'name="override_startup"' in page
    # The override list ranks the other candidates with their scores, then who may still be
    # chosen despite an exclusion, with why.
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page)
    labels = [label for value, label in options if value]
    assert labels[0].startswith("2. Kim Mensah, score ")
    assert labels[1] == "Ola Berg: on leave when the work starts"


def test_an_override_without_a_reason_is_an_error_beside_it_and_every_choice_is_kept(
    client, lead, people
):
    intake = IntakeFactory(status=IntakeStatus.TRIAGE)
    client.force_login(lead)
    response = client.post(
        triage(intake),
        {
            "do": "accept",
            "management_model": "self_managed",
            "services": ["startup"],
            "stage": "development",
            "alliance_name": "HALCYON",
            "override_startup": people["other"].pk,
            "reason_startup": "   ",
        },
    )
    assert response.status_code == 200
    form = response.context["accept_form"]
    assert form.errors["reason_startup"] == [
        "Say why you choose someone other than the recommendation."
    ]
    page = response.content.decode()
    assert f'<option value="{people["other"].pk}" selected>' in page
    assert '<option value="self_managed" selected>' in page
    assert '<option value="development" selected>' in page
    assert 'value="HALCYON"' in page
    assert not Alliance.objects.exists()


def test_accept_goes_straight_to_the_next_request_in_the_queue(client, lead, people):
    intake = IntakeFactory(status=IntakeStatus.TRIAGE, sla_due=days(1))
    later = IntakeFactory(title="LATER", sla_due=days(4))
    sooner = IntakeFactory(title="SOONER", sla_due=days(2), status=IntakeStatus.TRIAGE)
    IntakeFactory(title="SECRET", sla_due=days(-3), confidential=True)  # the head's
    IntakeFactory(title="WAITING", sla_due=days(-3), status=IntakeStatus.NEEDS_INFO)
    client.force_login(lead)
    response = client.post(
        triage(intake),
        {
            "do": "accept",
            "management_model": "dedicated",
            "services": ["startup"],
            "stage": "pre_poc",
            "alliance_name": "HALCYON",
            "override_startup": people["other"].pk,
            "reason_startup": "Knows the partner",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == triage(sooner)
    alliance = Alliance.objects.get(name="HALCYON")
    assignment = Assignment.objects.get(alliance=alliance)
    assert (assignment.specialist, assignment.override_reason) == (
        people["other"],
        "Knows the partner",
    )
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Accepted" in message and "Next: \u201cSOONER\u201d" in message
    assert reverse("admin:alliances_alliance_change", args=[alliance.pk]) in message
    assert later.pk  # queued behind


def test_decline_and_question_go_to_the_next_request_then_back_to_the_list(client, lead):
    first = IntakeFactory(status=IntakeStatus.TRIAGE, sla_due=days(0))
    second = IntakeFactory(status=IntakeStatus.TRIAGE, sla_due=days(1))
    client.force_login(lead)
    response = client.post(triage(first), {"do": "decline", "reason": "Outside strategy"})
    assert response["Location"] == triage(second)
    first.refresh_from_db()
    assert (first.status, first.decline_reason) == ("declined", "Outside strategy")
    response = client.post(triage(second), {"do": "request_info", "question": "Which dose?"})
    assert response["Location"] == reverse(LIST)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("No more requests await triage" in m for m in messages)
    assert IntakeRequest.objects.get(pk=second.pk).status == IntakeStatus.NEEDS_INFO


def test_an_empty_decline_or_question_is_an_error_beside_its_field(client, lead):
    intake = IntakeFactory(status=IntakeStatus.TRIAGE)
    client.force_login(lead)
    response = client.post(triage(intake), {"do": "decline", "reason": ""})
    assert response.context["decline_form"].errors["reason"] == ["Say why you decline."]
    response = client.post(triage(intake), {"do": "request_info", "question": "q" * 4001})
    assert "at most 4000" in response.context["question_form"].errors["question"][0]
    assert "q" * 4001 in response.content.decode()
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.TRIAGE


def test_an_accepted_request_shows_the_recommendation_it_was_decided_on(client, lead, people):
    intake = IntakeFactory(status=IntakeStatus.TRIAGE)
    client.force_login(lead)
    client.post(
        triage(intake),
        {"do": "accept", "management_model": "dedicated", "services": ["startup"]}
        | {"stage": "pre_poc", "alliance_name": "HALCYON"},
    )
    # Afterwards the recommended specialist leaves and someone else joins.
    people["top"].active = False
    people["top"].save()
    SpecialistFactory(user__first_name="Newt", user__last_name="Comer", areas=["oncology"])
    intake.refresh_from_db()
    page = client.get(triage(intake)).content.decode()
    alliance = Alliance.objects.get(name="HALCYON")
    assert reverse("admin:alliances_alliance_change", args=[alliance.pk]) in page
    assert "The recommendation when it was decided" in page
    assert "Alliance start-up: Nadia Kerr recommended" in page
    assert "Nadia Kerr, the recommended specialist, was assigned." in page
    assert "Newt Comer" not in page
    assert 'name="do"' not in page  # decided: nothing left to do


def test_a_declined_request_keeps_its_recommendation_for_those_who_triage(client, lead, people):
    intake = IntakeFactory(status=IntakeStatus.TRIAGE, requester=UserFactory(is_staff=True))
    client.force_login(lead)
    client.post(triage(intake), {"do": "decline", "reason": "Outside strategy"})
    intake.refresh_from_db()
    assert intake.decision_recommendation["services"][0]["service"] == "startup"
    page = client.get(triage(intake)).content.decode()
    assert "The recommendation when it was decided" in page
    assert "Alliance start-up: Nadia Kerr recommended" in page
    client.force_login(intake.requester)  # staff, but no triager: not who was weighed
    page = client.get(triage(intake)).content.decode()
    assert "Outside strategy" in page and "Nadia Kerr" not in page


def test_a_request_decided_before_recommendations_were_kept_says_so(client, lead):
    intake = IntakeFactory(status=IntakeStatus.DECLINED, decline_reason="No", decided_by=lead)
    client.force_login(lead)
    page = client.get(triage(intake)).content.decode()
    assert "Not kept: this request was decided before recommendations were stored" in page


def test_a_specialist_cannot_triage(client, specialist):
    intake = IntakeFactory(status=IntakeStatus.TRIAGE, requester=specialist)
    client.force_login(specialist)
    page = client.get(triage(intake)).content.decode()
    assert "Only alliance leads triage requests" in page and 'value="accept"' not in page
    response = client.post(triage(intake), {"do": "decline", "reason": "Mine"}, follow=True)
    assert "Only alliance leads triage requests" in response.content.decode()
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.TRIAGE


def test_a_requester_cannot_reach_triage_or_the_front_door_list(client, requester):
    intake = IntakeFactory(requester=requester)
    other = IntakeFactory()
    client.force_login(requester)
    # Their own request's triage link (as a notice gives it) opens it on the portal.
    own = reverse("admin:portal_request", args=[intake.pk])
    assert client.get(triage(intake))["Location"] == own
    assert client.post(triage(intake), {"do": "triage"})["Location"] == own
    assert client.get(triage(other)).status_code == 403
    assert client.post(triage(other), {"do": "triage"}).status_code == 403
    assert client.get(reverse(LIST)).status_code == 403
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED


class Controls(HTMLParser):
    """Form controls and the labels that name them."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
        ):
            self.controls.append(attrs)


def unlabelled(page: str) -> list:
    parser = Controls()
    parser.feed(page)
    return [
        c for c in parser.controls if c.get("id") not in parser.labelled and not c.get("aria-label")
    ]


def test_every_control_on_the_triage_page_has_a_label(client, lead, people):
    intake = IntakeFactory(status=IntakeStatus.TRIAGE)
    client.force_login(lead)
    page = client.get(triage(intake)).content.decode()
    assert 'name="reason_startup"' in page
    # The site's own search box (unfold's command search) is not the page's.
    assert [c for c in unlabelled(page) if c.get("type") != "search"] == []


def test_the_list_shows_sla_badges_labels_and_names(client, lead):
    requester = UserFactory(first_name="Ravi", last_name="Iyer")
    IntakeFactory(title="LATE", requester=requester, sla_due=days(-3))
    IntakeFactory(title="TODAY", status=IntakeStatus.TRIAGE, sla_due=days(0))
    client.force_login(lead)
    page = client.get(reverse(LIST)).content.decode()
    assert "3 days overdue" in page and "due today" in page
    assert "Ravi Iyer" in page
    assert "In triage" in page and "Submitted" in page
    assert page.count(">Triage</a>") == 2


def list_queries(client, user, count: int) -> int:
    IntakeRequest.objects.all().delete()
    for n in range(count):
        IntakeFactory(status=IntakeStatus.TRIAGE if n % 2 else IntakeStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(LIST)).status_code == 200
    return len(captured)


# Session, user, the page of requests (requester and area joined) and its counts, the
# filters and the site's page; none per row.
INTAKE_LIST_QUERIES = 9


def test_the_intake_list_takes_a_fixed_number_of_queries(client, lead):
    client.force_login(lead)
    assert list_queries(client, lead, 1) == INTAKE_LIST_QUERIES
    assert list_queries(client, lead, 12) == INTAKE_LIST_QUERIES
