"""Each role's journey through the web screens, in Chromium, on the demo data.

The server runs on the real clock and the tests share its database, so they assert what the
user sees (labels, states, messages), never dates, and each picks its own objects."""

import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from .conftest import api_call, api_token, assert_accessible, sign_in, url

pytestmark = pytest.mark.browser


def sidebar_link(page, name: str):
    """A link of the sidebar by its words (its icon's name, read out before them, aside)."""
    label = re.compile(rf"(^|\s){re.escape(name)}$")
    return page.locator("#nav-sidebar-inner").get_by_role("link", name=label).first


def test_sign_in_from_the_sign_in_page_lands_on_home(page, shot):
    """A bookmarked sign-in page, with no page to return to, lands on the user's home."""
    page.goto(url("admin:login"))
    shot("sign-in")
    page.get_by_label("Username").fill("requester")
    page.get_by_label("Password").fill("requester-demo-2026")
    page.get_by_role("button", name=re.compile(r"log in|sign in", re.I)).click()
    page.wait_for_load_state()
    shot("after-sign-in")
    assert page.url.endswith(url("admin:index")), f"signed in, then at {page.url}"


def test_requester_raises_a_request_and_answers_a_question(page, shot, base_url):
    title = f"Licensing the KX-{int(time.time()) % 100000} antibody"
    sign_in(page, "requester")
    shot("home")
    sidebar_link(page, "Raise a request").click()
    expect(page).to_have_url(re.compile(re.escape(url("admin:portal_raise")) + "$"))

    # Sent empty: every error beside its field.
    page.get_by_role("button", name="Raise the request").click()
    shot("errors")
    assert_accessible(page, "the request form with its errors")
    expect(page.get_by_text("Tick at least one kind of help.")).to_be_visible()

    page.get_by_label("Name of the partnership").fill(title)
    page.get_by_label("Or a new partner's name").fill("Kestrel Antibodies Ltd")
    page.get_by_label("Therapeutic area").select_option(label="Oncology")
    page.get_by_label("Kind of deal").select_option(label="Licensing")
    page.get_by_label("Direction").select_option(label="In-licensed")
    page.get_by_label("What is it about?").fill("An antibody for a solid tumour; phase 1 ready.")
    page.locator("#id_differentiating").get_by_label("Yes").check()
    page.locator("#id_mission_critical").get_by_label("No").check()
    page.get_by_label("How complex will it be to run?").select_option(label="Medium")
    page.get_by_label("Estimated value").fill("2500000")
    page.get_by_label("Currency of the value").fill("usd")
    # (A checkbox's name starts with unfold's tick glyph, "check_small".)
    page.get_by_role("checkbox", name=re.compile(r"\bAlliance start-up$")).check()
    page.get_by_label("When should the work start?").fill("2030-01-15")
    shot("filled")
    page.get_by_role("button", name="Raise the request").click()
    expect(page.get_by_text("Request raised")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    request_path = page.url.removeprefix(base_url)
    intake_id = int(re.search(r"/(\d+)/?$", request_path).group(1))
    shot("raised")

    # A lead takes it into triage and asks a question (through the API).
    token = api_token(base_url, "lead")
    api_call(base_url, token, "POST", f"/api/v1/intake-requests/{intake_id}/triage/", {})
    question = f"For {title}: which indication comes first, and is the CMC package ready?"
    api_call(
        base_url,
        token,
        "POST",
        f"/api/v1/intake-requests/{intake_id}/request-info/",
        {"question": question},
    )

    sidebar_link(page, "My requests").click()
    expect(page.get_by_text(question)).to_be_visible()
    shot("question-waiting")
    mine = page.locator(f"[href*='{url('admin:portal_request', intake_id)}']")
    page.get_by_role("link", name="Answer it").and_(mine).click()
    expect(page.get_by_text(question)).to_be_visible()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Write your answer before sending it.")).to_be_visible()
    shot("answer-missing")
    assert_accessible(page, "the request's page with a missing answer")
    page.get_by_label("Your answer").fill("Non-small-cell lung cancer first; CMC is ready.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Non-small-cell lung cancer first; CMC is ready.")).to_be_visible()
    expect(page.get_by_role("button", name="Send the answer")).to_have_count(0)
    shot("answered")


def test_lead_triages_overrides_with_a_reason_and_lands_on_the_next_request(page, shot):
    sign_in(page, "lead")
    sidebar_link(page, "Front door").click()
    expect(page).to_have_url(
        re.compile(re.escape(url("admin:resourcing_intakerequest_changelist")))
    )
    shot("front-door")

    # The first request waiting for triage (taken into triage if it was only submitted).
    page.get_by_role("link", name="Triage", exact=True).first.click()
    page.wait_for_url(re.compile(r"/triage/$"))
    start = page.get_by_role("button", name="Start triage")
    accept = page.get_by_role("button", name="Accept")
    expect(start.or_(accept)).to_be_visible()
    if start.is_visible():
        start.click()
    expect(accept).to_be_visible()
    triage_url = page.url
    shot("triage")

    # Choose someone else for the first requested service, without saying why.
    override = page.get_by_label(re.compile(r"instead of|override|choose someone", re.I)).first
    options = override.locator("option")
    expect(options.nth(1)).to_be_attached()
    chosen = options.nth(options.count() - 1).get_attribute("value")
    override.select_option(chosen)
    page.get_by_role("button", name="Accept").click()
    shot("reason-missing")
    assert_accessible(page, "the triage page with a missing reason")
    assert page.url == triage_url, "an override without its reason was accepted"
    # The error is beside the reason's field (in its block), and the choice is kept.
    reason = page.get_by_label("Why someone else for").first
    expect(reason).to_have_attribute("aria-invalid", "true")
    field = reason.locator("xpath=ancestor::div[contains(@class, 'group')][1]")
    expect(field).to_contain_text(re.compile(r"say why", re.I))
    override = page.get_by_label(re.compile(r"instead of|override|choose someone", re.I)).first
    expect(override).to_have_value(chosen)

    reason.fill("Worked with this partner on the last licence; knows their CMC team.")
    page.get_by_role("button", name="Accept").click()
    shot("accepted")
    expect(page.get_by_text(re.compile(r"Accepted as", re.I)).first).to_be_visible()
    # Straight on to the next request in the queue.
    assert page.url != triage_url
    assert re.search(r"/intakerequest/\d+/", page.url), f"after accept, at {page.url}"
    expect(page.get_by_role("button", name=re.compile(r"Accept|Start triage"))).to_be_visible()
    shot("next-request")


def _my_work(page):
    sidebar_link(page, "My work").click()
    expect(page.get_by_role("heading", name="My work").first).to_be_visible()


def test_specialist_starts_blocks_and_completes_from_the_task_page_and_the_queue(page, shot):
    sign_in(page, "specialist")
    _my_work(page)
    shot("my-work")

    # On a task's page: start, block with a reason (asked for first), complete.
    row = page.get_by_role("row").filter(has=page.get_by_role("button", name="Start"))
    title = row.first.get_by_role("link").first.inner_text()
    row.first.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title).first).to_be_visible()
    shot("task-page")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_text(f"Started: {title}")).to_be_visible()
    expect(page.get_by_text("In progress").first).to_be_visible()
    shot("started")
    page.get_by_role("link", name=re.compile(r"^Block")).click()
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    shot("block-reason-missing")
    assert_accessible(page, "the block form with a missing reason")
    page.get_by_label("Reason").fill("Waiting for the partner's signed CDA.")
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_text(f"Blocked: {title}")).to_be_visible()
    expect(page.get_by_text("Waiting for the partner's signed CDA.").first).to_be_visible()
    shot("blocked")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_text(f"Completed: {title}")).to_be_visible()
    expect(page.get_by_text("Done").first).to_be_visible()
    shot("completed")

    # From the queue: start on the row, block (with a reason) and complete.
    _my_work(page)
    row = page.get_by_role("row").filter(has=page.get_by_role("button", name="Start")).first
    title = row.get_by_role("link").first.inner_text()
    row.get_by_role("button", name="Start").click()
    expect(page.get_by_text(f"Started: {title}")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(row.get_by_text("In progress")).to_be_visible()
    shot("queue-started")
    row.get_by_role("checkbox").check()
    actions = page.get_by_role("combobox").filter(has_text="Select action")
    actions.select_option(label="Block selected tasks (asks for a reason)")
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Reason").fill("The partner's steering committee has not met.")
    page.get_by_role("button", name=re.compile(r"^Block", re.I)).first.click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(row).to_contain_text("The partner's steering committee has not met.")
    shot("queue-blocked")
    row.get_by_role("button", name="Complete").click()
    expect(page.get_by_text(f"Completed: {title}")).to_be_visible()
    shot("queue-completed")


def test_executive_filters_and_downloads_the_portfolio(page, shot):
    sign_in(page, "executive")
    shot("home")
    sidebar_link(page, "Download").click()
    expect(page).to_have_url(re.compile(re.escape(url("admin:download_portfolio"))))
    page.get_by_label("Latest RAG").select_option(label="Red")
    shot("filtered")
    page.get_by_role("button", name=re.compile(r"make the workbook|download", re.I)).click()
    # The job page refreshes itself until the worker has made the file.
    link = page.get_by_role("link", name=re.compile(r"Download the workbook", re.I))
    expect(link).to_be_visible(timeout=90_000)
    shot("ready")
    assert_accessible(page, "the workbook's job page")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert "Summary" in workbook.sheetnames, workbook.sheetnames
    # The filter chosen on the page is the workbook's.
    filters = [
        row[1]
        for row in workbook["Summary"].iter_rows(max_row=20, max_col=2, values_only=True)
        if row[0] == "Filters"
    ]
    assert filters and "Red" in str(filters[0]), filters


def test_head_moves_an_alliance_stage_with_its_buttons(page, shot):
    sign_in(page, "head")
    sidebar_link(page, "Alliances").click()
    expect(page).to_have_url(re.compile(re.escape(url("admin:alliances_alliance_changelist"))))
    shot("alliances")
    page.locator("#result_list tbody tr").first.get_by_role("link").first.click()
    shot("alliance")
    # The first move its page offers: forward if any, else back (which asks why).
    forward = page.get_by_role("link", name=re.compile(r"^Move to ", re.I))
    back = page.get_by_role("link", name=re.compile(r"^Move back to ", re.I))
    expect(forward.or_(back).first).to_be_visible()
    move = forward.first if forward.count() else back.first
    stage = re.sub(r"(?i)^move (back )?to\s+", "", move.inner_text().strip())
    move.click()
    confirm = page.get_by_role("button", name=f"Move to {stage}")
    expect(confirm).to_be_visible()
    shot("confirm")
    assert_accessible(page, "the move's page")
    note = page.get_by_role("textbox")
    if note.count():
        note.first.fill("The steering committee agreed the move.")
    confirm.click()
    expect(
        page.get_by_text(re.compile(rf"stage moved from .+ to {re.escape(stage)}"))
    ).to_be_visible()
    shot("moved")
    # Only legal moves are offered: not the one just made.
    expect(page.get_by_role("link", name=re.compile(rf"^Move (back )?to {stage}$"))).to_have_count(
        0
    )
