"""Who does what at the front door. What each user sees is the QuerySets' rule (querysets.py)."""

from alliances.access import is_head, is_lead, manages_alliances


def can_triage(user, intake) -> bool:
    """Leads triage what they can see except confidential requests, which are the head's."""
    return is_head(user) or (is_lead(user) and not intake.confidential)


def can_answer(user, intake) -> bool:
    return intake.requester_id == user.pk


def can_see_all_specialists(user) -> bool:
    return manages_alliances(user)


def can_change_specialists(user) -> bool:
    return manages_alliances(user)


def can_act_on_task(user, task) -> bool:
    """Start, wait, block, complete, reopen: the assignee, leads and the head."""
    return task.assignee_id == user.pk or manages_alliances(user)


def can_manage_tasks(user, task=None) -> bool:
    """Create, edit, cancel, reassign: leads and the head, on alliances they can see."""
    from alliances.models import Alliance

    if not manages_alliances(user):
        return False
    return task is None or Alliance.objects.visible_to(user).filter(pk=task.alliance_id).exists()


def can_accept(user, intake) -> bool:
    return can_triage(user, intake)


def can_see_workload(user, specialist) -> bool:
    return manages_alliances(user) or specialist.user_id == user.pk
