"""The executive workbook, opened as Excel would open it."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from alliances.models import StageTransition
from tests.alliances.factories import (
    AllianceFactory,
    MembershipFactory,
    PartnerFactory,
    TherapeuticAreaFactory,
    UserFactory,
)
from tests.helpers import assert_error
from tests.reports.factories import StatusReportFactory
from tests.resourcing.factories import IntakeFactory, TaskFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/portfolio.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = [
    "Summary", "Trend", "Changes since", "Register", "Obligations", "Front door", "Pipeline",
    "Demand", "Data dictionary",
]  # fmt: skip


@pytest.fixture
def portfolio(head, lead):
    onc = TherapeuticAreaFactory(code="oncology", name="Oncology")
    neuro = TherapeuticAreaFactory(code="neuroscience", name="Neuroscience")
    member = UserFactory(username="member")
    borealis = AllianceFactory(
        name="BOREALIS", stage="development", therapeutic_area=onc, lead=lead
    )
    AllianceFactory(name="KESTREL", stage="commercial", therapeutic_area=neuro, currency="EUR")
    secret = AllianceFactory(
        name="NIGHTJAR", stage="development", therapeutic_area=neuro, confidential=True,
        lead=head, partner=PartnerFactory(name="Hidden Partner"),
    )  # fmt: skip
    MembershipFactory(alliance=secret, user=member)
    StatusReportFactory(alliance=borealis, month=datetime.date(2026, 9, 1), rag="green")
    StatusReportFactory(
        alliance=borealis, month=datetime.date(2026, 10, 1), rag="red", trend="declining",
        headline="Partner paused the programme",
    )  # fmt: skip
    StatusReportFactory(alliance=secret, headline="Secret headline", rag="red")
    TaskFactory(alliance=borealis, due_date=timezone.localdate() - datetime.timedelta(days=3))
    TaskFactory(alliance=borealis, due_date=timezone.localdate() + datetime.timedelta(days=3))
    return {"borealis": borealis, "secret": secret, "member": member}


def download(api, user, **params):
    response = api(user).get(URL, params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def register(wb) -> list[dict]:
    rows = list(wb["Register"].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def all_text(wb) -> str:
    return "\n".join(
        str(value)
        for ws in wb
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_sheets_headers_and_file_name(api, executive, portfolio):
    response = api(executive).get(URL)
    assert f"portfolio-{timezone.localdate():%Y-%m-%d}.xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == SHEETS
    assert next(wb["Register"].iter_rows(values_only=True))[:4] == (
        "Code", "Name", "Confidential", "Partner",
    )  # fmt: skip
    for name in ("Changes since", "Front door", "Pipeline", "Demand", "Data dictionary"):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref.startswith("A1:")
        assert ws.column_dimensions["A"].width > 0
    # The register is an Excel table (its own filters), code and name frozen with the header.
    assert wb["Register"].freeze_panes == "C2"
    assert wb["Register"].tables["Register"].ref == "A1:W4"
    assert len(wb["Summary"]._charts) == 1
    assert len(wb["Trend"]._charts) == 1


def test_executive_gets_masked_rows_that_count_in_totals(api, executive, portfolio):
    wb = download(api, executive)
    rows = register(wb)
    assert len(rows) == 3
    masked = [r for r in rows if r["Code"] == "Confidential"]
    assert len(masked) == 1
    assert masked[0]["Name"] == masked[0]["Partner"] == "Confidential"
    assert (masked[0]["Stage"], masked[0]["Therapeutic area"]) == ("Development", "Neuroscience")
    assert masked[0]["RAG"] is None and masked[0]["Lead"] is None
    assert masked[0]["Confidential"] is True
    assert {r["Confidential"] for r in rows if r["Code"] != "Confidential"} == {False}
    text = all_text(wb)
    assert "NIGHTJAR" not in text and "Hidden Partner" not in text and "Secret headline" not in text
    summary = list(wb["Summary"].iter_rows(values_only=True))
    total = next(row for row in summary if row[0] == "Total")
    assert total[:5] == ("Total", 0, 2, 1, 3)


def test_head_and_members_see_the_confidential_alliance(api, head, portfolio):
    assert "NIGHTJAR" in {r["Name"] for r in register(download(api, head))}


def test_a_member_of_the_confidential_alliance_downloads_it_unmasked(api, portfolio):
    from django.contrib.auth.models import Group

    from alliances.choices import Role

    member = portfolio["member"]
    member.groups.add(Group.objects.get(name=Role.EXECUTIVE))
    rows = register(download(api, member))
    assert "NIGHTJAR" in {r["Name"] for r in rows}
    assert not [r for r in rows if r["Code"] == "Confidential"]


def test_lead_gets_the_same_masking(api, lead2, portfolio):
    rows = register(download(api, lead2))
    assert sum(1 for r in rows if r["Code"] == "Confidential") == 1


def test_cells_are_real_numbers_and_dates(api, lead, portfolio):
    rows = list(download(api, lead)["Register"].iter_rows(min_row=2))
    borealis = next(row for row in rows if row[1].value == "BOREALIS")
    by_header = dict(
        zip(
            [h for h, *_ in __import__("reports.workbook", fromlist=["x"]).REGISTER],
            borealis,
            strict=False,
        )
    )
    assert by_header["Start date"].is_date
    assert by_header["Report month"].is_date
    assert by_header["Report month"].number_format == "mmm yyyy"
    assert by_header["Confidential"].value is False
    assert by_header["Upfront"].data_type == "n"
    assert by_header["Upfront"].number_format == '#,##0 "USD"'
    assert by_header["Open tasks"].value == 2
    assert by_header["Overdue tasks"].value == 1
    assert by_header["RAG"].value == "Red"
    kestrel = next(row for row in rows if row[1].value == "KESTREL")
    assert kestrel[18].number_format == '#,##0 "EUR"'


def test_filters_apply_and_masked_rows_match_only_by_stage_status_and_area(api, lead, portfolio):
    dev = register(download(api, lead, stage="development"))
    assert {r["Name"] for r in dev} == {"BOREALIS", "Confidential"}
    onc = register(download(api, lead, therapeutic_area="oncology"))
    assert {r["Name"] for r in onc} == {"BOREALIS"}
    secret_ones = register(download(api, lead, confidential="true"))
    assert {r["Name"] for r in secret_ones} == {"Confidential"}
    not_mine = register(download(api, lead, mine="false"))
    assert {r["Name"] for r in not_mine} == {"KESTREL", "Confidential"}


@pytest.mark.parametrize(
    "params",
    [
        {"lead": "LEAD"},
        {"confidential": "false"},
        {"mine": "true"},
        {"partner_kind": "biotech"},
        {"stage": "development", "direction": "in"},
        {"search": "BOREALIS"},
        {"search": "Hidden"},
        {"start_date_after": "2000-01-01"},
    ],
)
def test_a_filter_on_fields_masked_rows_hide_leaves_them_out(api, lead, portfolio, params):
    params = {k: str(lead.pk) if v == "LEAD" else v for k, v in params.items()}
    wb = download(api, lead, **params)
    rows = register(wb)
    assert "Confidential" not in {r["Name"] for r in rows}
    summary = list(wb["Summary"].iter_rows(values_only=True))
    total = next(row for row in summary if row[0] == "Total")
    assert total[4] == len(rows)  # the stage grid's grand total counts only the rows shown


def test_search_matches_code_name_and_partner(api, lead, portfolio):
    borealis = portfolio["borealis"]
    for term in ("boreal", borealis.code, borealis.partner.name):
        assert {r["Name"] for r in register(download(api, lead, search=term))} == {"BOREALIS"}
    summary = all_text(download(api, lead, search="boreal"))
    assert "Search: “boreal”" in summary


def test_summary_needs_attention_and_front_door(api, lead, portfolio):
    IntakeFactory(title="Open request", requester=lead)
    IntakeFactory(title="Confidential request", confidential=True)
    wb = download(api, lead)
    summary = all_text(wb)
    assert "Partner paused the programme" in summary
    front = [row[0] for row in wb["Front door"].iter_rows(values_only=True)]
    assert "Open request" in front
    assert "Confidential request" not in front
    demand = next(wb["Demand"].iter_rows(values_only=True))
    assert demand[:3] == ("Service", "Specialists", "Capacity (h)")


def test_changes_since_follow_the_history(api, lead, portfolio):
    borealis = portfolio["borealis"]
    old = timezone.now() - datetime.timedelta(days=60)
    StageTransition.objects.create(
        alliance=borealis, field="stage", from_value="pre_poc", to_value="development",
        actor=lead, note="Old move", created_at=old,
    )  # fmt: skip
    api(lead).post(
        f"/api/v1/alliances/{borealis.pk}/transition/",
        {"field": "status", "to": "reset", "note": "Governance reset"},
        format="json",
    )
    secret = portfolio["secret"]
    StageTransition.objects.create(
        alliance=secret, field="status", from_value="active", to_value="reset", actor=lead
    )
    rows = list(download(api, lead)["Changes since"].iter_rows(min_row=2, values_only=True))
    changes = {(r[2], r[4], r[5], r[6]) for r in rows}
    assert ("BOREALIS", "Status", "Active", "Reset") in changes
    assert ("BOREALIS", "RAG (Oct 2026)", "Green", "Red") in changes
    assert ("BOREALIS", "New alliance", "", "") in changes or (
        "BOREALIS",
        "New alliance",
        None,
        None,
    ) in changes
    assert not any(r[8] == "Old move" for r in rows)
    assert not any(r[2] == "NIGHTJAR" for r in rows)
    later = list(
        download(api, lead, since=timezone.localdate().isoformat())["Changes since"].iter_rows(
            min_row=2, values_only=True
        )
    )
    assert all(
        r[0] >= datetime.datetime.combine(timezone.localdate(), datetime.time()) for r in later
    )


INJECTIONS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=1+1\x01\x07\x1b end",  # NUL cannot even be stored (PostgreSQL); the API refuses it
    "bad \ufffe\uffff chars",
    "#N/A",
    "#REF!",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_user_text_never_becomes_a_formula(api, lead, payload):
    alliance = AllianceFactory(
        name=payload[:120], partner=PartnerFactory(name=f"{payload} Partner"), lead=lead
    )
    StatusReportFactory(alliance=alliance, headline=payload)
    wb = download(api, lead)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type not in ("f", "e"), (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not any(ch in c.value for ch in "\x01\x07\x1b\ufffe\uffff")
    names = [r["Name"] for r in register(wb)]
    cleaned = payload.replace("\x01", "").replace("\x07", "").replace("\x1b", "")
    cleaned = cleaned.replace("\ufffe", "").replace("\uffff", "")
    assert cleaned[:120] in names


def test_datetimes_are_naive_local_time(api, lead, portfolio, settings):
    settings.PORTFOLIO_TIME_ZONE = "Asia/Tokyo"
    settings.TIME_ZONE = "Asia/Tokyo"
    wb = download(api, lead)
    as_of = wb["Summary"]["B2"].value
    assert as_of.tzinfo is None
    from zoneinfo import ZoneInfo

    tokyo_now = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None)
    assert abs((tokyo_now - as_of).total_seconds()) < 120


@pytest.mark.parametrize("role", ["specialist", "requester"])
def test_only_executives_leads_and_head_download(request, api, role):
    assert api(request.getfixturevalue(role)).get(URL).status_code == 403
    assert api().get(URL).status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"since": "last month"},
        {"since": "0001-01-01"},
        {"since": "2999-01-01"},
        {"stage": "phase_3"},
        {"lead": "x"},
        {"therapeutic_area": "astro"},
        {"stag": "development"},
        {"ordering": "name"},
        {"confidential": "maybe"},
        {"since": "20260101"},
        {"since": "2026-W01-1"},
        {"search": " ".join(["a"] * 500)},
        {"confidential": ["true", "false"]},
        {"search": ["a", "b"]},
        {"lead": ["1", "2"]},
        {"since": ["2026-01-01", "2026-02-01"]},
    ],
)
def test_bad_workbook_parameters_are_400(api, lead, params):
    response = api(lead).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_summary_lists_only_the_filters_given_a_value(api, lead, portfolio):
    summary = download(api, lead, lead="", search="  ")["Summary"]
    assert summary["B5"].value == "none"
    summary = download(api, lead, stage=["development", "commercial"])["Summary"]
    assert summary["B5"].value == "Stage: Development, Commercial"
    summary = download(api, lead, therapeutic_area="oncology", confidential="false")["Summary"]
    assert summary["B5"].value == "Therapeutic area: Oncology; Confidential: no"


def test_rag_changes_compare_with_the_latest_earlier_report(api, lead, portfolio):
    alliance = AllianceFactory(name="SKIPPER", lead=lead)
    old = timezone.now() - datetime.timedelta(days=90)
    august = StatusReportFactory(alliance=alliance, month=datetime.date(2026, 8, 1), rag="green")
    StatusReportFactory(alliance=alliance, month=datetime.date(2026, 10, 1), rag="amber")
    type(august).objects.filter(pk=august.pk).update(created_at=old)
    rows = list(download(api, lead)["Changes since"].iter_rows(min_row=2, values_only=True))
    assert ("SKIPPER", "RAG (Oct 2026)", "Green", "Amber") in {(r[2], *r[4:7]) for r in rows}


def test_rag_edits_since_come_from_the_activity_log(api, lead, portfolio):
    from reports import services

    alliance = AllianceFactory(name="EDITED", lead=lead)
    month = timezone.localdate().replace(day=1)
    report = services.status_report_create(
        actor=lead,
        data={"alliance": alliance, "month": month, "rag": "green", "trend": "stable",
              "headline": "Fine so far", "narrative": ""},
    )  # fmt: skip
    type(report).objects.filter(pk=report.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=90)
    )
    services.status_report_update(actor=lead, report=report, data={"rag": "red"})
    services.status_report_update(actor=lead, report=report, data={"headline": "Now worse"})
    rows = list(download(api, lead)["Changes since"].iter_rows(min_row=2, values_only=True))
    edits = [r for r in rows if r[2] == "EDITED" and r[4].startswith("RAG")]
    who = lead.get_full_name()
    assert [r[4:8] for r in edits] == [(f"RAG ({month:%b %Y}) edited", "Green", "Red", who)]
    assert edits[0][8] == "Now worse"


def test_asking_for_the_spreadsheet_type_gets_it_and_errors_as_json(api, lead, requester):
    accept = {"HTTP_ACCEPT": XLSX}
    response = api(lead).get(URL, **accept)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    bad = api(lead).get(URL, {"stage": "x"}, **accept)
    assert bad.status_code == 400 and "stage" in bad.json()
    assert api(requester).get(URL, **accept).status_code == 403


def test_query_count_does_not_grow_with_the_portfolio(lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.alliances.test_query_counts import token_client

    client = token_client(lead)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
            b"".join(response.streaming_content)
        return len(captured)

    AllianceFactory()
    few = count()
    for n in range(15):
        alliance = AllianceFactory(confidential=n % 4 == 0)
        StatusReportFactory(alliance=alliance)
        TaskFactory(alliance=alliance)
        IntakeFactory()
    assert count() == few


def test_export_command(lead, portfolio, tmp_path):
    out = tmp_path / "portfolio.xlsx"
    stdout = io.StringIO()
    call_command(
        "export_portfolio",
        "--user",
        "lead",
        "--out",
        str(out),
        "--filter",
        "stage=development",
        stdout=stdout,
    )
    assert "2 alliances" in stdout.getvalue()
    assert load_workbook(out).sheetnames == SHEETS
    with pytest.raises(CommandError, match="No active user"):
        call_command("export_portfolio", "--user", "nobody", "--out", str(out))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--filter", "stage=x"], "stage: Select a valid choice"),
        (["--filter", "stag=development"], "stag: Not a filter of the portfolio workbook"),
        (["--filter", "development"], "Give each filter as NAME=VALUE"),
        (["--since", "yesterday"], "since: Give a date as YYYY-MM-DD."),
    ],
)
def test_export_command_explains_bad_filters(lead, tmp_path, arguments, message):
    out = tmp_path / "portfolio.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_portfolio", "--user", "lead", "--out", str(out), *arguments)
    assert not out.exists()


def test_export_command_refuses_a_folder_that_is_not_there(lead, tmp_path):
    out = tmp_path / "missing" / "portfolio.xlsx"
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_portfolio", "--user", "lead", "--out", str(out))
    with pytest.raises(CommandError, match="Give a file name"):
        call_command("export_portfolio", "--user", "lead", "--out", str(tmp_path))


def test_admin_download_page(client, executive, portfolio, requester):
    client.force_login(executive)
    assert "Download the portfolio workbook" in client.get("/admin/").content.decode()
    page = client.get("/admin/reports/statusreport/portfolio/")
    assert page.status_code == 200
    response = client.get(
        "/admin/reports/statusreport/portfolio/", {"download": "1", "stage": ["development"]}
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {r["Stage"] for r in register(wb)} == {"Development"}
    bad = client.get("/admin/reports/statusreport/portfolio/", {"download": "1", "stage": "x"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    client.force_login(requester)
    assert client.get("/admin/reports/statusreport/portfolio/").status_code in (302, 403)


def test_admin_download_page_takes_every_filter(client, lead, portfolio):
    client.force_login(lead)
    page = "/admin/reports/statusreport/portfolio/"
    response = client.get(
        page,
        {
            "download": "1",
            "search": "boreal",
            "lead": lead.pk,
            "mine": "true",
            "since": "2026-01-01",
        },
    )
    assert response.status_code == 200, response.content[:500]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {r["Name"] for r in register(wb)} == {"BOREALIS"}
    assert wb["Summary"]["B4"].value == datetime.datetime(2026, 1, 1)
    unknown = client.get(page, {"download": "1", "stag": "development"})
    assert unknown.status_code == 200
    assert "Not a filter of the portfolio workbook: stag." in unknown.content.decode()
    empty = client.get(page, {"download": "1", "search": ""})
    assert empty.status_code == 200
    assert (
        load_workbook(io.BytesIO(b"".join(empty.streaming_content)))["Summary"]["B5"].value
        == "none"
    )
    for since in ("31/02/2026", "0001-01-01", "2999-12-31"):
        refused = client.get(page, {"download": "1", "since": since})
        assert refused.status_code == 200, since
        assert "errorlist" in refused.content.decode(), since


def test_the_download_link_is_only_for_those_who_may(client, specialist):
    client.force_login(specialist)
    assert "Download the portfolio workbook" not in client.get("/admin/").content.decode()


def test_the_api_refuses_nul_characters(api, lead):
    alliance = AllianceFactory(lead=lead)
    response = api(lead).patch(
        f"/api/v1/alliances/{alliance.pk}/", {"name": "BAD\x00NAME"}, format="json"
    )
    assert_error(response, 400, field="name")
