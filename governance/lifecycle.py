"""What governance registers into the hooks of the apps below it."""

from django.db.models import Exists, OuterRef, Q

from .models import BodyMember


def sits_on_a_body(user) -> Q:
    """An internal member of one of the alliance's committees is on the alliance."""
    return Q(Exists(BodyMember.objects.filter(body__alliance=OuterRef("pk"), user=user)))


def body_alliance_ids(user):
    """The same, as the ids of those alliances (for rows that belong to one)."""
    return BodyMember.objects.filter(user=user).values("body__alliance_id")
