"""The API's read path, made cheaper without changing an answer: serializers read plain columns
directly (config.api.serializers.FastReadMixin), list filters build only the filters a request
names (config.api.filters.NamedFilterBackend), PostgreSQL timestamps are parsed by psycopg's C
loader (config.db)."""

import datetime

import pytest
from rest_framework import serializers

from alliances.api.serializers import AllianceSerializer
from alliances.selectors import alliance_list
from config.api.filters import NamedFilterBackend, _narrowed
from governance.api.obligations import ObligationSerializer
from governance.api.serializers import MeetingSerializer
from resourcing.api.serializers import IntakeRequestSerializer, TaskSerializer
from resourcing.filters import TaskFilter
from resourcing.selectors import intake_list, task_list
from tests.alliances.factories import AllianceFactory
from tests.governance.factories import MeetingFactory, ObligationFactory
from tests.resourcing.factories import IntakeFactory, TaskFactory

pytestmark = pytest.mark.django_db


def drf_reading(serializer, instance) -> dict:
    """What DRF's own Serializer.to_representation makes of the instance, field by field."""
    return serializers.Serializer.to_representation(serializer, instance)


def test_fast_reads_answer_what_drf_would_for_every_kind_of_field(head):
    alliance = AllianceFactory(executive_sponsor=None, confidential=True)
    task = TaskFactory(
        alliance=alliance, completed_at=datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    )
    IntakeFactory(partner=None, partner_name="Somebody new", estimated_value=None, currency="")
    meeting = MeetingFactory()
    obligation = ObligationFactory()
    cases = [
        (AllianceSerializer, alliance_list(user=head)),
        (TaskSerializer, task_list(user=head).filter(pk=task.pk)),
        (IntakeRequestSerializer, intake_list(user=head)),
        (MeetingSerializer, type(meeting).objects.filter(pk=meeting.pk)),
        (ObligationSerializer, type(obligation).objects.filter(pk=obligation.pk)),
    ]
    for serializer_class, rows in cases:
        for row in rows:
            serializer = serializer_class(row, context={"request": None})
            fast = serializer.to_representation(row)
            assert fast == drf_reading(serializer, row), serializer_class.__name__
            # Types too: a date stays text, an id stays a number, a missing value stays null.
            for name, value in fast.items():
                same = drf_reading(serializer, row)[name]
                assert type(value) is type(same), (serializer_class.__name__, name)


def test_a_serializer_reading_an_id_column_gets_the_id_not_the_object(head):
    task = TaskFactory()

    class TaskIds(TaskSerializer):
        alliance_id = serializers.IntegerField(read_only=True)

        class Meta(TaskSerializer.Meta):
            fields = ["id", "alliance_id", "assignment"]

    row = task_list(user=head).get(pk=task.pk)
    assert TaskIds(row).data == {
        "id": task.pk,
        "alliance_id": task.alliance_id,
        "assignment": task.assignment_id,
    }


def test_only_the_filters_a_request_names_are_built(rf, specialist):
    request = rf.get("/", {"status": "open", "due_date_after": "2026-01-01"})
    request.query_params = request.GET
    request.user = specialist

    class View:
        filterset_class = TaskFilter

    filterset = NamedFilterBackend().get_filterset(request, task_list(user=specialist), View())
    assert set(filterset.filters) == {"status", "due_date_after"}
    assert filterset.is_valid()
    # One class per set of names, made once.
    again = NamedFilterBackend().get_filterset(request, task_list(user=specialist), View())
    assert type(again) is type(filterset)
    assert _narrowed.cache_info().hits >= 1


def test_a_bad_value_in_a_named_filter_is_still_a_400_naming_it(api, specialist):
    response = api(specialist).get("/api/v1/tasks/", {"due_date_after": "someday", "open": "x"})
    assert response.status_code == 400
    assert set(response.json()) >= {"due_date_after", "open"}


def test_filters_still_filter_and_unnamed_ones_leave_the_list_alone(api, specialist):
    mine = TaskFactory(assignee=specialist, due_date=datetime.date(2026, 12, 20))
    TaskFactory(assignee=specialist, due_date=datetime.date(2026, 11, 2))
    client = api(specialist)
    every = client.get("/api/v1/tasks/?assignee=me").json()
    assert every["count"] == 2
    later = client.get("/api/v1/tasks/?assignee=me&due_date_after=2026-12-01").json()
    assert [t["id"] for t in later["results"]] == [mine.pk]
