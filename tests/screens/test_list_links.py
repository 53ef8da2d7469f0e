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


@pytest.mark.parametrize("shown", ["yes", "overdue", "no"])
def test_the_task_list_filtered_on_open_work_keeps_the_queues_order(client, head, shown):
    """Filtered on open, overdue or closed work the list sorts by due date alone (from its
    index): the order the queue's overdue-first key gives."""
    import datetime

    from django.test import RequestFactory

    from alliances.calendar import today
    from resourcing.admin_tasks import OpenWorkFilter

    for days, status, priority in [
        (-5, "open", "low"),
        (-5, "blocked", "high"),
        (3, "in_progress", "medium"),
        (-9, "done", "high"),
        (0, "waiting_on_partner", "high"),
        (12, "cancelled", "low"),
        (3, "open", "high"),
    ]:
        TaskFactory(
            due_date=today() + datetime.timedelta(days=days),
            status=status,
            priority=priority,
            blocked_reason="Waiting on data" if status == "blocked" else "",
        )
    request = RequestFactory().get("/admin/resourcing/task/", {"open": shown})
    request.user = head
    model_admin = admin.site._registry[Task]
    rows = OpenWorkFilter(request, {"open": [shown]}, Task, model_admin).queryset(
        request, model_admin.get_queryset(request)
    )
    queue = ["late", "due_date", "priority_rank", "pk"]
    assert model_admin.get_ordering(request) == queue[1:]
    assert list(rows.order_by(*queue[1:])) == list(rows.order_by(*queue))
    assert rows.exists()
