"""Governance's state machines as declared edges (checked by alliances.transitions)."""

from alliances.transitions import StateMachine

from .choices import AgreementStatus, MeetingStatus

MEETING = StateMachine.from_pairs(
    "meeting",
    [
        (MeetingStatus.SCHEDULED, MeetingStatus.HELD),
        (MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED),
        (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED),
    ],
)

AGREEMENT = StateMachine.from_pairs(
    "agreement",
    [
        (AgreementStatus.PLANNED, AgreementStatus.DRAFTING),
        (AgreementStatus.DRAFTING, AgreementStatus.NEGOTIATING),
        (AgreementStatus.NEGOTIATING, AgreementStatus.EXECUTED),
        (AgreementStatus.EXECUTED, AgreementStatus.EXPIRED),
        (AgreementStatus.EXECUTED, AgreementStatus.TERMINATED),
        (AgreementStatus.EXECUTED, AgreementStatus.SUPERSEDED),
        (AgreementStatus.PLANNED, AgreementStatus.ABANDONED),
        (AgreementStatus.DRAFTING, AgreementStatus.ABANDONED),
        (AgreementStatus.NEGOTIATING, AgreementStatus.ABANDONED),
    ],
)
