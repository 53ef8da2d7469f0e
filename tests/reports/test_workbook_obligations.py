"""The workbook's Obligations sheet and the Summary's Money section: the rows, their order,
cell types and formats, the workbook's filters, confidential alliances (masked rows that name
nothing; never in the money) and a query count that does not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from alliances.calendar import today
from alliances.choices import Role
from reports.portfolio.obligations import quarter_label, quarter_starts
from tests.alliances.factories import (
    AllianceFactory,
    MembershipFactory,
    PartnerFactory,
    TherapeuticAreaFactory,
    UserFactory,
)
from tests.governance.factories import AgreementFactory, ObligationFactory
from tests.reports.test_workbook import URL, all_text, download

pytestmark = pytest.mark.django_db

HEADER = (
    "Code", "Name", "Confidential", "Agreement", "Kind", "Direction", "Obligation", "Due date",
    "Days overdue", "Amount", "Currency", "Owner", "Status",
)  # fmt: skip
MONEY_HEADER = (
    "Quarter", "Currency", "In: due", "In: met", "Out: due", "Out: met", "Joint: due",
    "Joint: met",
)  # fmt: skip


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def owe(alliance, agreement=None, **fields):
    agreement = agreement or AgreementFactory(alliance=alliance)
    return ObligationFactory(agreement=agreement, **fields)


def sheet(wb) -> list[dict]:
    rows = list(wb["Obligations"].iter_rows(values_only=True))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, row, strict=False)) for row in rows[1:]]


def money(wb) -> list[tuple]:
    """The Money section's rows, up to the blank row after it."""
    rows = list(wb["Summary"].iter_rows(values_only=True))
    start = [row[: len(MONEY_HEADER)] for row in rows].index(MONEY_HEADER) + 1
    section = []
    for row in rows[start:]:
        if not any(value is not None for value in row[: len(MONEY_HEADER)]):
            break
        section.append(row[: len(MONEY_HEADER)])
    return section


@pytest.fixture
def book(head, lead):
    onc = TherapeuticAreaFactory(code="oncology", name="Oncology")
    neuro = TherapeuticAreaFactory(code="neuroscience", name="Neuroscience")
    member = UserFactory(username="member", first_name="Mona", last_name="Member")
    lead.first_name, lead.last_name = "Lena", "Lead"
    lead.save()
    borealis = AllianceFactory(
        code="ALL-0001", name="BOREALIS", stage="development", therapeutic_area=onc, lead=lead
    )
    kestrel = AllianceFactory(
        code="ALL-0002", name="KESTREL", stage="commercial", therapeutic_area=neuro
    )
    secret = AllianceFactory(
        code="ALL-0003", name="NIGHTJAR", stage="development", therapeutic_area=neuro,
        confidential=True, lead=head, partner=PartnerFactory(name="Hidden Partner"),
    )  # fmt: skip
    MembershipFactory(alliance=secret, user=member)
    licence = AgreementFactory(alliance=borealis, title="Licence and collaboration")
    o = {
        "late": owe(borealis, licence, title="Phase 2 milestone", due_date=days(-10),
                    amount="1000000.00", currency="USD", owner=lead),
        "disputed": owe(borealis, licence, title="Q3 royalty", kind="royalty",
                        direction="outgoing", due_date=days(-3), amount="250000.50",
                        currency="EUR", status="disputed", status_reason="Wrong sales base"),
        "report": owe(kestrel, title="Annual report", kind="report", direction="outgoing",
                      due_date=days(5), amount=None, currency=""),
        "secret": owe(secret, AgreementFactory(alliance=secret, title="Secret agreement"),
                      title="Secret milestone", due_date=days(20), amount="7777777.00",
                      currency="CHF", owner=member),
        "upcoming": owe(borealis, licence, title="Tech transfer", kind="delivery",
                        direction="joint", status="upcoming", due_date=days(40), amount=None,
                        currency=""),
    }  # fmt: skip
    # Not listed: too far, met, waived, waiting on its trigger.
    owe(borealis, licence, title="Far away", due_date=days(91), kind="audit", amount=None,
        currency="")  # fmt: skip
    owe(borealis, licence, title="Paid already", due_date=days(5), status="met", met_on=today())
    owe(borealis, licence, title="Let go", due_date=days(-5), status="waived", status_reason="x")
    owe(borealis, licence, title="On first dosing", status="upcoming", due_date=None)
    return {"borealis": borealis, "nightjar": secret, "member": member, **o}


def test_rows_order_types_and_formats(api, executive, book):
    wb = download(api, executive)
    rows = sheet(wb)
    assert [r["Obligation"] for r in rows] == [
        "Phase 2 milestone", "Q3 royalty", "Annual report", None, "Tech transfer",
    ]  # fmt: skip
    late, disputed, report, _, upcoming = rows
    assert late == {
        "Code": "ALL-0001",
        "Name": "BOREALIS",
        "Confidential": False,
        "Agreement": "Licence and collaboration",
        "Kind": "Milestone payment",
        "Direction": "Incoming (the partner owes us)",
        "Obligation": "Phase 2 milestone",
        "Due date": datetime.datetime.combine(days(-10), datetime.time()),
        "Days overdue": 10,
        "Amount": 1000000.0,
        "Currency": "USD",
        "Owner": "Lena Lead",
        "Status": "Due",
    }
    assert (disputed["Days overdue"], disputed["Status"], disputed["Kind"]) == (
        3, "Disputed", "Royalty",
    )  # fmt: skip
    assert disputed["Direction"] == "Outgoing (we owe)" and disputed["Amount"] == 250000.5
    assert report["Days overdue"] is None and report["Amount"] is None
    assert report["Currency"] is None and report["Owner"] is None
    assert (upcoming["Status"], upcoming["Direction"]) == ("Upcoming", "Joint")

    cells = list(wb["Obligations"].iter_rows(min_row=2))
    by_header = dict(zip(HEADER, cells[0], strict=True))
    assert by_header["Due date"].is_date
    assert by_header["Due date"].number_format == "d mmm yyyy"
    assert by_header["Confidential"].data_type == "b"
    assert by_header["Days overdue"].data_type == "n"
    assert by_header["Amount"].data_type == "n"
    assert by_header["Amount"].number_format == '#,##0 "USD"'
    assert dict(zip(HEADER, cells[1], strict=True))["Amount"].number_format == '#,##0 "EUR"'
    ws = wb["Obligations"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:M6"
    dictionary = [row[:2] for row in wb["Data dictionary"].iter_rows(values_only=True)]
    assert ("Obligations", "Days overdue") in dictionary
    assert ("Summary", "Money: In: due") in dictionary


def test_a_confidential_alliance_is_a_masked_row_that_names_nothing(api, executive, lead2, book):
    for reader in (executive, lead2):
        wb = download(api, reader)
        (masked,) = [r for r in sheet(wb) if r["Code"] == "Confidential"]
        assert masked == {
            "Code": "Confidential",
            "Name": "Confidential",
            "Confidential": True,
            "Agreement": None,
            "Kind": "Milestone payment",
            "Direction": "Incoming (the partner owes us)",
            "Obligation": None,
            "Due date": datetime.datetime.combine(days(20), datetime.time()),
            "Days overdue": None,
            "Amount": None,
            "Currency": None,
            "Owner": None,
            "Status": "Due",
        }
        text = all_text(wb)
        for secret in ("NIGHTJAR", "Secret milestone", "Secret agreement", "Mona", "CHF"):
            assert secret not in text
        assert "7777777" not in text


def test_the_head_and_the_team_see_it_in_full(api, head, book):
    member = book["member"]
    member.groups.add(Group.objects.get(name=Role.EXECUTIVE))
    for reader in (head, member):
        rows = sheet(download(api, reader))
        (secret,) = [r for r in rows if r["Name"] == "NIGHTJAR"]
        assert (secret["Obligation"], secret["Agreement"]) == (
            "Secret milestone", "Secret agreement",
        )  # fmt: skip
        assert (secret["Amount"], secret["Currency"], secret["Owner"]) == (
            7777777.0, "CHF", "Mona Member",
        )  # fmt: skip
        assert "Confidential" not in {r["Code"] for r in rows}


def test_the_workbook_filters_apply(api, lead, book):
    def names(**params):
        return [r["Name"] for r in sheet(download(api, lead, **params))]

    assert names(stage="development") == [
        "BOREALIS", "BOREALIS", "Confidential", "BOREALIS",
    ]  # fmt: skip
    assert names(therapeutic_area="neuroscience") == ["KESTREL", "Confidential"]
    assert names(search="KESTREL") == ["KESTREL"]  # a search leaves masked rows out
    assert names(confidential="true") == ["Confidential"]
    assert names(lead=str(lead.pk)) == ["BOREALIS"] * 3


def test_user_text_stays_text(api, lead):
    alliance = AllianceFactory(name="=1+1", lead=lead)
    agreement = AgreementFactory(alliance=alliance, title='=HYPERLINK("http://x","y")')
    owe(alliance, agreement, title="=SUM(A1:A9)\x07", due_date=days(3))
    rows = list(download(api, lead)["Obligations"].iter_rows(min_row=2))
    (row,) = rows
    for c in row:
        assert c.data_type not in ("f", "e"), c.coordinate
    assert [row[1].value, row[3].value, row[6].value] == [
        "=1+1", "=HYPERLINK(\"http://x\",\"y\")", "=SUM(A1:A9)",
    ]  # fmt: skip


def test_money_per_quarter_and_currency_never_summed_across_currencies(api, lead, head, book):
    # book: USD 1,000,000 incoming overdue; EUR 250,000.50 outgoing overdue (disputed);
    # USD 5,000,000 incoming met today ("Paid already") and 5,000,000 waiting on a trigger;
    # CHF 7,777,777 incoming on the confidential alliance (only in its team's figures).
    borealis = book["borealis"]
    edges = quarter_starts(today())
    this, following = quarter_label(edges[0]), quarter_label(edges[1])
    later = edges[1] + datetime.timedelta(days=10)
    owe(borealis, amount="300.00", currency="USD", due_date=today())
    owe(borealis, amount="200.00", currency="USD", due_date=today(), kind="upfront")
    owe(borealis, amount="50.00", currency="USD", status="met", met_on=today(),
        due_date=today())  # fmt: skip
    owe(borealis, amount="1000.00", currency="EUR", direction="outgoing", kind="cost_share",
        due_date=later)  # fmt: skip
    owe(borealis, amount="70.00", currency="EUR", direction="joint", kind="cost_share",
        due_date=later)  # fmt: skip
    owe(borealis, amount="9000", currency="JPY", direction="outgoing", kind="invoice",
        status="upcoming", due_date=later)  # fmt: skip
    owe(borealis, amount="123.00", currency="USD", due_date=edges[-1])  # beyond four quarters
    owe(borealis, amount="5.00", currency="USD", status="waived", status_reason="x",
        due_date=today())  # fmt: skip
    owe(borealis, kind="report", amount="99.00", currency="USD", due_date=today())  # no money

    rows = money(download(api, lead))
    assert rows == [
        (this, "USD", 500.0, 5000050.0, None, None, None, None),
        (following, "EUR", None, None, 1000.0, None, 70.0, None),
        (quarter_label(edges[2]), "none", None, None, None, None, None, None),
        (quarter_label(edges[3]), "none", None, None, None, None, None, None),
        ("Overdue", "EUR", None, None, 250000.5, None, None, None),
        ("Overdue", "USD", 1000000.0, None, None, None, None, None),
        ("Waiting on a trigger", "JPY", None, None, 9000.0, None, None, None),
        ("Waiting on a trigger", "USD", 5000000.0, None, None, None, None, None),
    ]
    summary = list(download(api, lead)["Summary"].iter_rows())
    usd = next(row for row in summary if row[0].value == this and row[1].value == "USD")
    assert usd[2].number_format == '#,##0 "USD"' and usd[2].data_type == "n"

    # The confidential alliance's money counts only for those who see it.
    owe(book["nightjar"], amount="10.00", currency="USD", due_date=today())
    assert money(download(api, lead))[0] == (this, "USD", 500.0, 5000050.0, None, None, None, None)
    usd = next(row for row in money(download(api, head)) if row[:2] == (this, "USD"))
    assert usd == (this, "USD", 510.0, 5000050.0, None, None, None, None)
    # The filters apply to the money too.
    assert money(download(api, lead, stage="commercial"))[0] == (
        this, "none", None, None, None, None, None, None,
    )  # fmt: skip


def test_money_is_summed_exactly(api, lead):
    alliance = AllianceFactory(lead=lead)
    for _ in range(3):
        owe(alliance, amount="0.10", currency="GBP", due_date=today())
    from django.http import QueryDict

    from reports.portfolio.obligations import money_totals
    from reports.portfolio.params import PortfolioQuery

    totals = money_totals(PortfolioQuery(user=lead, params=QueryDict()), day=today())
    assert totals == {(0, "GBP", "incoming", False): Decimal("0.30")}


def test_query_count_does_not_grow_with_the_obligations(lead):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.alliances.test_query_counts import token_client

    client = token_client(lead)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
            b"".join(response.streaming_content)
        return len(captured)

    owe(AllianceFactory(lead=lead), due_date=days(3))
    few = count()
    for n in range(12):
        alliance = AllianceFactory(confidential=n % 3 == 0)
        agreement = AgreementFactory(alliance=alliance)
        owe(alliance, agreement, due_date=days(n * 7 - 30), owner=UserFactory())
        owe(alliance, agreement, due_date=days(n), status="met", met_on=today())
        owe(alliance, agreement, currency="EUR", direction="outgoing", due_date=days(100 + n))
    assert count() == few
