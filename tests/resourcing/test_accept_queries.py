"""Accept's query count is fixed: it does not grow with the services accepted or the playbook
steps they start (bulk inserts for assignments, tasks and activity; one templates read)."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.models import ActivityLog
from resourcing.models import Assignment, Task, TaskTemplate
from resourcing.services import intake_accept
from tests.alliances.factories import UserFactory
from tests.resourcing.factories import (
    IntakeFactory,
    SpecialistFactory,
    TaskTemplateFactory,
    service,
)

pytestmark = pytest.mark.django_db

# Lock and read the request and its services; the recommendation (templates, specialists,
# skills, areas, leave, open tasks, load, last assignment, the reader's roles, continuity);
# the alliance (its code, then full_clean's checks: the related rows exist, the code is unique;
# the check constraints are decided in Python, config.constraints), its member and their
# activity; the recommended specialists; assignments, templates, tasks; the request saved; the
# activity rows. None of it per service.
ACCEPT_QUERIES = 38


@pytest.fixture(autouse=True)
def warm_content_types():
    """Content types are cached per process: look them all up first, so the count does not
    depend on which test ran before."""
    for model in apps.get_models():
        ContentType.objects.get_for_model(model)


def accept(*, actor, playbooks: dict[str, int], overrides: bool = False) -> int:
    """Accept a request for `playbooks` ({service code: start-anchored steps}); the queries."""
    TaskTemplate.objects.all().delete()
    people = {}
    for code, steps in playbooks.items():
        TaskTemplateFactory.create_batch(steps, service=service(code))
        people[code] = SpecialistFactory(services=[code])
    intake = IntakeFactory(status="triage", services=list(playbooks))
    chosen = (
        {code: {"specialist": person, "reason": "Knows them"} for code, person in people.items()}
        if overrides
        else None
    )
    actor = type(actor).objects.get(pk=actor.pk)  # as a request has it: roles not read yet
    with CaptureQueriesContext(connection) as captured:
        result = intake_accept(
            actor=actor, intake=intake, management_model="dedicated", overrides=chosen
        )
    assert len(result["assignments"]) == len(playbooks)
    assert len(result["tasks"]) == sum(playbooks.values())
    alliance = result["alliance"]
    assert Task.objects.filter(alliance=alliance).count() == sum(playbooks.values())
    assert Assignment.objects.filter(alliance=alliance).count() == len(playbooks)
    verbs = list(ActivityLog.objects.filter(alliance=alliance).values_list("verb", flat=True))
    assert verbs.count("assigned") == verbs.count("playbook_started") == len(playbooks)
    return len(captured)


ONE = {"startup": 3}
FOUR = {"startup": 5, "reporting": 5, "governance_logistics": 5, "termination": 5}


def test_accept_query_count_is_pinned_and_independent_of_services_and_steps(lead):
    assert accept(actor=lead, playbooks=ONE) == ACCEPT_QUERIES
    assert accept(actor=lead, playbooks=FOUR) == ACCEPT_QUERIES


def test_overrides_are_checked_in_a_fixed_number_of_queries(lead):
    one = accept(actor=lead, playbooks=ONE, overrides=True)
    assert accept(actor=lead, playbooks=FOUR, overrides=True) == one


def test_the_api_answers_accept_in_the_same_number_of_queries_either_way(api, lead):
    def posted(playbooks: dict[str, int]) -> int:
        TaskTemplate.objects.all().delete()
        for code, steps in playbooks.items():
            TaskTemplateFactory.create_batch(steps, service=service(code))
            SpecialistFactory(services=[code], user=UserFactory())
        intake = IntakeFactory(status="triage", services=list(playbooks))
        client = api(type(lead).objects.get(pk=lead.pk))  # roles not read yet
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                f"/api/v1/intake-requests/{intake.pk}/accept/",
                {"management_model": "dedicated"},
                format="json",
            )
        assert response.status_code == 201, response.content
        assert len(response.json()["tasks"]) == sum(playbooks.values())
        return len(captured)

    assert posted(ONE) == posted(FOUR)
