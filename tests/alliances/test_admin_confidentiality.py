"""The admin keeps the confidentiality rules: only the head changes the flag (with a note), and
a member removal the service refuses is a form error, not a failed save."""

import pytest

from alliances.models import ActivityLog, Alliance
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.resourcing.factories import SpecialistFactory, TaskFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/alliances/alliance/"


def change_confidentiality(client, alliances, **form):
    return client.post(
        LIST,
        {
            "action": "change_confidentiality",
            "_selected_action": [a.pk for a in alliances],
            "apply": "1",
            **form,
        },
        follow=True,
    )


def test_the_head_changes_confidentiality_with_a_note(client, head):
    alliance = AllianceFactory(name="BOREALIS")
    client.force_login(head)
    asked = change_confidentiality(client, [alliance], confidential="true")
    assert "This field is required" in asked.content.decode()  # the note
    assert Alliance.objects.get(pk=alliance.pk).confidential is False
    done = change_confidentiality(client, [alliance], confidential="true", note="Board asked")
    assert "Changed 1" in done.content.decode()
    assert Alliance.objects.get(pk=alliance.pk).confidential is True
    assert ActivityLog.objects.get(verb="confidentiality_changed").note == "Board asked"
    again = change_confidentiality(client, [alliance], confidential="true", note="x")
    assert "Not changed" in again.content.decode()


def test_a_lead_has_no_confidentiality_action_and_cannot_edit_the_flag(client, lead):
    alliance = AllianceFactory(name="BOREALIS", lead=lead)
    client.force_login(lead)
    assert "change_confidentiality" not in client.get(LIST).content.decode()
    change_confidentiality(client, [alliance], confidential="true", note="x")
    assert Alliance.objects.get(pk=alliance.pk).confidential is False
    page = client.get(f"{LIST}{alliance.pk}/change/").content.decode()
    assert 'name="confidential"' not in page  # read-only on the change form


def test_removing_a_member_who_holds_work_on_a_confidential_alliance_is_a_form_error(client, head):
    alliance = AllianceFactory(confidential=True, lead=head, name="NIGHTJAR")
    person = SpecialistFactory().user
    membership = MembershipFactory(alliance=alliance, user=person)
    TaskFactory(alliance=alliance, assignee=person)
    client.force_login(head)
    url = f"{LIST}{alliance.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        {
            "partner": alliance.partner_id,
            "therapeutic_area": alliance.therapeutic_area_id,
            "lead": head.pk,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-alliance": alliance.pk,
            "memberships-0-user": person.pk,
            "memberships-0-role": membership.role,
            "memberships-0-DELETE": "on",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
            "transitions-MIN_NUM_FORMS": "0",
            "transitions-MAX_NUM_FORMS": "1000",
            "status_reports-TOTAL_FORMS": "0",
            "status_reports-INITIAL_FORMS": "0",
            "status_reports-MIN_NUM_FORMS": "0",
            "status_reports-MAX_NUM_FORMS": "0",
        }
    )
    response = client.post(url, {k: v for k, v in data.items() if v != ""})
    assert response.status_code == 200  # the form again, with the refusal
    assert "still holds 1 open task" in response.content.decode()
    assert alliance.memberships.filter(user=person).exists()
