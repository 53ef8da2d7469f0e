from django.db import models


class BodyKind(models.TextChoices):
    """The committees an alliance agreement usually sets up."""

    JSC = "jsc", "Joint steering committee"
    JDC = "jdc", "Joint development committee"
    JRC = "jrc", "Joint research committee"
    JCC = "jcc", "Joint commercialisation committee"
    JMC = "jmc", "Joint manufacturing committee"
    JFC = "jfc", "Joint finance committee"
    EXEC_COMMITTEE = "exec_committee", "Executive committee"
    SUBTEAM = "subteam", "Subteam"
    OTHER = "other", "Other"


class DecisionRule(models.TextChoices):
    """How the body decides when the sides disagree."""

    CONSENSUS = "consensus", "Consensus"
    INTERNAL = "internal", "Casting vote: ours"
    PARTNER = "partner", "Casting vote: the partner's"
    ALTERNATING = "alternating", "Casting vote: alternating by year"


class Side(models.TextChoices):
    INTERNAL = "internal", "Ours"
    PARTNER = "partner", "Partner"


class MemberRole(models.TextChoices):
    CO_CHAIR = "co_chair", "Co-chair"
    CO_SECRETARY = "co_secretary", "Co-secretary"
    MEMBER = "member", "Member"
    ALLIANCE_MANAGER = "alliance_manager", "Alliance manager"
    OBSERVER = "observer", "Observer"


# Roles that need valid governance-role training (compliance flags those without).
TRAINED_ROLES = (MemberRole.CO_CHAIR, MemberRole.CO_SECRETARY, MemberRole.ALLIANCE_MANAGER)


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    MINUTES_APPROVED = "minutes_approved", "Minutes approved"
    CANCELLED = "cancelled", "Cancelled"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"
    ESCALATED = "escalated", "Escalated"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CourseKind(models.TextChoices):
    GOVERNANCE_ROLE = "governance_role", "Governance role"
    PARTNERING = "partnering", "Partnering"
