import datetime

import pytest
from django.utils import timezone

from alliances.models import ActivityLog
from reports.models import StatusReport
from tests.alliances.factories import AllianceFactory, MembershipFactory
from tests.helpers import assert_error
from tests.reports.factories import StatusReportFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/status-reports/"


@pytest.fixture
def on_the_5th(monkeypatch, settings):
    """Today is 5 November 2026; October's reports are open until the 10th."""
    settings.STATUS_REPORT_DUE_DAY = 10
    fifth = datetime.datetime(2026, 11, 5, 12, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fifth)


def body(alliance, **extra):
    return {
        "alliance": alliance.pk,
        "month": "2026-10-01",
        "rag": "amber",
        "trend": "declining",
        "headline": "CMC transfer slipping two weeks",
        "narrative": "The second site's validation batch failed; a re-run is scheduled.",
        **extra,
    }


def test_the_lead_writes_a_report(api, lead, on_the_5th):
    alliance = AllianceFactory(lead=lead)
    response = api(lead).post(URL, body(alliance), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["month"], data["rag"], data["author"]["username"]) == (
        "2026-10-01",
        "amber",
        "lead",
    )
    assert ActivityLog.objects.filter(verb="status_reported", alliance=alliance).exists()


def test_members_and_the_head_write_other_readers_get_403(
    api, head, lead2, executive, specialist, on_the_5th
):
    alliance = AllianceFactory()
    MembershipFactory(alliance=alliance, user=specialist)
    assert api(specialist).post(URL, body(alliance), format="json").status_code == 201
    other = AllianceFactory()
    assert api(head).post(URL, body(other), format="json").status_code == 201
    third = AllianceFactory()
    for reader in (lead2, executive):  # they see it, but it is not theirs
        assert api(reader).post(URL, body(third), format="json").status_code == 403
    assert not StatusReport.objects.filter(alliance=third).exists()


def test_a_hidden_alliance_answers_as_missing(api, lead2, head, on_the_5th):
    secret = AllianceFactory(confidential=True, lead=head)
    response = api(lead2).post(URL, body(secret), format="json")
    assert_error(response, 400, field="alliance")


def test_one_report_per_alliance_and_month(api, lead, on_the_5th):
    alliance = AllianceFactory(lead=lead)
    api(lead).post(URL, body(alliance), format="json")
    again = api(lead).post(URL, body(alliance, rag="red"), format="json")
    assert_error(again, 409, "duplicate_report")
    assert StatusReport.objects.count() == 1


def test_a_database_constraint_backs_one_per_month(lead):
    from django.db import IntegrityError

    report = StatusReportFactory()
    with pytest.raises(IntegrityError):
        StatusReport.objects.create(
            alliance=report.alliance,
            month=report.month,
            rag="red",
            trend="stable",
            headline="x",
            author=lead,
        )


def test_editable_until_the_due_day_of_the_next_month(api, lead, monkeypatch, settings):
    settings.STATUS_REPORT_DUE_DAY = 10
    alliance = AllianceFactory(lead=lead)
    report = StatusReportFactory(alliance=alliance, month=datetime.date(2026, 10, 1))

    def on(day):
        moment = datetime.datetime(2026, 11, day, 12, tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    on(10)
    assert api(lead).patch(f"{URL}{report.pk}/", {"rag": "red"}, format="json").status_code == 200
    on(11)
    late = api(lead).patch(f"{URL}{report.pk}/", {"rag": "green"}, format="json")
    assert_error(late, 409, "month_closed")
    new = api(lead).post(URL, body(AllianceFactory(lead=lead)), format="json")
    assert_error(new, 409, "month_closed")
    report.refresh_from_db()
    assert report.rag == "red"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"month": "2026-10-15"}, "month"),
        ({"month": "2026-12-01"}, "month"),  # not begun
        ({"rag": "purple"}, "rag"),
        ({"trend": "sideways"}, "trend"),
        ({"headline": ""}, "headline"),
        ({"headline": "x" * 201}, "headline"),
        ({"author": 1}, "author"),
        ({"alliance": 2**64}, "alliance"),
        ({"month": "October"}, "month"),
    ],
)
def test_bad_report_bodies_are_400(api, lead, on_the_5th, change, field):
    alliance = AllianceFactory(lead=lead)
    response = api(lead).post(URL, {**body(alliance), **change}, format="json")
    assert_error(response, 400, field=field)


def test_month_and_alliance_cannot_change(api, lead, on_the_5th):
    report = StatusReportFactory(alliance=AllianceFactory(lead=lead))
    response = api(lead).patch(f"{URL}{report.pk}/", {"month": "2026-09-01"}, format="json")
    assert response.status_code == 400


def test_readers_see_reports_of_alliances_they_see(api, lead2, executive, requester, head):
    StatusReportFactory(headline="OPEN ONE")
    StatusReportFactory(
        headline="SECRET ONE", alliance=AllianceFactory(confidential=True, lead=head)
    )
    for user in (lead2, executive):
        rows = api(user).get(URL).json()["results"]
        assert [r["headline"] for r in rows] == ["OPEN ONE"]
    assert api(requester).get(URL).json()["count"] == 0
    assert api().get(URL).status_code == 401


def test_report_filters(api, lead):
    alliance = AllianceFactory()
    StatusReportFactory(alliance=alliance, month=datetime.date(2026, 9, 1), rag="red")
    StatusReportFactory(alliance=alliance, month=datetime.date(2026, 10, 1))
    StatusReportFactory(month=datetime.date(2026, 10, 1))
    client = api(lead)
    assert client.get(URL, {"alliance": alliance.pk}).json()["count"] == 2
    assert client.get(URL, {"rag": "red"}).json()["count"] == 1
    assert client.get(URL, {"month_after": "2026-10-01"}).json()["count"] == 2
    assert client.get(URL, {"rag": "blue"}).status_code == 400


def test_the_alliances_list_shows_the_latest_report_in_the_same_queries(api, lead):
    alliance = AllianceFactory(name="BOREALIS")
    StatusReportFactory(alliance=alliance, month=datetime.date(2026, 9, 1), rag="green")
    StatusReportFactory(
        alliance=alliance,
        month=datetime.date(2026, 10, 1),
        rag="red",
        trend="declining",
        headline="Partner paused the programme",
    )
    AllianceFactory(name="KESTREL")
    rows = {r["name"]: r for r in api(lead).get("/api/v1/alliances/").json()["results"]}
    assert rows["BOREALIS"]["latest_rag"] == "red"
    assert rows["BOREALIS"]["latest_trend"] == "declining"
    assert rows["BOREALIS"]["latest_headline"] == "Partner paused the programme"
    assert rows["BOREALIS"]["latest_report_month"] == "2026-10-01"
    assert rows["KESTREL"]["latest_rag"] is None
    detail = api(lead).get(f"/api/v1/alliances/{alliance.pk}/").json()
    assert detail["latest_rag"] == "red"
    names = [
        r["name"] for r in api(lead).get("/api/v1/alliances/", {"rag": "red"}).json()["results"]
    ]
    assert names == ["BOREALIS"]


def test_report_missing_filter(api, lead, monkeypatch, settings):
    settings.STATUS_REPORT_DUE_DAY = 10
    reported = AllianceFactory(name="REPORTED", start_date=datetime.date(2025, 1, 1))
    StatusReportFactory(alliance=reported, month=datetime.date(2026, 10, 1))
    AllianceFactory(name="SILENT", start_date=datetime.date(2025, 1, 1))
    AllianceFactory(name="CLOSED", status="closed", start_date=datetime.date(2025, 1, 1))
    AllianceFactory(name="NEW", start_date=datetime.date(2026, 11, 3))

    def missing(day):
        moment = datetime.datetime(2026, 11, day, 12, tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        rows = api(lead).get("/api/v1/alliances/", {"report_missing": "true"}).json()["results"]
        return {r["name"] for r in rows}

    # Until the 10th, October is not yet due: September is, and nobody reported it.
    assert missing(10) == {"REPORTED", "SILENT"}
    assert missing(11) == {"SILENT"}
    assert api(lead).get("/api/v1/alliances/", {"report_missing": "x"}).status_code == 400


def test_alliance_list_query_count_is_unchanged_by_reports(lead):
    from tests.alliances.test_query_counts import queries, token_client

    client = token_client(lead)
    for n in range(20):
        StatusReportFactory(month=datetime.date(2026, 1 + n % 10, 1))
    assert queries(client, "/api/v1/alliances/", page_size=2) == 4
    assert queries(client, "/api/v1/alliances/", page_size=500, rag="green") == 4
    assert queries(client, URL, page_size=1) == queries(client, URL, page_size=500) == 4
