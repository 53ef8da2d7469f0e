"""Reads, each through the one visibility method and with the joins its serializer needs."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from . import extensions
from .access import manages_alliances
from .models import ActivityLog, Alliance, AllianceMembership

# Lists show people by id, username and name; the rest of a user row stays in the database.
PERSON_FIELDS_DEFERRED = (
    "password",
    "last_login",
    "is_superuser",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
)


# What neither the list nor the detail shows of the joined rows.
_JOINED_DEFERRED = (
    "partner__country",
    "partner__created_at",
    *(
        f"{person}__{field}"
        for person in ("lead", "executive_sponsor")
        for field in PERSON_FIELDS_DEFERRED
    ),
)


def _with_joins(alliances: QuerySet[Alliance], *, description=False) -> QuerySet[Alliance]:
    # extensions: columns higher apps add, e.g. the latest status report, in the same query.
    # Lists leave the description in the database; the detail reads it with the row.
    deferred = _JOINED_DEFERRED if description else ("description", *_JOINED_DEFERRED)
    return (
        extensions.annotate(alliances)
        .select_related("partner", "therapeutic_area", "lead", "executive_sponsor")
        .defer(*deferred)
    )


def alliance_list(*, user) -> QuerySet[Alliance]:
    return _with_joins(Alliance.objects.visible_to(user))


def _with_members(alliances: QuerySet[Alliance]) -> QuerySet[Alliance]:
    """The detail's members, and the sections higher apps add (extensions)."""
    memberships = AllianceMembership.objects.select_related("user").order_by("user__username")
    alliances = alliances.prefetch_related(Prefetch("memberships", queryset=memberships))
    return extensions.prefetch_detail(alliances)


def alliance_detail_queryset(*, user) -> QuerySet[Alliance]:
    return _with_members(_with_joins(Alliance.objects.visible_to(user), description=True))


def alliance_after_write(*, alliance: Alliance) -> Alliance:
    """The alliance as a write left it, for the writer's response. Deliberately not filtered
    by visibility: the writer was allowed to make the change, and sees its result even when
    the change hid the alliance from them (a lead handing a confidential alliance over)."""
    alliances = _with_joins(Alliance.objects.all(), description=True)
    return _with_members(alliances).get(pk=alliance.pk)


def alliance_history(*, alliance: Alliance) -> QuerySet[ActivityLog]:
    return ActivityLog.objects.filter(alliance=alliance).select_related("actor", "content_type")


def user_list(*, user) -> QuerySet:
    """Leads and the head pick leads, sponsors and assignees from every active user; anyone
    else sees only themselves."""
    users = get_user_model().objects.filter(is_active=True).prefetch_related("groups")
    if manages_alliances(user):
        return users
    return users.filter(pk=user.pk)
