"""What loading the demo portfolio needs beyond the fixture itself."""

import re

from django.contrib.contenttypes.models import ContentType

from .models import ActivityLog, Alliance, CodeSequence, StageTransition
from .services import ALLIANCE_CODE_SEQUENCE


def after_portfolio_loaded() -> None:
    """Codes continue after the demo's, and its recorded history shows in the activity log."""
    codes = Alliance.objects.values_list("code", flat=True)
    number = max((int(re.sub(r"\D", "", code)) for code in codes), default=0)
    CodeSequence.objects.filter(name=ALLIANCE_CODE_SEQUENCE, last_value__lt=number).update(
        last_value=number
    )
    alliance_type = ContentType.objects.get_for_model(Alliance)
    ActivityLog.objects.bulk_create(
        ActivityLog(
            actor_id=move.actor_id,
            verb="transitioned",
            content_type=alliance_type,
            object_id=move.alliance_id,
            object_repr=str(move.alliance)[:200],
            alliance_id=move.alliance_id,
            changes={move.field: [move.from_value, move.to_value]},
            note=move.note,
            created_at=move.created_at,
        )
        for move in StageTransition.objects.select_related("alliance")
    )
