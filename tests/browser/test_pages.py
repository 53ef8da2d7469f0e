"""Every main page, per role: axe-core finds no critical or serious WCAG 2.1 A/AA violation,
and the main lists fit the window (1366 px; "My work" and a task's page at 390 px)."""

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


def first_link(page, list_name: str, selector: str) -> str:
    """The first object's page from a list: its link's address."""
    open_page(page, url(list_name))
    link = page.locator(selector).first
    href = link.get_attribute("href", timeout=10_000)
    assert href, f"no link {selector!r} on {url(list_name)}"
    return href


# (user, page, how to reach it): a URL name, or (list's URL name, CSS of the first link).
ROW_LINK = "#result_list tbody tr a[href*='/change/'], #result_list tbody tr th a"
PAGES = [
    ("head", "home", "admin:index"),
    ("lead", "home", "admin:index"),
    ("specialist", "home", "admin:index"),
    ("executive", "home", "admin:index"),
    ("requester", "home", "admin:index"),
    ("lead", "alliance list", "admin:alliances_alliance_changelist"),
    ("lead", "alliance page", ("admin:alliances_alliance_changelist", ROW_LINK)),
    ("lead", "intake list", "admin:resourcing_intakerequest_changelist"),
    ("lead", "triage page", ("admin:resourcing_intakerequest_changelist", "a[href$='/triage/']")),
    ("specialist", "task queue", "admin:resourcing_task_changelist"),
    ("specialist", "task page", ("admin:resourcing_task_changelist", "#result_list tbody a")),
    ("lead", "obligations", "admin:governance_obligation_changelist"),
    ("lead", "meetings", "admin:governance_meeting_changelist"),
    ("requester", "raise a request", "admin:portal_raise"),
    ("requester", "my requests", "admin:portal_requests"),
    ("requester", "a request", ("admin:portal_requests", "main a[href*='/mine/']")),
    ("executive", "download", "admin:download_portfolio"),
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
    assert overflow <= 0, f"{url(name)} as {user} scrolls {overflow} px sideways at 1366 px"


NARROW_PAGES = [
    ("my work", "admin:resourcing_task_changelist"),
    ("task page", ("admin:resourcing_task_changelist", "#result_list tbody a")),
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
    assert overflow <= 0, f"{path} scrolls {overflow} px sideways at 390 px"
