"""The web screens' site: who signs in, the sidebar each role starts from, what every page
loads, and how values read."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from config import display
from config.navigation import sidebar

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def titles(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return [item["title"] for group in sidebar(request) for item in group["items"]]


def test_a_requester_signs_in_and_sees_no_staff_screen(client, requester):
    requester.set_password("a long passphrase 42")
    requester.save()
    response = sign_in(client, requester.username, "a long passphrase 42")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # What they see is still their role's: no staff list opens for them.
    assert client.get("/admin/alliances/alliance/").status_code == 403
    assert client.get("/admin/resourcing/task/").status_code == 403


def test_an_inactive_user_cannot_sign_in(client, requester):
    requester.set_password("a long passphrase 42")
    requester.is_active = False
    requester.save()
    response = sign_in(client, requester.username, "a long passphrase 42")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, requester):
    response = sign_in(client, requester.username, "not it")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "staff account" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_sidebar_follows_the_role(head, lead, specialist, executive, requester):
    lead_items = titles(lead)
    assert {"Home", "Front door", "Alliances", "Governance", "Obligations"} <= set(lead_items)
    assert "Users" not in lead_items
    assert "Users" in titles(head)

    specialist_items = titles(specialist)
    assert {"My work", "My alliances"} <= set(specialist_items)
    assert "Front door" not in specialist_items

    executive_items = titles(executive)
    assert {"Portfolio", "Download"} <= set(executive_items)
    assert "Front door" not in executive_items and "My work" not in executive_items

    requester_items = titles(requester)
    assert "Alliances" not in requester_items and "Front door" not in requester_items
    assert requester_items[0] == "Home"


def test_pages_load_nothing_from_another_host(client, head):
    client.force_login(head)
    external = re.compile(r'(?:src|href)="(?:https?:)?//', re.IGNORECASE)
    for url in [
        "/admin/",
        "/admin/alliances/alliance/",
        "/admin/resourcing/intakerequest/",
        "/admin/resourcing/task/",
        "/admin/governance/obligation/",
        reverse("admin:download_portfolio"),
        LOGIN,
    ]:
        page = client.get(url, follow=True).content.decode()
        assert not external.findall(page), f"{url} loads from another host"
    client.logout()
    assert not external.findall(client.get(LOGIN).content.decode())


def test_third_party_screens_have_the_same_look(client, head):
    head.is_superuser = True
    head.save()
    client.force_login(head)
    for url in [
        "/admin/auth/group/",
        "/admin/django_celery_beat/periodictask/",
        "/admin/auth/user/",
    ]:
        page = client.get(url).content.decode()
        assert "/static/unfold/css/styles.css" in page, url


def test_values_read_as_people_write_them():
    assert display.money(Decimal("38000000.00"), "USD") == "USD 38,000,000"
    assert display.money(Decimal("1250.5"), "EUR") == "EUR 1,250.50"
    assert display.money(None, "EUR") == "—"
    assert display.day(datetime.date(2026, 12, 7)) == "7 Dec 2026"
    assert display.hours(Decimal("37.5")) == "37.5 h"
    late = str(display.days_late(3))
    assert "3 days overdue" in late and "bg-red-100" in late
    assert "1 day overdue" in str(display.days_late(1))
    assert "due today" in str(display.days_late(0))
    assert display.days_late(-2) == ""
    assert "Red" in str(display.rag("red")) and "bg-red-100" in str(display.rag("red"))
    assert display.warning(False, "Confidential") == "—"
    assert "Confidential" in str(display.warning(True, "Confidential"))


def test_badges_escape_what_people_typed():
    assert "<script>" not in str(display.badge("<script>alert(1)</script>"))


def test_django_dates_use_the_one_format():
    from django.utils import formats

    assert formats.date_format(datetime.date(2026, 12, 7)) == "7 Dec 2026"
    moment = datetime.datetime(2026, 12, 7, 14, 5)
    assert formats.date_format(moment, "DATETIME_FORMAT") == "7 Dec 2026 14:05"


def test_sidebar_icons_are_not_read_as_words(client, lead):
    client.force_login(lead)
    page = client.get("/admin/").content.decode()
    assert 'aria-hidden="true">\n' in page or 'aria-hidden="true">' in page
    assert "door_front" in page  # the icon is drawn ...
    index = page.index("door_front")
    assert 'aria-hidden="true"' in page[index - 200 : index]  # ... and hidden from readers


def test_signing_in_from_the_sign_in_page_lands_on_the_home(client, requester):
    requester.set_password("a long passphrase 42")
    requester.save()
    response = client.post(
        LOGIN, {"username": requester.username, "password": "a long passphrase 42"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_counts_read_as_words():
    assert display.count(1, "task") == "1 task"
    assert display.count(3, "task") == "3 tasks"
    assert display.count(0, "person", "people") == "0 people"
