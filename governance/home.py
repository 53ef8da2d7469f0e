"""The home page's governance reads: meetings whose minutes await approval, overdue
obligations and the reader's own open action items. Each takes rows the reader may see
(visible_to), and costs two queries (a count and the first rows) whatever their number."""

from django.db.models import Count, Q

from alliances.calendar import today

from .choices import ActionStatus, MeetingStatus
from .models import ActionItem, Meeting, Obligation
from .querysets import action_overdue_q, minutes_overdue_q, obligation_overdue_q

ROWS = 10


def minutes_awaiting(*, alliances, rows: int = ROWS) -> dict:
    """Held meetings on `alliances` whose minutes are not yet approved, oldest first, with
    `minutes_overdue` (past MINUTES_APPROVAL_DAYS)."""
    held = Meeting.objects.filter(alliance__in=alliances.values("pk"), status=MeetingStatus.HELD)
    counts = held.aggregate(count=Count("pk"), overdue=Count("pk", filter=minutes_overdue_q()))
    meetings = list(
        held.with_minutes_overdue()
        .select_related("alliance", "body")
        .order_by("starts_at", "pk")[:rows]
    )
    return {**counts, "meetings": meetings}


def obligations_overdue(*, alliances, rows: int = ROWS) -> dict:
    """Overdue obligations (obligation_overdue_q) on `alliances`, the longest overdue first."""
    day = today()
    overdue = Obligation.objects.filter(alliance__in=alliances.values("pk")).filter(
        obligation_overdue_q(day)
    )
    count = overdue.count()
    obligations = list(overdue.select_related("alliance").order_by("due_date", "pk")[:rows])
    for obligation in obligations:
        obligation.days_late = (day - obligation.due_date).days
    return {"count": count, "obligations": obligations}


def my_action_items(*, user, rows: int = ROWS) -> dict:
    """The reader's open action items from meetings, overdue first (the earliest due)."""
    day = today()
    mine = ActionItem.objects.visible_to(user).filter(owner_user=user, status=ActionStatus.OPEN)
    counts = mine.aggregate(count=Count("pk"), overdue=Count("pk", filter=Q(action_overdue_q(day))))
    items = list(mine.select_related("alliance", "meeting").order_by("due_date", "pk")[:rows])
    for item in items:
        item.days_late = (day - item.due_date).days
    return {**counts, "items": items}
