"""The alliance's three lifecycles as declared edges (checked by alliances.transitions)."""

import itertools

from .choices import STATUS_EDGES, ManagementModel, Stage, TransitionField
from .transitions import StateMachine

_STAGES = list(Stage.values)

# Leads move the stage forward one step; the head may also move it back, any number of steps.
STAGE_FORWARD = StateMachine.from_pairs("stage", itertools.pairwise(_STAGES))
STAGE_BACK = StateMachine.from_pairs(
    "stage",
    ((later, earlier) for earlier, later in itertools.combinations(_STAGES, 2)),
)
STATUS = StateMachine("status", STATUS_EDGES)
MANAGEMENT_MODEL = StateMachine.from_pairs(
    "management model", itertools.permutations(ManagementModel.values, 2)
)

BY_FIELD = {
    TransitionField.STAGE: STAGE_FORWARD,
    TransitionField.STATUS: STATUS,
    TransitionField.MANAGEMENT_MODEL: MANAGEMENT_MODEL,
}
