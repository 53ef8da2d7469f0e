from django.db import models


class Role(models.TextChoices):
    """Django groups; the access table in DESIGN.md is the rule."""

    ALLIANCE_LEAD = "alliance_lead", "Alliance lead"
    SPECIALIST = "specialist", "Specialist"
    EXECUTIVE = "executive", "Executive"
    ALLIANCE_HEAD = "alliance_head", "Head of alliance management"


class PartnerKind(models.TextChoices):
    PHARMA = "pharma", "Pharma"
    BIOTECH = "biotech", "Biotech"
    ACADEMIC = "academic", "Academic"
    TECHNOLOGY = "technology", "Technology"
    CDMO_CRO = "cdmo_cro", "CDMO / CRO"
    CONSORTIUM = "consortium", "Consortium"
    OTHER = "other", "Other"


class AllianceType(models.TextChoices):
    LICENSING = "licensing", "Licensing"
    CO_DEVELOPMENT = "co_development", "Co-development"
    CO_COMMERCIALIZATION = "co_commercialization", "Co-commercialization"
    OPTION = "option", "Option"
    CLINICAL_COLLABORATION = "clinical_collaboration", "Clinical collaboration"
    RESEARCH = "research", "Research"
    PLATFORM = "platform", "Platform"
    CO_PROMOTION = "co_promotion", "Co-promotion"
    SUPPLY = "supply", "Supply"
    DATA = "data", "Data"


class Direction(models.TextChoices):
    IN = "in", "In-licensed"
    OUT = "out", "Out-licensed"
    MUTUAL = "mutual", "Mutual"


class Stage(models.TextChoices):
    """Product lifecycle; declaration order is the forward direction."""

    PRE_POC = "pre_poc", "Pre-PoC"
    DEVELOPMENT = "development", "Development"
    COMMERCIAL = "commercial", "Commercial"


class Status(models.TextChoices):
    """Relationship lifecycle."""

    STARTUP = "startup", "Start-up"
    ACTIVE = "active", "Active"
    RESET = "reset", "Reset"
    WIND_DOWN = "wind_down", "Wind-down"
    CLOSED = "closed", "Closed"


STATUS_EDGES: dict[str, frozenset[str]] = {
    Status.STARTUP: frozenset({Status.ACTIVE, Status.WIND_DOWN}),
    Status.ACTIVE: frozenset({Status.RESET, Status.WIND_DOWN}),
    Status.RESET: frozenset({Status.ACTIVE, Status.WIND_DOWN}),
    Status.WIND_DOWN: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class ManagementModel(models.TextChoices):
    DEDICATED = "dedicated", "Dedicated alliance manager"
    SPECIALIST_SUPPORTED = "specialist_supported", "Specialist-supported"
    SELF_MANAGED = "self_managed", "Self-managed"


class PurposeQuadrant(models.TextChoices):
    """From the intake questions: market differentiating? mission critical?"""

    DIFFERENTIATING = "differentiating", "Differentiating (differentiating and critical)"
    PARITY = "parity", "Parity (critical only)"
    PARTNER = "partner", "Partner (differentiating only)"
    WHO_CARES = "who_cares", "Who cares (neither)"


class TransitionField(models.TextChoices):
    STAGE = "stage", "Stage"
    STATUS = "status", "Status"
    MANAGEMENT_MODEL = "management_model", "Management model"


class MemberRole(models.TextChoices):
    ALLIANCE_MANAGER = "alliance_manager", "Alliance manager"
    BUSINESS_LEAD = "business_lead", "Business lead"
    PROJECT_MANAGER = "project_manager", "Project manager"
    SCIENTIFIC_LEAD = "scientific_lead", "Scientific lead"
    LEGAL = "legal", "Legal"
    FINANCE = "finance", "Finance"
    OTHER = "other", "Other"
