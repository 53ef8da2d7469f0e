"""What the front door does when an alliance moves: registered with alliances.lifecycle and
alliances.access in ResourcingConfig.ready()."""

from django.db.models import Exists, OuterRef, Q

from alliances.calendar import today
from alliances.choices import Status, TransitionField
from config.errors import DomainError

from .choices import Anchor, ServiceCode
from .models import Assignment, Service, Task


def intake_request_model():
    """Intake requests name partners too, and can be confidential."""
    from .models import IntakeRequest

    return IntakeRequest


def assigned_to(user) -> Q:
    """Being assigned a service on an alliance puts you on it."""
    return Q(Exists(Assignment.objects.filter(alliance=OuterRef("pk"), assignee=user)))


def refuse_closing_with_open_work(*, alliance, field: str, to: str) -> None:
    if field != TransitionField.STATUS or to != Status.CLOSED:
        return
    open_ids = list(
        Task.objects.on_alliance(alliance)
        .open_work()
        .order_by("due_date", "pk")
        .values_list("pk", flat=True)
    )
    if open_ids:
        raise DomainError(
            "open_work",
            f"{len(open_ids)} task(s) are still open: complete or cancel them before closing.",
            task_ids=open_ids,
        )


def start_termination_playbook(*, alliance, field: str, from_value: str, to: str, actor) -> None:
    if field != TransitionField.STATUS or to != Status.WIND_DOWN:
        return
    from .services import playbook_tasks_create

    termination = Service.objects.get(code=ServiceCode.TERMINATION)
    assignment = (
        Assignment.objects.filter(alliance=alliance, service=termination)
        .select_related("assignee")
        .first()
    )
    playbook_tasks_create(
        actor=actor,
        alliance=alliance,
        service=termination,
        anchor=Anchor.WIND_DOWN,
        anchor_date=today(),
        assignee=assignment.assignee if assignment else alliance.lead,
        assignment=assignment,
    )
