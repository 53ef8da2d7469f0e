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


def assigned_alliance_ids(user):
    """The same, as the ids of those alliances (for rows that belong to one)."""
    return Assignment.objects.filter(assignee=user).values("alliance_id")


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


def hand_over_work(*, alliance, user, actor, hand_to) -> None:
    """Someone left the alliance's team: their open tasks and assignments there go to
    `hand_to`; without one, on a confidential alliance they can no longer see, the departure
    is refused while they hold any (the work would vanish from their queue and from sight)."""
    from alliances.access import is_head
    from alliances.services import still_on_team

    from .services import work_hand_over

    tasks = list(
        Task.objects.on_alliance(alliance)
        .open_work()
        .filter(assignee=user)
        .select_related("service")
    )
    assignments = list(
        Assignment.objects.on_alliance(alliance).filter(assignee=user).select_related("service")
    )
    if not tasks and not assignments:
        return
    if hand_to is not None and hand_to.pk != user.pk:
        work_hand_over(
            actor=actor, alliance=alliance, tasks=tasks, assignments=assignments, to=hand_to
        )
        return
    if (
        alliance.confidential
        and not is_head(user)
        and not still_on_team(alliance=alliance, user=user)
    ):
        raise DomainError(
            "member_has_work",
            f"{user.get_username()} still holds {len(tasks)} open task(s) and "
            f"{len(assignments)} assignment(s) on this confidential alliance: name someone on "
            "it to hand them to (hand_to), or reassign them first.",
            task_ids=[task.pk for task in tasks],
            assignment_ids=[assignment.pk for assignment in assignments],
        )


def refuse_hiding_work(*, alliance, confidential: bool, actor) -> None:
    """Marking an alliance confidential would hide its open work from whoever holds it without
    being on the team: refused until they are added or the work reassigned."""
    from alliances.access import is_head
    from alliances.services import still_on_team

    if not confidential:
        return
    outside = []
    assigned = set(Assignment.objects.on_alliance(alliance).values_list("assignee_id", flat=True))
    for task in Task.objects.on_alliance(alliance).open_work().select_related("assignee"):
        person = task.assignee
        if (
            person.pk in assigned
            or is_head(person)
            or still_on_team(alliance=alliance, user=person)
        ):
            continue
        outside.append(task)
    if outside:
        names = sorted({task.assignee.get_username() for task in outside})
        raise DomainError(
            "work_outside_team",
            f"Open work here is held by people not on the alliance ({', '.join(names)}): add "
            "them to its team or reassign the work before marking it confidential.",
            task_ids=[task.pk for task in outside],
        )
