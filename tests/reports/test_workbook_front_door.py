"""The workbook's front door lists only the requests the API lists to the reader; its figures
count what the reader may count (an executive: the whole non-confidential pipeline)."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.resourcing.factories import IntakeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/portfolio.xlsx"


def workbook(api, user):
    response = api(user).get(URL)
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def all_text(wb) -> str:
    return "\n".join(
        str(value) for ws in wb for row in ws.iter_rows(values_only=True) for value in row if value
    )


def pipeline_counts(wb) -> dict[str, tuple[int, int]]:
    """{status label or "Total": (requests, overdue)} from the Pipeline sheet: one table."""
    rows = list(wb["Pipeline"].iter_rows(values_only=True))
    assert rows[0] == ("Status", "Requests", "Overdue")
    return {row[0]: (row[1], row[2]) for row in rows[1:]}


@pytest.fixture
def pipeline(executive, lead, head):
    day = timezone.localdate()
    late = day - datetime.timedelta(days=2)
    return {
        "own": IntakeFactory(title="Executive's own ask", requester=executive),
        "others": IntakeFactory(title="A lead's ask", requester=lead, status="triage"),
        "late": IntakeFactory(title="Late ask", requester=lead, sla_due=late),
        "info": IntakeFactory(title="Waiting ask", requester=lead, status="needs_info"),
        "secret": IntakeFactory(
            title="Confidential ask", requester=head, confidential=True, sla_due=late
        ),
        "decided": IntakeFactory(title="Declined ask", requester=lead, status="declined"),
    }


def test_an_executive_is_listed_only_what_the_api_lists_but_counts_the_pipeline(
    api, executive, pipeline
):
    listed = api(executive).get("/api/v1/intake-requests/", {"page_size": 500}).json()
    api_titles = {row["title"] for row in listed["results"]}
    assert api_titles == {"Executive's own ask"}
    wb = workbook(api, executive)
    hidden = {intake.title for intake in pipeline.values()} - api_titles
    text = all_text(wb)
    assert not [title for title in hidden if title in text]
    listed_in_sheet = {row[0] for row in wb["Front door"].iter_rows(min_row=2, values_only=True)}
    assert "Executive's own ask" in listed_in_sheet
    # Counted: every open request that is not confidential, listed or not.
    assert pipeline_counts(wb) == {
        "Submitted": (2, 1),
        "In triage": (1, 0),
        "Needs information": (1, 0),
        "Total": (4, 1),
    }


def test_the_head_counts_confidential_requests_too(api, head, pipeline):
    counts = pipeline_counts(workbook(api, head))
    assert counts["Total"] == (5, 2)
    assert counts["Submitted"] == (3, 2)
