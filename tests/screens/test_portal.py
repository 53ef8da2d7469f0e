"""The requester's portal: raise a request (errors beside their fields, values kept), see only
your own requests, answer a question inline; someone else's request is a 404."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resourcing.choices import IntakeStatus, MessageKind
from resourcing.models import IntakeMessage, IntakeRequest
from tests.alliances.factories import PartnerFactory, TherapeuticAreaFactory, UserFactory
from tests.resourcing.factories import IntakeFactory, service

pytestmark = pytest.mark.django_db

RAISE = "admin:portal_raise"
MINE = "admin:portal_requests"


def good_input(**changes) -> dict:
    area = TherapeuticAreaFactory(code="oncology")
    data = {
        "title": "Licensing the KX-17 antibody",
        "partner": "",
        "partner_name": "Kestrel Bio",
        "therapeutic_area": area.pk,
        "alliance_type": "licensing",
        "direction": "in",
        "description": "An antibody for a solid tumour.",
        "differentiating": "yes",
        "mission_critical": "no",
        "complexity": "medium",
        "estimated_value": "2500000",
        "currency": "usd",
        "desired_start_date": "2027-02-01",
        "requested_services": [service("startup").pk],
    }
    data.update(changes)
    return data


def test_a_requester_raises_a_request_through_the_service(client, requester):
    client.force_login(requester)
    form = client.get(reverse(RAISE)).content.decode()
    assert "Would it set us apart in the market?" in form
    assert "Is it mission critical?" in form
    assert "seriously harmed" in form  # the purpose questions explained in plain words
    response = client.post(reverse(RAISE), good_input())
    intake = IntakeRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:portal_request", args=[intake.pk])
    assert intake.requester == requester
    assert (intake.partner_name, intake.currency, intake.differentiating) == (
        "Kestrel Bio",
        "USD",
        True,
    )
    assert intake.mission_critical is False
    assert list(intake.requested_services.values_list("code", flat=True)) == ["startup"]
    assert intake.status == IntakeStatus.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "Request raised" in page and "Submitted" in page


def test_bad_input_is_shown_beside_each_field_and_every_value_is_kept(client, requester):
    client.force_login(requester)
    partner = PartnerFactory(name="Orion Labs")
    bad = good_input(
        title="T" * 201,  # longer than the model allows: refused, never cut
        partner=partner.pk,  # and a new partner's name as well
        currency="",
        differentiating="",
        requested_services=[],
        description="Kept as typed",
    )
    response = client.post(reverse(RAISE), bad)
    assert response.status_code == 200
    form = response.context["form"]
    assert "at most 200 characters" in form.errors["title"][0]
    assert "not both" in form.errors["partner_name"][0]
    assert "currency" in form.errors["currency"][0]
    assert form.errors["differentiating"] == ["This field is required."]
    assert form.errors["requested_services"] == ["Tick at least one kind of help."]
    page = response.content.decode()
    assert "T" * 201 in page and "Kept as typed" in page and "Kestrel Bio" in page
    assert f'<option value="{partner.pk}" selected>' in page
    assert not IntakeRequest.objects.exists()


def test_a_refusal_from_the_model_is_shown_beside_its_field(client, requester):
    """The model's own checks (a currency that does not exist, a date out of range) come back
    from the service as errors on their fields."""
    client.force_login(requester)
    response = client.post(
        reverse(RAISE), good_input(currency="ZZZ", desired_start_date="2200-01-01")
    )
    form = response.context["form"]
    assert form.errors["currency"]
    assert form.errors["desired_start_date"]
    assert not IntakeRequest.objects.exists()


def test_my_requests_lists_only_mine_with_their_state_and_the_waiting_question(
    client, requester, lead
):
    mine = IntakeFactory(requester=requester, title="MINE", status=IntakeStatus.NEEDS_INFO)
    IntakeMessage.objects.create(
        intake_request=mine, kind=MessageKind.QUESTION, author=lead, text="Which indication?"
    )
    IntakeFactory(title="SOMEONE ELSE'S")
    client.force_login(requester)
    page = client.get(reverse(MINE)).content.decode()
    assert "MINE" in page and "SOMEONE ELSE&#x27;S" not in page
    assert "Needs information" in page and "needs_info" not in page
    assert "Which indication?" in page


def test_someone_elses_request_is_a_404_even_for_a_lead(client, requester, lead):
    theirs = IntakeFactory(requester=UserFactory())
    for user in (requester, lead):
        client.force_login(user)
        url = reverse("admin:portal_request", args=[theirs.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "Mine now"}).status_code == 404


def test_the_requester_answers_a_question_inline(client, requester, lead):
    intake = IntakeFactory(requester=requester, status=IntakeStatus.NEEDS_INFO)
    IntakeMessage.objects.create(
        intake_request=intake, kind=MessageKind.QUESTION, author=lead, text="Which indication?"
    )
    client.force_login(requester)
    url = reverse("admin:portal_request", args=[intake.pk])
    empty = client.post(url, {"answer": "  "})
    assert empty.context["form"].errors["answer"] == ["Write your answer before sending it."]
    too_long = client.post(url, {"answer": "x" * 4001})
    assert "at most 4000 characters" in too_long.context["form"].errors["answer"][0]
    assert "x" * 4001 in too_long.content.decode()
    response = client.post(url, {"answer": "Atopic dermatitis"}, follow=True)
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.messages.get(kind=MessageKind.ANSWER).text == "Atopic dermatitis"
    page = response.content.decode()
    assert "Answer sent" in page and "Atopic dermatitis" in page
    assert 'name="answer"' not in page  # nothing waits for an answer any more


def test_staff_may_use_the_portal_too(client, lead):
    client.force_login(lead)
    assert client.get(reverse(RAISE)).status_code == 200
    assert client.get(reverse(MINE)).status_code == 200


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get(reverse(RAISE)).status_code == 302


def my_requests_queries(client, requester, count: int) -> int:
    lead = UserFactory()
    for n in range(count):
        intake = IntakeFactory(
            requester=requester,
            status=IntakeStatus.NEEDS_INFO,
            desired_start_date=datetime.date(2027, 3, 1),
            partner=None if n % 2 else PartnerFactory(),
            partner_name=f"New partner {n}" if n % 2 else "",
        )
        IntakeMessage.objects.create(
            intake_request=intake, kind=MessageKind.QUESTION, author=lead, text=f"Q{n}"
        )
    client.force_login(requester)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(MINE)).status_code == 200
    IntakeRequest.objects.all().delete()
    return len(captured)


# Session and user; the requests (with partner and area); their questions; the site's page
# (the user's permissions, twice, and roles for the sidebar).
MY_REQUESTS_QUERIES = 7


def test_my_requests_takes_a_fixed_number_of_queries(client, requester):
    assert my_requests_queries(client, requester, 1) == MY_REQUESTS_QUERIES
    assert my_requests_queries(client, requester, 8) == MY_REQUESTS_QUERIES
