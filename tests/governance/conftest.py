"""Governance tests name meeting dates around the default test clock (daylight-saving changes,
month ends in 2027), so they run on that clock, frozen at its start, whatever --clock says."""

import pytest
import time_machine

from tests.conftest import DEFAULT_CLOCK, clock_start


@pytest.fixture(autouse=True)
def governance_clock():
    with time_machine.travel(clock_start(DEFAULT_CLOCK, 0), tick=True):
        yield
