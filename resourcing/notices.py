"""What the front door tells people, and when: each service announces its event after its
transaction commits (a change that rolls back tells nobody); a Celery task then writes the
notifications, each named by its event so a redelivered task tells nobody twice, and each to
someone who may see what it is about."""

from celery import shared_task
from django.db import transaction

from notifications.choices import Kind
from notifications.services import notify

from .models import Assignment, IntakeMessage, IntakeRequest, Task


def _intake_paths(intake_id: int) -> dict:
    return {
        "api_path": f"/api/v1/intake-requests/{intake_id}/",
        "admin_path": f"/admin/resourcing/intakerequest/{intake_id}/triage/",
    }


def announce(task, *args) -> None:
    """Run `task` with `args` once the current transaction commits."""
    transaction.on_commit(lambda: task.delay(*args))


@shared_task(acks_late=True)
def intake_event(intake_id: int, event: str, message_id: int | None = None) -> None:
    intake = IntakeRequest.objects.select_related("requester", "alliance").get(pk=intake_id)
    title = intake.title
    if event == "question":
        message = IntakeMessage.objects.get(pk=message_id)
        notify(
            recipient=intake.requester,
            kind=Kind.REQUEST_NEEDS_INFO,
            key=f"intake:{intake_id}:message:{message_id}",
            text=f"Your request “{title}” needs information: {message.text}",
            about=intake,
            **_intake_paths(intake_id),
        )
    elif event == "answered":
        message = IntakeMessage.objects.get(pk=message_id)
        asked = (
            IntakeMessage.objects.filter(
                intake_request=intake, kind="question", created_at__lte=message.created_at
            )
            .select_related("author")
            .order_by("-created_at", "-pk")
            .first()
        )
        if asked is not None:
            notify(
                recipient=asked.author,
                kind=Kind.REQUEST_ANSWERED,
                key=f"intake:{intake_id}:message:{message_id}",
                text=f"“{title}” was answered and is back for triage: {message.text}",
                about=intake,
                **_intake_paths(intake_id),
            )
    elif event == "accepted":
        alliance = intake.alliance
        notify(
            recipient=intake.requester,
            kind=Kind.REQUEST_ACCEPTED,
            key=f"intake:{intake_id}:accepted",
            text=f"Your request “{title}” was accepted as {alliance.code} {alliance.name}.",
            alliance=alliance,
            api_path=f"/api/v1/alliances/{alliance.pk}/",
            admin_path=f"/admin/alliances/alliance/{alliance.pk}/change/",
        )
    elif event == "declined":
        notify(
            recipient=intake.requester,
            kind=Kind.REQUEST_DECLINED,
            key=f"intake:{intake_id}:declined",
            text=f"Your request “{title}” was declined: {intake.decline_reason}",
            about=intake,
            **_intake_paths(intake_id),
        )


@shared_task(acks_late=True)
def assignments_made(assignment_ids: list[int]) -> None:
    """Each assignee hears which service they deliver on which alliance."""
    for assignment in Assignment.objects.filter(pk__in=assignment_ids).select_related(
        "alliance", "service", "assignee"
    ):
        alliance = assignment.alliance
        opened = Task.objects.filter(assignment=assignment).open_work().count()
        notify(
            recipient=assignment.assignee,
            kind=Kind.WORK_ASSIGNED,
            key=f"assignment:{assignment.pk}:to:{assignment.assignee_id}",
            text=f"You deliver {assignment.service.name} for {alliance.code} {alliance.name}"
            f" ({opened} open task(s)).",
            alliance=alliance,
            api_path=f"/api/v1/tasks/?alliance={alliance.pk}&assignee=me&open=true",
            admin_path=f"/admin/alliances/alliance/{alliance.pk}/change/",
        )


@shared_task(acks_late=True)
def task_assigned(task_id: int, event_id: int) -> None:
    """The assignee of a task created for them, reassigned or handed over to them."""
    from alliances.models import ActivityLog

    task = Task.objects.select_related("alliance", "assignee").get(pk=task_id)
    if ActivityLog.objects.filter(pk=event_id, actor_id=task.assignee_id).exists():
        return  # they gave it to themselves
    alliance = task.alliance
    notify(
        recipient=task.assignee,
        kind=Kind.WORK_ASSIGNED,
        key=f"task:{task_id}:event:{event_id}",
        about=task,
        # Checked against the task (your own task on an alliance you are not on is yours to
        # see); tied to a confidential alliance, it leaves the inbox with access to it.
        alliance=alliance if alliance.confidential else None,
        text=f"{alliance.code} {alliance.name}: “{task.title}”, due "
        f"{task.due_date:%d %b %Y}, is yours.",
        api_path=f"/api/v1/tasks/{task_id}/",
        admin_path=f"/admin/resourcing/task/{task_id}/change/",
    )
