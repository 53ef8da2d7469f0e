"""The role questions: who may do what. What each user may see is the QuerySets' rule
(querysets.py: `Alliance.objects.visible_to(user)` and every alliance-owned model's own)."""

from .choices import Role


def roles_of(user) -> frozenset[str]:
    """The user's group names, read once per user object (i.e. once per request)."""
    if not user.is_authenticated:
        return frozenset()
    roles = getattr(user, "_alliance_roles", None)
    if roles is None:
        roles = frozenset(user.groups.values_list("name", flat=True))
        user._alliance_roles = roles
    return roles


def is_head(user) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.ALLIANCE_HEAD in roles_of(user))


def is_lead(user) -> bool:
    return Role.ALLIANCE_LEAD in roles_of(user)


def is_executive(user) -> bool:
    return Role.EXECUTIVE in roles_of(user)


def manages_alliances(user) -> bool:
    """Leads and the head: they triage, move alliances and pick people."""
    return is_head(user) or is_lead(user)


def sees_portfolio(user) -> bool:
    """Leads, executives and the head see every alliance that is not confidential."""
    return is_head(user) or is_lead(user) or is_executive(user)


def can_create_alliance(user) -> bool:
    # New partnerships come through the front door; direct creation is the head's, for migration.
    return is_head(user)


def can_change_alliance(user, alliance) -> bool:
    """For an alliance the user can already see."""
    return manages_alliances(user)


def can_change_confidentiality(user) -> bool:
    return is_head(user)


def can_change_reference_data(user) -> bool:
    return is_head(user)


def can_change_partners(user) -> bool:
    return manages_alliances(user)
