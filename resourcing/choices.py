from django.db import models


class ServiceCode(models.TextChoices):
    """The repeatable services specialists deliver from playbooks."""

    STARTUP = "startup", "Alliance start-up"
    TERMINATION = "termination", "Termination"
    SUBSIDIARY_AGREEMENTS = "subsidiary_agreements", "Subsidiary agreements"
    REPORTING = "reporting", "Measurement and reporting"
    GOVERNANCE_LOGISTICS = "governance_logistics", "Governance logistics"
    CONTRACT_FINANCE = "contract_finance", "Contract and financial management"


class Anchor(models.TextChoices):
    """What a playbook task's offset counts from."""

    START = "start", "Alliance start"
    MEETING = "meeting", "Governance meeting"
    WIND_DOWN = "wind_down", "Wind-down"
    TRIGGER = "trigger", "Trigger event"


class TriggerKind(models.TextChoices):
    """Which subsidiary agreement a `trigger` playbook step serves (its kind of agreement)."""

    NONE = "", "—"
    QUALITY = "quality", "Quality agreement"
    PV_SDEA = "pv_sdea", "Pharmacovigilance (SDEA)"
    SUPPLY = "supply", "Supply agreement"
    DATA_USE = "data_use", "Data-use agreement"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


PRIORITY_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


class Complexity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class IntakeStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    TRIAGE = "triage", "In triage"
    NEEDS_INFO = "needs_info", "Needs information"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


INTAKE_EDGES: dict[str, frozenset[str]] = {
    IntakeStatus.SUBMITTED: frozenset({IntakeStatus.TRIAGE}),
    IntakeStatus.TRIAGE: frozenset(
        {IntakeStatus.ACCEPTED, IntakeStatus.DECLINED, IntakeStatus.NEEDS_INFO}
    ),
    IntakeStatus.NEEDS_INFO: frozenset({IntakeStatus.SUBMITTED}),
    IntakeStatus.ACCEPTED: frozenset(),
    IntakeStatus.DECLINED: frozenset(),
}

# Waiting on the alliance group: the triage SLA runs and the request can be overdue.
INTAKE_SLA_STATUSES = (IntakeStatus.SUBMITTED, IntakeStatus.TRIAGE)
# Still in the pipeline: counts towards demand on capacity.
INTAKE_OPEN_STATUSES = (IntakeStatus.SUBMITTED, IntakeStatus.TRIAGE, IntakeStatus.NEEDS_INFO)


class MessageKind(models.TextChoices):
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_PARTNER = "waiting_on_partner", "Waiting on partner"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_WORK = (
    TaskStatus.OPEN,
    TaskStatus.IN_PROGRESS,
    TaskStatus.WAITING_ON_PARTNER,
    TaskStatus.BLOCKED,
)


class Exclusion(models.TextChoices):
    """Why a specialist is not a candidate for a service."""

    INACTIVE = "inactive", "Inactive"
    LACKS_SKILL = "lacks_skill", "Does not deliver this service"
    ON_LEAVE = "on_leave", "On leave when the work starts"
    AT_WIP_LIMIT = "at_wip_limit", "At the work-in-progress limit"
