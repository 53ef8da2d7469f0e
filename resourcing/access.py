"""Who sees and does what at the front door. Intake requests are reached only through
`IntakeRequest.objects.visible_to(user)`."""

from django.db import models

from alliances.access import is_head, is_lead, manages_alliances


class IntakeRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IntakeRequestQuerySet":
        """Requesters see their own; leads every request that is not confidential; the head all.
        A confidential request is the requester's and the head's alone."""
        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        own = models.Q(requester=user)
        if is_lead(user):
            return self.filter(models.Q(confidential=False) | own)
        return self.filter(own)


def can_triage(user, intake) -> bool:
    """Leads triage what they can see except confidential requests, which are the head's."""
    return is_head(user) or (is_lead(user) and not intake.confidential)


def can_answer(user, intake) -> bool:
    return intake.requester_id == user.pk


def can_see_all_specialists(user) -> bool:
    return manages_alliances(user)


def can_change_specialists(user) -> bool:
    return manages_alliances(user)


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TaskQuerySet":
        """A task is seen by its assignee and by whoever sees its alliance."""
        from alliances.models import Alliance

        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        visible = Alliance.objects.visible_to(user).values("pk")
        return self.filter(models.Q(assignee=user) | models.Q(alliance__in=visible))


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
