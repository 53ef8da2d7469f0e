"""Agreements and the obligations register in the admin: through the services and the one
visibility rule; the register puts overdue first and records what happened with buttons."""

import datetime

import pytest

from alliances.calendar import today
from governance.models import Agreement, Obligation
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.governance.factories import AgreementFactory, ObligationFactory
from tests.resourcing.factories import TaskTemplateFactory, service

pytestmark = pytest.mark.django_db

AGREEMENTS = "/admin/governance/agreement/"
REGISTER = "/admin/governance/obligation/"


def test_a_lead_requests_a_quality_agreement_and_its_steps_start(client, lead):
    TaskTemplateFactory(
        service=service("subsidiary_agreements"),
        anchor="trigger",
        offset_days=-30,
        title="Quality agreement: sign-off",
        trigger_kind="quality",
    )
    alliance = AllianceFactory(lead=lead)
    main = AgreementFactory(alliance=alliance)
    client.force_login(lead)
    target = today() + datetime.timedelta(days=90)
    form = {
        "alliance": alliance.pk,
        "kind": "quality",
        "title": "Quality agreement",
        "parent": main.pk,
        "owning_function": "quality",
        "target_date": target.isoformat(),
        "payment_terms_days": 30,
        "playbook_steps-TOTAL_FORMS": 0,
        "playbook_steps-INITIAL_FORMS": 0,
    }
    refused = client.post(f"{AGREEMENTS}add/", {**form, "target_date": ""})
    assert refused.status_code == 200 and not Agreement.objects.filter(kind="quality").exists()
    response = client.post(f"{AGREEMENTS}add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    quality = Agreement.objects.get(kind="quality")
    page = client.get(f"{AGREEMENTS}{quality.pk}/change/").content.decode()
    assert "Quality agreement: sign-off" in page
    assert f"{target - datetime.timedelta(days=30):%-d %b %Y}" in page
    assert "Move status" in page


def test_the_move_status_button_refuses_what_the_rules_refuse(client, lead):
    agreement = AgreementFactory(alliance=AllianceFactory(lead=lead), status="planned")
    agreement.effective_date = None
    agreement.save()
    client.force_login(lead)
    url = f"{AGREEMENTS}{agreement.pk}/transition/"
    page = client.get(url).content.decode()
    assert 'value="drafting"' in page and 'value="executed"' not in page
    client.post(url, {"to": "drafting", "note": "Kick-off"})
    client.post(url, {"to": "negotiating"})
    refused = client.post(url, {"to": "executed"}).content.decode()
    assert "has no effective date" in refused
    agreement.refresh_from_db()
    assert agreement.status == "negotiating"


def test_the_register_lists_overdue_first_and_the_buttons_record_what_happened(client, lead):
    alliance = AllianceFactory(lead=lead)
    later = ObligationFactory(agreement__alliance=alliance, title="LATER ONE")
    late = ObligationFactory(
        agreement=later.agreement,
        title="LATE ONE",
        due_date=today() - datetime.timedelta(days=9),
    )
    client.force_login(lead)
    page = client.get(REGISTER).content.decode()
    assert page.index("LATE ONE") < page.index("LATER ONE")
    assert "9 days overdue" in page
    assert "USD 5,000,000" in page and "5000000" not in page
    assert "LATER ONE" not in client.get(REGISTER, {"when": "overdue"}).content.decode()
    refused = client.post(f"{REGISTER}{late.pk}/waive/", {"reason": ""})
    assert "This field is required" in refused.content.decode()
    future = (today() + datetime.timedelta(days=1)).isoformat()
    refused = client.post(f"{REGISTER}{late.pk}/met/", {"met_on": future}).content.decode()
    assert "cannot be met in the future" in refused
    client.post(f"{REGISTER}{late.pk}/met/", {"met_on": today().isoformat()})
    late.refresh_from_db()
    assert late.status == "met"
    client.post(f"{REGISTER}{later.pk}/dispute/", {"reason": "Amount contested"})
    later.refresh_from_db()
    assert (later.status, later.status_reason) == ("disputed", "Amount contested")


def test_the_register_and_buttons_are_for_what_you_may_see_and_do(client, lead2, specialist):
    secret = AllianceFactory(lead=lead2, confidential=True)
    hidden = ObligationFactory(agreement__alliance=secret, title="HIDDEN ONE")
    open_alliance = AllianceFactory()
    MembershipFactory(alliance=open_alliance, user=specialist)
    seen = ObligationFactory(agreement__alliance=open_alliance, title="SEEN ONE")
    client.force_login(specialist)
    page = client.get(REGISTER).content.decode()
    assert "SEEN ONE" in page and "HIDDEN ONE" not in page
    assert "Met</a>" not in client.get(f"{REGISTER}{seen.pk}/change/").content.decode()
    assert client.post(f"{REGISTER}{seen.pk}/waive/", {"reason": "x"}).status_code == 403
    assert client.get(f"{REGISTER}{hidden.pk}/met/").status_code == 404
    assert Obligation.objects.get(pk=seen.pk).status == "due"


def test_the_alliance_page_shows_its_agreements_and_open_obligations(client, lead):
    alliance = AllianceFactory(lead=lead)
    ObligationFactory(agreement__alliance=alliance, agreement__title="NOVA MAIN", title="M1")
    ObligationFactory(agreement__alliance=alliance, title="PAID", status="met", met_on=today())
    client.force_login(lead)
    page = client.get(f"/admin/alliances/alliance/{alliance.pk}/change/").content.decode()
    assert "NOVA MAIN" in page and "M1" in page and "PAID" not in page


def test_the_register_keeps_a_constant_number_of_queries(
    client, head, django_assert_max_num_queries
):
    for _ in range(3):
        ObligationFactory()
    client.force_login(head)
    with django_assert_max_num_queries(20) as few:
        client.get(REGISTER)
    for _ in range(15):
        ObligationFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(REGISTER)
