"""The home page's scope: the alliances a lead's home watches."""

from . import access
from .models import Alliance


def watched_alliances(user):
    """The head watches every alliance they see; a lead the ones they are on (lead, sponsor,
    member or assigned)."""
    visible = Alliance.objects.visible_to(user)
    if access.is_head(user):
        return visible
    return visible.involving(user)
