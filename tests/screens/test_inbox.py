"""The inbox on the web screens: your own notifications, for every user who signs in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from tests.alliances.factories import AllianceFactory

pytestmark = pytest.mark.django_db

INBOX = "/admin/notifications/notification/"


def note(user, key, text, **fields):
    return Notification.objects.create(
        recipient=user, kind="request_needs_info", key=key, text=text, **fields
    )


def test_a_requester_reads_their_own_inbox_only(client, requester, lead):
    note(requester, "a", "Your request #4 needs information", admin_path="/admin/")
    note(lead, "b", "Someone else's news")
    client.force_login(requester)
    page = client.get(INBOX).content.decode()
    assert "Your request #4 needs information" in page
    assert "Someone else&#x27;s news" not in page and "Someone else's news" not in page
    assert "Your request needs information" in page  # the kind as a label, not a code
    assert ">request_needs_info<" not in page and "request_needs_info\n" not in page
    assert ">New<" in page or "New\n" in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(client, requester):
    mine = note(requester, "a", "Answered", admin_path="/admin/notifications/notification/")
    client.force_login(requester)
    response = client.get(reverse("admin:notifications_notification_open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == mine.admin_path
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_someone_elses_notification_is_not_there(client, requester, lead):
    theirs = note(lead, "b", "Not yours")
    client.force_login(requester)
    response = client.get(reverse("admin:notifications_notification_open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notification_about_a_hidden_alliance_leaves_the_inbox(client, lead2, head):
    secret = AllianceFactory(name="NIGHTJAR", confidential=True, lead=head)
    note(lead2, "c", "About NIGHTJAR", alliance=secret)
    client.force_login(lead2)
    assert "NIGHTJAR" not in client.get(INBOX).content.decode()


def test_marking_selected_read(client, requester):
    first, second = note(requester, "a", "one"), note(requester, "b", "two")
    client.force_login(requester)
    response = client.post(
        INBOX, {"action": "read_selected", "_selected_action": [first.pk]}, follow=True
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_bad_input_to_the_inbox_is_a_plain_answer(client, requester):
    client.force_login(requester)
    assert client.get(INBOX, {"unread": "maybe"}).status_code in (200, 302)
    assert client.get("/admin/notifications/notification/999999/open/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(INBOX).status_code == 302


def test_the_inbox_has_a_constant_number_of_queries(client, requester):
    client.force_login(requester)
    note(requester, "k0", "first")
    client.get(INBOX)
    with CaptureQueriesContext(connection) as one:
        assert client.get(INBOX).status_code == 200
    for index in range(1, 25):
        note(requester, f"k{index}", f"note {index}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(INBOX).status_code == 200
    assert len(many) == len(one)
