"""The front door's state machines as declared edges (checked by alliances.transitions)."""

from alliances.transitions import StateMachine

from .choices import INTAKE_EDGES, OPEN_WORK, TaskStatus

INTAKE = StateMachine("request", INTAKE_EDGES)

# Each task action moves to one status; where it may come from is the machine's edges.
TASK_ACTIONS = {
    "start": TaskStatus.IN_PROGRESS,
    "wait_on_partner": TaskStatus.WAITING_ON_PARTNER,
    "block": TaskStatus.BLOCKED,
    "complete": TaskStatus.DONE,
    "cancel": TaskStatus.CANCELLED,
    "reopen": TaskStatus.OPEN,
}
TASK = StateMachine.from_pairs(
    "task",
    [
        *(
            (source, TaskStatus.IN_PROGRESS)
            for source in (TaskStatus.OPEN, TaskStatus.WAITING_ON_PARTNER, TaskStatus.BLOCKED)
        ),
        *(
            (source, TaskStatus.WAITING_ON_PARTNER)
            for source in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
        ),
        *(
            (source, TaskStatus.BLOCKED)
            for source in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.WAITING_ON_PARTNER)
        ),
        *((source, TaskStatus.DONE) for source in OPEN_WORK),
        *((source, TaskStatus.CANCELLED) for source in OPEN_WORK),
        (TaskStatus.DONE, TaskStatus.OPEN),
        (TaskStatus.CANCELLED, TaskStatus.OPEN),
    ],
)
