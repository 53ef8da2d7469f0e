"""The lists that keep their header's sort links for the page (config.changelist) show the very
page unfold's own ChangeList shows: same rows, links, filters and counts, sorted or filtered."""

import re

import pytest
from django.contrib import admin
from unfold.views import ChangeList

from governance.models import Meeting, Obligation
from resourcing.models import Task
from tests.governance.factories import MeetingFactory, ObligationFactory
from tests.resourcing.factories import TaskFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.mark.parametrize(
    "model, path",
    [
        (Meeting, "/admin/governance/meeting/"),
        (Meeting, "/admin/governance/meeting/?o=-2.1&when=past"),
        (Obligation, "/admin/governance/obligation/?when=overdue"),
        (Obligation, "/admin/governance/obligation/?o=4&currency=USD"),
        (Task, "/admin/resourcing/task/?open=yes"),
        (Task, "/admin/resourcing/task/?o=-3&status=open&whose=all"),
    ],
)
def test_the_page_is_unfolds_page(client, head, monkeypatch, model, path):
    for _ in range(3):
        MeetingFactory()
        ObligationFactory()
        TaskFactory()
    client.force_login(head)
    page = client.get(path)
    assert page.status_code == 200
    kept = TOKEN.sub("", page.content.decode())
    model_admin = admin.site._registry[model]
    monkeypatch.setattr(model_admin, "get_changelist", lambda request, **kwargs: ChangeList)
    plain = TOKEN.sub("", client.get(path).content.decode())
    assert kept == plain
