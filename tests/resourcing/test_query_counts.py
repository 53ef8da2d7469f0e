import pytest

from tests.alliances.test_query_counts import queries, token_client
from tests.resourcing.factories import (
    IntakeFactory,
    LeaveFactory,
    SpecialistFactory,
    TaskFactory,
    TaskTemplateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(lead, requester):
    for n in range(12):
        IntakeFactory(services=["startup", "reporting"], requester=lead if n % 2 else requester)
        person = SpecialistFactory(services=["startup", "reporting"], areas=["oncology"])
        LeaveFactory(specialist=person)
        TaskFactory.create_batch(2, assignee=person.user)
        TaskTemplateFactory()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # token, roles, count, page, requested services
        ("/api/v1/intake-requests/", 5),
        # token, roles, count, page (with open-task counts), services, areas, leave
        ("/api/v1/specialists/", 7),
        # token, count, page, playbooks
        ("/api/v1/services/", 4),
    ],
)
@pytest.mark.parametrize("role", ["lead", "head", "requester"])
def test_list_query_counts_are_pinned(request, data, url, expected, role):
    client = token_client(request.getfixturevalue(role))
    small = queries(client, url, page_size=1)
    large = queries(client, url, page_size=500)
    if role == "requester" and url == "/api/v1/specialists/":
        expected = 3  # no profile: a count of 0 needs no page query
    assert small == large == expected
