"""The governance and agreements screens as people read them: labels, never codes; one date
format; money with its currency; late things as red badges with their days; the buttons as
unfold's detail actions offering only legal moves, and their forms with each error beside its
field; only for those who may, and only about what they may see."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from alliances.calendar import today
from governance.models import Obligation
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.governance.factories import (
    ActionItemFactory,
    AgreementFactory,
    MeetingFactory,
    ObligationFactory,
    TrainingCompletionFactory,
    TrainingCourseFactory,
)

pytestmark = pytest.mark.django_db

REGISTER = "/admin/governance/obligation/"
MEETINGS = "/admin/governance/meeting/"
AGREEMENTS = "/admin/governance/agreement/"


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def field_block(page: str, name: str) -> str:
    """One field's block on a form page (unfold's: its label, input, errors and help)."""
    label = page.index(f'for="id_{name}"')
    start = page.rindex("<div", 0, page.rindex("group mb-4", 0, label))
    ends = [i for i in (page.find("group mb-4", label), page.find("<button", label)) if i > 0]
    return page[start : min(ends)]


def test_the_action_forms_are_for_leads_about_what_they_may_see(client, specialist, lead, lead2):
    alliance = AllianceFactory(lead=lead)
    MembershipFactory(alliance=alliance, user=specialist)
    obligation = ObligationFactory(agreement__alliance=alliance)
    secret = ObligationFactory(agreement__alliance=AllianceFactory(lead=lead2, confidential=True))
    waive = f"{REGISTER}{obligation.pk}/waive/"

    anonymous = client.get(waive)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    client.force_login(specialist)
    assert client.get(waive).status_code == 403
    assert client.post(waive, {"reason": "Not owed"}).status_code == 403
    client.force_login(lead)
    assert client.get(f"{REGISTER}{secret.pk}/waive/").status_code == 404
    assert client.get(waive).status_code == 200
    assert Obligation.objects.get(pk=obligation.pk).status == "due"


def test_a_waive_without_a_reason_is_refused_beside_its_field(client, lead):
    obligation = ObligationFactory(agreement__alliance=AllianceFactory(lead=lead))
    client.force_login(lead)

    page = client.post(f"{REGISTER}{obligation.pk}/waive/", {"reason": "  "}).content.decode()

    reason = field_block(page, "reason")
    assert "This field is required." in reason and "Reason" in reason
    assert 'class="errors' in reason  # unfold marks the field in red
    assert "border-base-200" in reason  # the textarea in unfold's look
    assert "errornote" not in page  # not at the top of the form: beside its field
    assert Obligation.objects.get(pk=obligation.pk).status == "due"


def test_a_refusal_of_the_service_is_shown_on_the_form_and_changes_nothing(client, lead):
    obligation = ObligationFactory(agreement__alliance=AllianceFactory(lead=lead))
    client.force_login(lead)
    met = f"{REGISTER}{obligation.pk}/met/"

    bad_date = client.post(met, {"met_on": "not a date"}).content.decode()
    assert "Enter a valid date." in field_block(bad_date, "met_on")
    refused = client.post(met, {"met_on": days(1).isoformat()}).content.decode()
    assert "errornote" in refused and "cannot be met in the future" in refused
    assert Obligation.objects.get(pk=obligation.pk).status == "due"


def test_the_buttons_are_unfolds_detail_actions_offering_only_legal_moves(client, lead):
    alliance = AllianceFactory(lead=lead)
    due = ObligationFactory(agreement__alliance=alliance)
    met = ObligationFactory(agreement__alliance=alliance, status="met", met_on=today())
    scheduled = MeetingFactory(body__alliance=alliance)
    cancelled = MeetingFactory(body__alliance=alliance, status="cancelled")
    client.force_login(lead)

    page = client.get(f"{REGISTER}{due.pk}/change/").content.decode()
    for name in ("met", "waive", "dispute"):
        assert f'href="{REGISTER}{due.pk}/{name}/"' in page
    assert f"{REGISTER}{due.pk}/trigger/" not in page
    assert "check_circle" in page and "bg-primary-600" in page  # Met: an icon, in colour
    page = client.get(f"{REGISTER}{met.pk}/change/").content.decode()
    assert f"{REGISTER}{met.pk}/waive/" not in page

    page = client.get(f"{MEETINGS}{scheduled.pk}/change/").content.decode()
    for name in ("reschedule", "held", "cancel"):
        assert f'href="{MEETINGS}{scheduled.pk}/{name}/"' in page
    assert "bg-red-600" in page  # Cancel, in red
    page = client.get(f"{MEETINGS}{cancelled.pk}/change/").content.decode()
    assert f"{MEETINGS}{cancelled.pk}/reschedule/" not in page


def test_the_register_shows_labels_money_and_days_overdue(client, lead):
    alliance = AllianceFactory(lead=lead)
    ObligationFactory(
        agreement__alliance=alliance,
        title="UPFRONT ONE",
        kind="upfront",
        direction="outgoing",
        amount="1250000.00",
        currency="EUR",
        due_date=days(-12),
    )
    ObligationFactory(
        agreement__alliance=alliance,
        title="ROYALTY ONE",
        kind="royalty",
        amount="980000.50",
        currency="JPY",
        due_date=days(30),
    )
    client.force_login(lead)

    page = client.get(REGISTER).content.decode()

    assert "Upfront payment" in page and "Royalty" in page
    assert "EUR 1,250,000" in page and "JPY 980,000.50" in page
    assert "1250000" not in page
    assert "12 days overdue" in page
    assert "We owe" in page and "Owed to us" in page
    assert f"{days(-12):%-d %b %Y}" in page
    assert not re.search(r">\s*(upfront|royalty|outgoing|incoming|due)\s*<", page)
    assert page.index("UPFRONT ONE") < page.index("ROYALTY ONE")


def test_minutes_and_action_items_overdue_show_their_days(client, lead):
    alliance = AllianceFactory(lead=lead)
    late_by = 5
    held = MeetingFactory(
        body__alliance=alliance,
        status="held",
        starts_at=timezone.now()
        - datetime.timedelta(days=settings.MINUTES_APPROVAL_DAYS + late_by),
    )
    ActionItemFactory(meeting=held, title="LATE ACTION", due_date=days(-4))
    client.force_login(lead)

    page = client.get(MEETINGS).content.decode()
    assert "Not drafted" in page and f"{late_by} days overdue" in page
    page = client.get(f"{MEETINGS}{held.pk}/change/").content.decode()
    assert "LATE ACTION" in page and "4 days overdue" in page
    assert "Held" in page and ">held<" not in page


def test_an_agreements_labels_and_its_notice_date(client, lead):
    alliance = AllianceFactory(lead=lead)
    soon = AgreementFactory(
        alliance=alliance,
        title="SOON",
        expiry_date=days(100),
        notice_days=60,
    )
    client.force_login(lead)
    page = client.get(AGREEMENTS).content.decode()
    assert "Collaboration (main agreement)" in page and "Executed" in page
    assert f"{soon.notice_date:%-d %b %Y}, within 60 days" in page
    page = client.get(f"{AGREEMENTS}{soon.pk}/change/").content.decode()
    assert "Notice by" in page and f"{soon.notice_date:%-d %b %Y}" in page


def test_training_that_expires_soon_or_has_expired_is_a_warning(client, lead):
    course = TrainingCourseFactory(name="Co-chairing", validity_months=12)
    TrainingCompletionFactory(course=course, expires_on=days(20))
    TrainingCompletionFactory(course=course, expires_on=days(-3))
    client.force_login(lead)
    page = client.get("/admin/governance/trainingcompletion/").content.decode()
    assert "Expires in 20 days" in page
    assert f"Expired {days(-3):%-d %b %Y}" in page


def test_the_agreements_and_training_lists_keep_a_constant_number_of_queries(
    client, head, django_assert_max_num_queries
):
    AgreementFactory()
    TrainingCompletionFactory()
    client.force_login(head)
    lists = [AGREEMENTS, "/admin/governance/trainingcompletion/"]
    counts = []
    for url in lists:
        with django_assert_max_num_queries(20) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few.captured_queries))
    for _ in range(8):
        AgreementFactory()
        TrainingCompletionFactory()
    for url, count in zip(lists, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url)


def test_the_reschedule_and_met_forms_start_from_what_stands(client, lead):
    meeting = MeetingFactory(body__alliance=AllianceFactory(lead=lead), time_zone="Asia/Tokyo")
    obligation = ObligationFactory(agreement__alliance=meeting.alliance)
    client.force_login(lead)
    page = client.get(f"{MEETINGS}{meeting.pk}/reschedule/").content.decode()
    assert f'value="{meeting.local_start:%Y-%m-%dT%H:%M}"' in field_block(page, "starts_local")
    assert '<option value="Asia/Tokyo" selected>' in page
    page = client.get(f"{REGISTER}{obligation.pk}/met/").content.decode()
    assert f'value="{today().isoformat()}"' in field_block(page, "met_on")


def test_the_buttons_keep_their_plain_pairs_for_other_pages(client, lead):
    obligation = ObligationFactory(agreement__alliance=AllianceFactory(lead=lead))
    client.force_login(lead)
    response = client.get(f"{REGISTER}{obligation.pk}/change/")
    pairs = response.context["object_buttons"]
    assert (f"{REGISTER}{obligation.pk}/met/", "Met") in pairs
    items = {item["name"]: item for item in response.context["object_button_items"]}
    assert items["met"]["icon"] == "check_circle" and items["met"]["variant"] == "primary"
    assert items["waive"]["variant"] == "default"
