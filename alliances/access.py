"""Who may see and change what. Every list, detail, filter, count and admin page reaches
alliances through `Alliance.objects.visible_to(user)`; the rest of the project asks the
role questions here."""

from django.db import models

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


def can_change_reference_data(user) -> bool:
    return is_head(user)


def can_change_partners(user) -> bool:
    return manages_alliances(user)


class AllianceQuerySet(models.QuerySet):
    def involving(self, user) -> "AllianceQuerySet":
        """Alliances the user is on: lead, executive sponsor or member."""
        return self.filter(involvement_q(user))

    def visible_to(self, user) -> "AllianceQuerySet":
        if not user.is_authenticated:
            return self.none()
        if is_head(user):
            return self
        if sees_portfolio(user):
            return self.filter(models.Q(confidential=False) | involvement_q(user))
        return self.filter(involvement_q(user))


# Higher apps add ways of being "on" an alliance (resourcing: being assigned to it) through
# register_involvement, from their AppConfig.ready(); each gives a Q over Alliance.
_involvement: list = []


def register_involvement(condition) -> None:
    """`condition(user) -> Q` on Alliance: one more way of being on an alliance."""
    if condition not in _involvement:
        _involvement.append(condition)


def involvement_q(user) -> models.Q:
    from .models import AllianceMembership

    member = AllianceMembership.objects.filter(alliance=models.OuterRef("pk"), user=user)
    q = models.Q(lead=user) | models.Q(executive_sponsor=user) | models.Exists(member)
    for condition in _involvement:
        q |= condition(user)
    return q
