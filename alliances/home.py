"""The home page's scope: the alliances a lead's home watches."""

from django.db.models import Q

from . import access
from .models import Alliance
from .querysets import involvement_ids


def watched_alliances(user):
    """The head watches every alliance they see; a lead the ones they are on (lead, sponsor,
    member, on a body or assigned), every one of which they see. The lead's are read as ids,
    one indexed lookup per way of being on an alliance, rather than scanning the portfolio."""
    visible = Alliance.objects.visible_to(user)
    if access.is_head(user):
        return visible
    ids = set(
        Alliance.objects.filter(Q(lead=user) | Q(executive_sponsor=user)).values_list(
            "pk", flat=True
        )
    )
    for source in involvement_ids(user):  # values() of one column: the alliance's id
        (column,) = source.query.values_select
        ids.update(source.values_list(column, flat=True))
    return visible.filter(pk__in=sorted(ids))
