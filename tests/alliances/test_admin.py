"""The admin shows what the API shows and moves alliances through the same service."""

import pytest

from alliances.models import ActivityLog, Alliance, StageTransition
from tests.alliances.factories import AllianceFactory, PartnerFactory, TherapeuticAreaFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/alliances/alliance/"


@pytest.fixture
def portfolio(head):
    return {
        "open": AllianceFactory(name="BOREALIS", status="startup", stage="pre_poc"),
        "closed": AllianceFactory(name="KESTREL", status="closed"),
        "secret": AllianceFactory(name="NIGHTJAR", confidential=True, lead=head),
    }


def signed_in(client, user):
    client.force_login(user)
    return client


def no_inline_rows(page) -> dict:
    """The management form of every tab on the alliance's page, with no rows posted."""
    return {
        f"{inline.formset.prefix}-{count}": "0"
        for inline in page.context["inline_admin_formsets"]
        for count in ("TOTAL_FORMS", "INITIAL_FORMS")
    }


def test_admin_list_uses_the_same_visibility(client, lead2, head, portfolio):
    page = signed_in(client, lead2).get(LIST).content.decode()
    assert "BOREALIS" in page
    assert "NIGHTJAR" not in page
    searched = client.get(LIST, {"q": "NIGHT"}).content.decode()
    assert "NIGHTJAR" not in searched
    assert "No results found" in searched
    hidden = client.get(f"{LIST}{portfolio['secret'].pk}/change/")
    assert hidden.status_code == 404  # as in the API: a page you may not see is not there
    assert "NIGHTJAR" in signed_in(client, head).get(LIST).content.decode()


def test_admin_filters_and_search(client, lead, portfolio):
    page = signed_in(client, lead).get(LIST, {"status__exact": "closed"}).content.decode()
    assert "KESTREL" in page and "BOREALIS" not in page


def move(client, alliances, **form):
    return client.post(
        LIST,
        {
            "action": "move_selected",
            "_selected_action": [a.pk for a in alliances],
            "apply": "1",
            **form,
        },
        follow=True,
    )


def test_move_action_asks_for_the_move_first(client, lead, portfolio):
    signed_in(client, lead)
    response = client.post(
        LIST, {"action": "move_selected", "_selected_action": [portfolio["open"].pk]}
    )
    assert response.status_code == 200
    assert "Move selected alliances" in response.content.decode()
    assert not StageTransition.objects.exists()


def test_move_action_moves_through_the_service_and_reports_refusals(client, lead, portfolio):
    signed_in(client, lead)
    response = move(client, [portfolio["open"], portfolio["closed"]], field="status", to="active")
    page = response.content.decode()
    assert "Moved 1" in page
    assert "Not moved" in page and portfolio["closed"].code in page
    assert Alliance.objects.get(pk=portfolio["open"].pk).status == "active"
    assert Alliance.objects.get(pk=portfolio["closed"].pk).status == "closed"
    transition = StageTransition.objects.get()
    assert transition.actor == lead
    assert ActivityLog.objects.filter(verb="transitioned", actor=lead).count() == 1


def test_move_action_reports_a_missing_note(client, lead, portfolio):
    signed_in(client, lead)
    page = move(
        client, [portfolio["open"]], field="management_model", to="self_managed"
    ).content.decode()
    assert "note is required" in page
    assert not StageTransition.objects.exists()


def test_executives_cannot_move(client, executive, portfolio):
    signed_in(client, executive)
    move(client, [portfolio["open"]], field="status", to="active")
    assert Alliance.objects.get(pk=portfolio["open"].pk).status == "startup"


def test_head_adds_an_alliance_in_the_admin_with_a_code_and_a_log(client, head, lead):
    partner = PartnerFactory()
    area = TherapeuticAreaFactory(code="vaccines")
    signed_in(client, head)
    response = client.post(
        "/admin/alliances/alliance/add/",
        {
            "name": "EQUINOX",
            "partner": partner.pk,
            "therapeutic_area": area.pk,
            "alliance_type": "research",
            "direction": "in",
            "stage": "pre_poc",
            "status": "startup",
            "management_model": "self_managed",
            "lead": lead.pk,
            "currency": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
            "status_reports-TOTAL_FORMS": "0",
            "status_reports-INITIAL_FORMS": "0",
            "governance_bodies-TOTAL_FORMS": "0",
            "governance_bodies-INITIAL_FORMS": "0",
            "agreements-TOTAL_FORMS": "0",
            "agreements-INITIAL_FORMS": "0",
            "obligations-TOTAL_FORMS": "0",
            "obligations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    alliance = Alliance.objects.get(name="EQUINOX")
    assert alliance.code.startswith("ALL-")
    assert ActivityLog.objects.filter(alliance=alliance, verb="created", actor=head).exists()


def test_lead_edits_in_the_admin_through_the_service(client, lead, portfolio):
    alliance = portfolio["open"]
    signed_in(client, lead)
    page = client.get(f"{LIST}{alliance.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"name": "BOREALIS II", **no_inline_rows(page)})
    response = client.post(f"{LIST}{alliance.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    log = ActivityLog.objects.get(alliance=alliance, verb="updated")
    assert log.changes["name"] == ["BOREALIS", "BOREALIS II"]


@pytest.mark.parametrize(
    "page", ["/admin/", LIST, "/admin/alliances/partner/", "/admin/auth/user/"]
)
def test_admin_pages_render_for_leads(client, lead, portfolio, page):
    assert signed_in(client, lead).get(page).status_code == 200


def test_requesters_sign_in_but_do_not_see_the_alliances(client, requester):
    response = signed_in(client, requester).get(LIST)
    assert response.status_code == 403


def test_members_added_and_removed_in_the_admin_are_logged(client, lead, specialist, portfolio):
    from alliances.models import AllianceMembership

    alliance = portfolio["open"]
    signed_in(client, lead)
    page = client.get(f"{LIST}{alliance.pk}/change/")
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in ((n, form[n].value()) for n in form.fields)}
    base = {**data, **no_inline_rows(page)}
    added = client.post(
        f"{LIST}{alliance.pk}/change/",
        {
            **base,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": specialist.pk,
            "memberships-0-role": "legal",
        },
    )
    assert added.status_code == 302
    membership = AllianceMembership.objects.get(alliance=alliance)
    removed = client.post(
        f"{LIST}{alliance.pk}/change/",
        {
            **base,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-alliance": alliance.pk,
            "memberships-0-DELETE": "on",
        },
    )
    assert removed.status_code == 302
    assert not AllianceMembership.objects.exists()
    verbs = ActivityLog.objects.filter(alliance=alliance).values_list("verb", flat=True)
    assert sorted(verbs) == ["member_added", "member_removed"]


def test_head_renames_a_partner_in_the_admin_and_it_is_logged(client, head):
    partner = PartnerFactory(name="Old Name")
    signed_in(client, head)
    response = client.post(
        f"/admin/alliances/partner/{partner.pk}/change/",
        {"name": "New Name", "kind": partner.kind, "country": "GB"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "New Name"
    log = ActivityLog.objects.get(verb="updated", object_id=partner.pk)
    assert log.changes["name"] == ["Old Name", "New Name"]
