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


# Agreements and obligations ------------------------------------------------------------------


class AgreementKind(models.TextChoices):
    COLLABORATION = "collaboration", "Collaboration (main agreement)"
    CDA = "cda", "Confidentiality (CDA)"
    MTA = "mta", "Material transfer (MTA)"
    LICENCE = "licence", "Licence"
    RESEARCH = "research", "Research"
    QUALITY = "quality", "Quality"
    PV_SDEA = "pv_sdea", "Pharmacovigilance (SDEA)"
    SUPPLY = "supply", "Supply"
    DATA_USE = "data_use", "Data use"
    AMENDMENT = "amendment", "Amendment"
    SIDE_LETTER = "side_letter", "Side letter"
    OTHER = "other", "Other"


# Subsidiary agreements: requested with a target date, they start their playbook steps.
SUBSIDIARY_KINDS = (
    AgreementKind.QUALITY,
    AgreementKind.PV_SDEA,
    AgreementKind.SUPPLY,
    AgreementKind.DATA_USE,
)


class AgreementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DRAFTING = "drafting", "Drafting"
    NEGOTIATING = "negotiating", "Negotiating"
    EXECUTED = "executed", "Executed"
    EXPIRED = "expired", "Expired"
    TERMINATED = "terminated", "Terminated"
    SUPERSEDED = "superseded", "Superseded"
    ABANDONED = "abandoned", "Abandoned"


class InternalFunction(models.TextChoices):
    ALLIANCE_MANAGEMENT = "alliance_management", "Alliance management"
    LEGAL = "legal", "Legal"
    BUSINESS_DEVELOPMENT = "business_development", "Business development"
    QUALITY = "quality", "Quality"
    PHARMACOVIGILANCE = "pharmacovigilance", "Pharmacovigilance"
    SUPPLY_CHAIN = "supply_chain", "Supply chain"
    FINANCE = "finance", "Finance"
    RESEARCH = "research", "Research"
    DATA_PRIVACY = "data_privacy", "Data privacy"


class ObligationKind(models.TextChoices):
    UPFRONT = "upfront", "Upfront payment"
    MILESTONE = "milestone", "Milestone payment"
    ROYALTY = "royalty", "Royalty"
    COST_SHARE = "cost_share", "Cost share"
    INVOICE = "invoice", "Invoice"
    REPORT = "report", "Report"
    DELIVERY = "delivery", "Delivery"
    NOTICE = "notice", "Notice"
    AUDIT = "audit", "Audit"
    DILIGENCE = "diligence", "Diligence"
    OTHER = "other", "Other"


# Money changes hands: amount and currency are required.
FINANCIAL_KINDS = (
    ObligationKind.UPFRONT,
    ObligationKind.MILESTONE,
    ObligationKind.ROYALTY,
    ObligationKind.COST_SHARE,
    ObligationKind.INVOICE,
)


class ObligationDirection(models.TextChoices):
    INCOMING = "incoming", "Incoming (the partner owes us)"
    OUTGOING = "outgoing", "Outgoing (we owe)"
    JOINT = "joint", "Joint"


class ObligationStatus(models.TextChoices):
    """`upcoming` waits on its trigger event (no due date yet); `due` has a due date."""

    UPCOMING = "upcoming", "Upcoming"
    DUE = "due", "Due"
    MET = "met", "Met"
    WAIVED = "waived", "Waived"
    DISPUTED = "disputed", "Disputed"


OPEN_OBLIGATION = (ObligationStatus.UPCOMING, ObligationStatus.DUE, ObligationStatus.DISPUTED)


class Recurrence(models.TextChoices):
    NONE = "", "Once"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"
