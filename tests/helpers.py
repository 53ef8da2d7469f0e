"""Assertions and dates the tests share."""

import datetime

from alliances.calendar import today


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    """Assert `response` is the API's documented error and return its JSON body.

    A 409 is a refused domain rule, `{code, detail}`: its `code` must be given and match, and
    `detail` must say something. A 400 is `{field: [messages]}`: with `field`, that field
    carries at least one message. (In the spirit of Zulip's assert_json_error.)"""
    content = response.content[:1000]
    got = response.status_code
    assert got == status, f"expected {status}, got {got}: {content}"
    assert response["Content-Type"].startswith("application/json"), content
    body = response.json()
    if status == 409:
        assert code is not None, "a test that expects a 409 names the code it expects"
    if code is not None:
        assert body.get("code") == code, f"expected code {code!r}: {body}"
        assert body.get("detail"), f"a {status} {code!r} says why: {body}"
    if field is not None:
        assert isinstance(body, dict) and body.get(field), f"expected an error on {field!r}: {body}"
    return body


def monday_ahead(weeks: int = 4) -> datetime.date:
    """The first Monday at least `weeks` weeks after the test clock's today (in the portfolio's
    time zone), for plans that must lie in the future whatever the date."""
    day = today() + datetime.timedelta(weeks=weeks)
    return day + datetime.timedelta(days=-day.weekday() % 7)
