"""The front door's QuerySets: visibility (from alliances' one rule) and the named rules every
caller uses instead of restating them: open work, overdue, awaiting triage, the pipeline."""

import datetime

from django.db import models

from alliances.access import is_head, sees_portfolio
from alliances.calendar import today
from alliances.querysets import AllianceOwnedQuerySet

from .choices import INTAKE_OPEN_STATUSES, INTAKE_SLA_STATUSES, OPEN_WORK


def open_work_q() -> models.Q:
    """Open work: open, in progress, waiting on the partner, blocked."""
    return models.Q(status__in=OPEN_WORK)


def task_overdue_q(day: datetime.date | None = None) -> models.Q:
    """Open work past its due date."""
    return open_work_q() & models.Q(due_date__lt=day or today())


def awaiting_triage_q() -> models.Q:
    """Waiting on the alliance group: the triage SLA runs."""
    return models.Q(status__in=INTAKE_SLA_STATUSES)


def intake_overdue_q(day: datetime.date | None = None) -> models.Q:
    """Still submitted or in triage after the SLA's day."""
    return awaiting_triage_q() & models.Q(sla_due__lt=day or today())


class IntakeRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IntakeRequestQuerySet":
        """Requesters see their own; leads every request that is not confidential; the head all.
        A confidential request is the requester's and the head's alone."""
        from alliances.access import is_lead

        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        own = models.Q(requester=user)
        if is_lead(user):
            return self.filter(models.Q(confidential=False) | own)
        return self.filter(own)

    def counted_for(self, user) -> "IntakeRequestQuerySet":
        """What a reader's figures may count (demand from the pipeline, counts by status): what
        they see, and for portfolio readers (executives) also every request that is not
        confidential. Counted, never listed: titles and requesters only where visible_to."""
        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        if sees_portfolio(user):
            return self.filter(models.Q(confidential=False) | models.Q(requester=user))
        return self.visible_to(user)

    def awaiting_triage(self) -> "IntakeRequestQuerySet":
        return self.filter(awaiting_triage_q())

    def overdue(self, day: datetime.date | None = None) -> "IntakeRequestQuerySet":
        return self.filter(intake_overdue_q(day))

    def in_pipeline(self) -> "IntakeRequestQuerySet":
        """Not yet decided: submitted, in triage or needing information."""
        return self.filter(status__in=INTAKE_OPEN_STATUSES)


class TaskQuerySet(AllianceOwnedQuerySet):
    def also_visible(self, user) -> models.Q:
        """Your own task on an alliance that is not confidential, even if you are not on it;
        on a confidential alliance only those on it see its work."""
        return models.Q(assignee=user, alliance__confidential=False)

    def open_work(self) -> "TaskQuerySet":
        return self.filter(open_work_q())

    def overdue(self, day: datetime.date | None = None) -> "TaskQuerySet":
        return self.filter(task_overdue_q(day))


class AssignmentQuerySet(AllianceOwnedQuerySet):
    pass
