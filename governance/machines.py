"""Governance's state machines as declared edges (checked by alliances.transitions)."""

from alliances.transitions import StateMachine

from .choices import MeetingStatus

MEETING = StateMachine.from_pairs(
    "meeting",
    [
        (MeetingStatus.SCHEDULED, MeetingStatus.HELD),
        (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED),
        (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED),
    ],
)
