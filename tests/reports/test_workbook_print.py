"""The workbook as executives read and print it: every sheet's print setup, types and formats
read back with openpyxl; the Summary as a dashboard; and the file rendered by a real client,
LibreOffice headless, counting the printed pages."""

import datetime
import io
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from reports import services
from reports.latest import previous_month
from reports.portfolio import render
from reports.workbook import PortfolioQuery, portfolio_workbook_build
from tests.alliances.factories import AllianceFactory, TherapeuticAreaFactory
from tests.reports.factories import StatusReportFactory
from tests.reports.test_workbook import URL, download, portfolio, register  # noqa: F401
from tests.resourcing.factories import IntakeFactory

pytestmark = pytest.mark.django_db

FOOTER = ("&A", "Page &P of &N")
MARK = "Contains confidential alliances"
# The demo portfolio, as the head prints it: Summary 1, Trend 1, Changes since, Register,
# Obligations, Front door, Pipeline, Demand and the Data dictionary on a few pages each.
DEMO_PAGES = 14  # 12 when last counted


def summary_rows(wb) -> list[tuple]:
    return list(wb["Summary"].iter_rows(values_only=True))


def test_every_sheet_is_set_up_to_print(api, executive, portfolio):  # noqa: F811
    wb = download(api, executive)
    as_of = wb["Summary"]["B2"].value
    for ws in wb:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(setup.fitToWidth) == 1, ws.title
        assert int(setup.fitToHeight) == (1 if ws.title == "Summary" else 0), ws.title
        if ws.title != "Summary":
            assert ws.print_title_rows == "$1:$1", ws.title
            header = [c.value for c in next(ws.iter_rows(max_row=1))]
            for index, name in enumerate(header, start=1):
                width = ws.column_dimensions[ws.cell(1, index).column_letter].width
                assert width * 2 >= len(name), (ws.title, name, width)
        footer = ws.oddFooter
        assert (footer.left.text, footer.center.text) == FOOTER, ws.title
        assert footer.right.text == f"As of {as_of.day} {as_of:%b %Y %H:%M}"
        # The executive's file holds a masked row: every page says so.
        assert ws.oddHeader.center.text == MARK, ws.title
    properties = wb.properties
    assert properties.creator == "Alliance portfolio"
    assert properties.title.startswith("Alliance portfolio") and properties.subject


def test_a_file_without_confidential_alliances_is_not_marked(api, lead, portfolio):  # noqa: F811
    wb = download(api, lead, search="BOREALIS")
    assert {r["Confidential"] for r in register(wb)} == {False}
    assert all(ws.oddHeader.center.text is None for ws in wb)
    assert ("Confidential", "none in this file") in {row[:2] for row in summary_rows(wb)}


def test_the_summary_says_how_many_confidential_alliances(api, head, executive, portfolio):  # noqa: F811
    said = {row[0]: row[1] for row in summary_rows(download(api, executive)) if row[0]}
    assert said["Confidential"] == "Confidential alliances in this file: 1 (1 shown as masked rows)"
    said = {row[0]: row[1] for row in summary_rows(download(api, head)) if row[0]}
    assert said["Confidential"] == "Confidential alliances in this file: 1"
    assert download(api, head)["Register"].oddHeader.center.text == MARK


def test_register_types_formats_and_table(api, lead, portfolio):  # noqa: F811
    ws = download(api, lead)["Register"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    rows = [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]
    borealis = next(r for r in rows if r["Name"].value == "BOREALIS")
    assert borealis["Confidential"].data_type == "b" and borealis["Confidential"].value is False
    assert borealis["Report month"].number_format == "mmm yyyy"
    assert borealis["Report month"].value == datetime.datetime(2026, 10, 1)
    assert borealis["Headline"].alignment.wrap_text
    assert borealis["Open tasks"].data_type == "n"
    masked = next(r for r in rows if r["Code"].value == "Confidential")
    assert masked["Confidential"].value is True
    assert ws.freeze_panes == "C2"
    (table,) = ws.tables.values()
    assert table.ref == f"A1:W{len(rows) + 1}"
    assert [c.name for c in table.tableColumns] == header
    rag = header.index("RAG") + 1
    letter = ws.cell(1, rag).column_letter
    rules = {
        rule.formula[0]: rule.dxf.fill.fgColor.rgb
        for ranges in ws.conditional_formatting
        for rule in ranges.rules
        if str(ranges.sqref) == f"{letter}2:{letter}{len(rows) + 1}"
    }
    assert set(rules) == {'"Red"', '"Amber"', '"Green"'}
    # Headers over numbers are right-aligned; over text, not.
    assert ws.cell(1, header.index("Upfront") + 1).alignment.horizontal == "right"
    assert ws.cell(1, header.index("Name") + 1).alignment.horizontal is None


def test_the_summary_dashboard(api, lead, portfolio):  # noqa: F811
    onc = portfolio["borealis"].therapeutic_area
    october = datetime.date(2026, 10, 1)  # BOREALIS's latest report: red and declining

    def alliance(name):
        return AllianceFactory(name=name, lead=lead, therapeutic_area=onc, stage="development")

    StatusReportFactory(alliance=alliance("SILENT"), month=datetime.date(2026, 6, 1))
    alliance("NEVER")
    StatusReportFactory(
        alliance=alliance("SLIPPING"), month=october, rag="amber", trend="declining"
    )
    StatusReportFactory(alliance=alliance("FLARE"), month=october, rag="red", trend="stable")
    wb = download(api, lead, therapeutic_area="oncology", stage="development")
    ws = wb["Summary"]
    rows = summary_rows(wb)
    assert ws["B5"].value == "Stage: Development; Therapeutic area: Oncology"
    assert ws["B2"].number_format == "d mmm yyyy hh:mm"
    # The grid: numeric headers right-aligned over their numbers.
    grid = next(n for n, row in enumerate(rows, start=1) if row[0] == "Therapeutic area")
    assert [ws.cell(grid, col).alignment.horizontal for col in range(1, 6)] == [
        None, "right", "right", "right", "right",
    ]  # fmt: skip
    assert rows[grid][:5] == ("Oncology", 0, 5, 0, 5)
    # Needs attention beside it, worst first: red and declining, red, declining, then the
    # missing reports, oldest first (none at all before an old one).
    start = next(n for n, row in enumerate(rows) if row[6] == "Code") + 1
    listed = [row[6:14] for row in itertools.takewhile(lambda row: row[6], rows[start:])]
    names = [row[1] for row in listed]
    assert names == ["BOREALIS", "FLARE", "SLIPPING", "NEVER", "SILENT"]
    borealis = listed[0]
    assert borealis[2] == lead.get_full_name()
    assert borealis[3].startswith("red and declining")
    assert borealis[6] == datetime.datetime(2026, 10, 1)
    assert listed[3][3:5] == ("report missing", None) and listed[3][6] == "none yet"
    assert listed[4][3] == "report missing" and listed[4][6] == datetime.datetime(2026, 6, 1)
    # RAG coloured.
    attention_rag = next(r for r in ws.iter_rows(min_row=start + 1) if r[7].value == "BOREALIS")
    assert attention_rag[10].fill.fgColor.rgb.endswith("FFC7CE")
    mix = next(n for n, row in enumerate(rows, start=1) if row[0] == "Alliances" and row[1:3])
    assert ws.cell(mix - 1, 2).value == "Red"
    assert ws.cell(mix - 1, 2).fill.fgColor.rgb.endswith("FFC7CE")
    # The chart beside the grid, axes shown, its values cached for previewers.
    (chart,) = ws._charts
    anchor = chart.anchor._from
    assert anchor.col == 6 and abs(anchor.row + 1 - grid) <= 2
    assert chart.x_axis.delete is False and chart.y_axis.delete is False
    (series,) = chart.series
    assert [p.v for p in series.val.numRef.numCache.pt] == [0, 5, 0]
    assert [p.v for p in series.cat.strRef.strCache.pt] == ["Pre-PoC", "Development", "Commercial"]
    # What changed, in one block.
    said = {row[0]: row[1] for row in rows if row[0]}
    assert said["New alliances"] == 5


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time())


def test_trend_sheet(api, lead, head):
    this = timezone.localdate().replace(day=1)
    last = previous_month(this)
    earlier = previous_month(last)
    for n, rag in enumerate(("green", "green", "amber")):
        alliance = AllianceFactory(name=f"TREND{n}", lead=lead)
        StatusReportFactory(alliance=alliance, month=earlier, rag="red")
        StatusReportFactory(alliance=alliance, month=last, rag=rag)
    hidden = AllianceFactory(name="TRENDX", lead=head, confidential=True)
    StatusReportFactory(alliance=hidden, month=last, rag="red")
    ws = download(api, lead)["Trend"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Month", "Red", "Amber", "Green", "Reported")
    months = [row[0] for row in rows[1:]]
    assert len(months) == 12
    assert months[-1] == midnight(this)
    by_month = {row[0]: row[1:] for row in rows[1:]}
    # Each alliance's report of the month; the confidential one (a masked row) shows no RAG.
    assert by_month[midnight(earlier)] == (3, 0, 0, 3)
    assert by_month[midnight(last)] == (0, 1, 2, 3)
    assert by_month[midnight(this)] == (0, 0, 0, 0)
    assert ws["A2"].number_format == "mmm yyyy"
    (chart,) = ws._charts
    assert chart.grouping == "stacked"
    assert [s.tx.v for s in chart.series] == ["Red", "Amber", "Green"]
    assert chart.x_axis.delete is False and chart.y_axis.delete is False
    assert len(chart.series[0].val.numRef.numCache.pt) == 12


def test_a_new_report_edited_tells_one_story(api, lead, portfolio):  # noqa: F811
    this = timezone.localdate().replace(day=1)
    alliance = AllianceFactory(name="STORY", lead=lead)
    StatusReportFactory(alliance=alliance, month=previous_month(this), rag="green")
    report = services.status_report_create(
        actor=lead,
        data={"alliance": alliance, "month": this, "rag": "red", "trend": "declining",
              "headline": "Slipped", "narrative": ""},
    )  # fmt: skip
    services.status_report_update(actor=lead, report=report, data={"rag": "amber"})
    rows = list(download(api, lead)["Changes since"].iter_rows(min_row=2, values_only=True))
    story = [(r[4], r[5], r[6]) for r in rows if r[2] == "STORY"]
    month = f"{this:%b %Y}"
    assert {r[3] for r in rows if r[2] == "STORY"} == {False}  # Confidential, a boolean
    # Written red (the row says so, though the report is amber now), then edited to amber.
    assert story == [
        ("New alliance", None, None),
        (f"RAG ({month})", "Green", "Red"),
        (f"RAG ({month}) edited", "Red", "Amber"),
    ]
    assert [r[0] for r in rows if r[2] == "STORY"] == sorted(r[0] for r in rows if r[2] == "STORY")


def test_front_door_sheets_one_table_each_filtered(api, lead, executive):
    onc = TherapeuticAreaFactory(code="oncology", name="Oncology")
    neuro = TherapeuticAreaFactory(code="neuroscience", name="Neuroscience")
    IntakeFactory(title="Oncology ask", requester=executive, therapeutic_area=onc)
    IntakeFactory(title="Neuro ask", requester=executive, therapeutic_area=neuro)
    IntakeFactory(title="Someone else's", requester=lead, therapeutic_area=onc)
    wb = download(api, executive, therapeutic_area="oncology")
    front = list(wb["Front door"].iter_rows(values_only=True))
    assert [row[0] for row in front[1:]] == ["Oncology ask"]
    assert isinstance(front[1][6], bool)
    assert wb["Front door"].oddHeader.left.text == "Filtered by Therapeutic area"
    pipeline = list(wb["Pipeline"].iter_rows(values_only=True))
    assert pipeline[-1][:2] == ("Total", 2)  # counted: every open request not confidential
    demand = wb["Demand"]
    header = [c.value for c in next(demand.iter_rows(max_row=1))]
    assert header[0] == "Service"
    for row in demand.iter_rows(min_row=2):
        assert row[2].number_format == "#,##0.0"
    for ws in (wb["Front door"], wb["Pipeline"], wb["Demand"]):
        width = len(next(ws.iter_rows(max_row=1, values_only=True)))
        assert all(len(row) == width for row in ws.iter_rows(values_only=True))


def test_service_names_not_codes(api, executive):
    from resourcing.models import Service

    Service.objects.update_or_create(code="qa-agreements", defaults={"name": "Quality agreements"})
    services_listed = [
        row[0] for row in download(api, executive)["Demand"].iter_rows(min_row=2, values_only=True)
    ]
    assert "Quality agreements" in services_listed and "qa-agreements" not in services_listed


# Rendered by LibreOffice -------------------------------------------------------------------

PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def pdf_pages(xlsx: Path) -> int:
    """Convert with LibreOffice headless (a profile of its own) and count the PDF's pages."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice is needed to check the printed workbook: "
            "apt-get install libreoffice-calc-nogui"
        )
    profile = xlsx.parent / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "pdf", "--outdir", str(xlsx.parent), str(xlsx)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return len(PAGE.findall(xlsx.with_suffix(".pdf").read_bytes()))


def test_libreoffice_prints_the_summary_on_one_page_and_the_demo_in_few(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    head = get_user_model().objects.get(username="head")
    query = PortfolioQuery(user=head, params=QueryDict())
    summary = tmp_path / "summary.xlsx"
    wb = Workbook(write_only=True)
    counts = render.write_summary(wb, query)
    render.finish_workbook(wb, query, counts)
    wb.save(summary)
    assert pdf_pages(summary) == 1
    whole = tmp_path / "portfolio.xlsx"
    rows = portfolio_workbook_build(PortfolioQuery(user=head, params=QueryDict()), out=whole)
    assert rows > 20
    pages = pdf_pages(whole)
    assert len(load_workbook(whole).sheetnames) <= pages <= DEMO_PAGES, pages
