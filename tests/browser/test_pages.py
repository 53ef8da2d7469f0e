"""Every main page, per role: axe-core finds no critical or serious WCAG 2.1 A/AA violation,
and the main lists fit the window (1366 px; "My work" and a task's page at 390 px)."""

import re

import pytest

from .conftest import (
    NARROW,
    WIDE,
    axe_violations,
    describe_violations,
    horizontal_overflow,
    open_page,
    sign_in,
    url,
)

pytestmark = pytest.mark.browser


def first_link(page, list_name: str, pattern: str, query: str = "") -> str:
    """The first object's page from a list: the first link whose address matches."""
    open_page(page, url(list_name) + query)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = [href for href in hrefs if re.search(pattern, href)]
    assert found, f"no link matching {pattern!r} on {url(list_name)}{query}"
    return found[0]


# (user, page, how to reach it): a URL name, or (list's URL name, the first link's pattern).
ALLIANCE = r"/alliances/alliance/\d+/change/$"
TASK = r"/resourcing/task/\d+/change/$"
PAGES = [
    ("head", "home", "admin:index"),
    ("lead", "home", "admin:index"),
    ("specialist", "home", "admin:index"),
    ("executive", "home", "admin:index"),
    ("requester", "home", "admin:index"),
    ("lead", "alliance list", "admin:alliances_alliance_changelist"),
    ("lead", "alliance page", ("admin:alliances_alliance_changelist", ALLIANCE)),
    ("lead", "intake list", "admin:resourcing_intakerequest_changelist"),
    (
        "lead",
        "triage page",
        ("admin:resourcing_intakerequest_changelist", r"/\d+/triage/$", "?status=triage"),
    ),
    ("specialist", "task queue", "admin:resourcing_task_changelist"),
    ("specialist", "task page", ("admin:resourcing_task_changelist", TASK)),
    ("lead", "obligations", "admin:governance_obligation_changelist"),
    ("lead", "meetings", "admin:governance_meeting_changelist"),
    ("requester", "raise a request", "admin:portal_raise"),
    ("requester", "my requests", "admin:portal_requests"),
    ("requester", "a request", ("admin:portal_requests", r"/mine/\d+/$")),
    ("executive", "download", "admin:download_portfolio"),
    ("executive", "portfolio", "admin:alliances_alliance_changelist"),
    ("lead", "capacity", "admin:capacity"),
    ("specialist", "calendar", "admin:calendar"),
]


def reach(page, how) -> str:
    path = first_link(page, *how) if isinstance(how, tuple) else url(how)
    open_page(page, path)
    return path


@pytest.mark.parametrize(
    ("user", "how"),
    [(user, how) for user, _, how in PAGES],
    ids=[f"{user}-{name.replace(' ', '-')}" for user, name, _ in PAGES],
)
def test_no_serious_accessibility_violation(page, shot, user, how):
    sign_in(page, user)
    path = reach(page, how)
    shot("page")
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core on {path} as {user}: {len(violations)} critical or serious WCAG 2.1 AA "
        f"violation(s)\n{describe_violations(violations)}"
    )


def test_the_accessibility_check_finds_an_unlabelled_control(page):
    """The check itself: an unlabelled text box is a critical violation it reports."""
    page.set_content(
        '<html lang="en"><head><title>Form</title></head><body><main>'
        '<input type="text" name="reason"></main></body></html>'
    )
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["label"], describe_violations(violations)
    assert '<input type="text" name="reason">' in describe_violations(violations)


def test_the_width_check_finds_a_table_scrolling_in_its_box(page):
    page.set_viewport_size(WIDE)
    page.set_content(
        '<html lang="en"><body><div id="wrapper" style="overflow-x: auto; width: 600px">'
        '<table><tr><td style="min-width: 900px">Key column</td></tr></table></div></body></html>'
    )
    found = horizontal_overflow(page)
    assert len(found) == 1 and found[0].startswith("#wrapper: "), found


WIDE_LISTS = [
    ("lead", "admin:alliances_alliance_changelist"),
    ("lead", "admin:resourcing_intakerequest_changelist"),
    ("lead", "admin:resourcing_task_changelist"),
    ("specialist", "admin:resourcing_task_changelist"),
    ("lead", "admin:governance_obligation_changelist"),
]


@pytest.mark.parametrize(
    ("user", "name"), WIDE_LISTS, ids=[f"{u}-{n.split(':')[1]}" for u, n in WIDE_LISTS]
)
def test_main_lists_fit_1366_px(page, shot, user, name):
    page.set_viewport_size(WIDE)
    sign_in(page, user)
    open_page(page, url(name))
    shot("list")
    overflow = horizontal_overflow(page)
    assert not overflow, f"{url(name)} as {user} scrolls sideways at 1366 px: {overflow}"


NARROW_PAGES = [
    ("my work", "admin:resourcing_task_changelist"),
    ("task page", ("admin:resourcing_task_changelist", TASK)),
]


@pytest.mark.parametrize(
    "how", [how for _, how in NARROW_PAGES], ids=[n.replace(" ", "-") for n, _ in NARROW_PAGES]
)
def test_my_work_and_a_task_fit_390_px(page, shot, how):
    page.set_viewport_size(NARROW)
    sign_in(page, "specialist")
    path = reach(page, how)
    shot("page")
    overflow = horizontal_overflow(page)
    assert not overflow, f"{path} scrolls sideways at 390 px: {overflow}"
