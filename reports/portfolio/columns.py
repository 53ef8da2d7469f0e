"""The workbook's columns (header, width, what it means: the data dictionary lists them) and
the labels its cells show for stored choices."""

from alliances.choices import AllianceType, Direction, ManagementModel, PartnerKind, Stage, Status
from resourcing.capacity import HORIZON_WEEKS
from resourcing.choices import IntakeStatus

from ..choices import Rag, Trend

CONFIDENTIAL = "Confidential"

REGISTER = [
    # (header, width, meaning)
    ("Code", 11, "System reference of the alliance; never changes."),
    ("Name", 22, "The code name people use."),
    ("Confidential", 12, "Whether the alliance is confidential (masked rows always are)."),
    ("Partner", 26, "The other party."),
    ("Partner kind", 12, "pharma, biotech, academic, technology, CDMO/CRO, consortium or other."),
    ("Therapeutic area", 16, "The area the alliance belongs to."),
    ("Stage", 12, "Product lifecycle: Pre-PoC, Development, Commercial."),
    ("Status", 11, "Relationship lifecycle: Start-up, Active, Reset, Wind-down, Closed."),
    ("Type", 20, "Deal structure (licensing, co-development, ...)."),
    ("Direction", 12, "In-licensed, out-licensed or mutual."),
    ("Management model", 22, "Dedicated, specialist-supported or self-managed."),
    ("Lead", 18, "Who leads the alliance."),
    ("Executive sponsor", 18, "The executive who sponsors it."),
    ("RAG", 7, "Latest status report: green, amber or red."),
    ("Trend", 10, "Latest status report: improving, stable or declining."),
    ("Headline", 40, "Latest status report's one-line headline."),
    ("Report month", 12, "Month of the latest status report (a date shown as its month)."),
    ("Start date", 11, "When the alliance started."),
    ("Upfront", 16, "Upfront payment, in the row's currency."),
    ("Potential milestones", 18, "Potential milestone payments, in the row's currency."),
    ("Currency", 9, "ISO 4217 currency of the deal values; never summed across currencies."),
    ("Open tasks", 10, "Open work on the alliance: open, in progress, waiting, blocked."),
    ("Overdue tasks", 12, "Open work past its due date."),
]
CHANGES = [
    ("When", 17, "When it happened, in the portfolio's time zone."),
    ("Code", 11, "The alliance's code."),
    ("Name", 22, "The alliance's name."),
    ("Confidential", 12, "Whether the alliance is confidential."),
    (
        "Change",
        18,
        "New alliance; stage, status or management model; RAG (a new report's against the "
        "previous report's, or a report's RAG edited).",
    ),
    ("From", 16, "The value before."),
    ("To", 16, "The value after."),
    ("By", 18, "Who made the change (for RAG changes: the report's author)."),
    ("Note", 40, "The reason given, or the report's headline."),
]
FRONT_DOOR = [
    ("Request", 34, "Title of the open intake request."),
    ("Requester", 18, "Who asked."),
    ("Therapeutic area", 16, "The request's area."),
    ("Status", 12, "Submitted, in triage or needs information."),
    ("Age (business days)", 15, "Business days since it last entered submitted."),
    ("SLA due", 11, "Triage is due by the end of this day."),
    ("Overdue", 9, "Still waiting for triage past its SLA (TRUE or FALSE)."),
]
PIPELINE = [
    ("Status", 34, "Submitted, in triage or needs information."),
    (
        "Requests",
        18,
        "Open requests you may count, listed above or not: executives count every request "
        "that is not confidential, and are listed only their own.",
    ),
    ("Overdue", 16, "Of those, still waiting for triage past their SLA."),
]
DEMAND = [
    ("Service", 34, "The service specialists deliver."),
    ("Specialists", 11, "Active specialists delivering it."),
    (
        "Capacity (h)",
        12,
        f"Their hours over the next {HORIZON_WEEKS} weeks, leave removed, shared between services.",
    ),
    (
        "Demand (h)",
        12,
        f"Remaining effort of open work due in the next {HORIZON_WEEKS} weeks.",
    ),
    ("Pipeline (h)", 12, "Playbook effort the open intake requests would add."),
    ("Utilisation", 11, "Demand over capacity."),
    ("With pipeline", 12, "Demand and pipeline over capacity."),
]


# Columns holding numbers: their headers sit right-aligned over them.
NUMERIC = {
    "Upfront", "Potential milestones", "Open tasks", "Overdue tasks", "Age (business days)",
    "Requests", "Specialists", "Capacity (h)", "Demand (h)", "Pipeline (h)", "Utilisation",
    "With pipeline", "Days overdue", "Amount", "Green", "Amber", "Red", "Reported",
}  # fmt: skip

LABELS = {
    choices: {value: str(label) for value, label in choices.choices}
    for choices in (
        Stage,
        Status,
        AllianceType,
        ManagementModel,
        Direction,
        PartnerKind,
        Rag,
        Trend,
        IntakeStatus,
    )
}


def label(choices, value) -> str:
    return LABELS[choices].get(value, value or "")


def person(first, last, username) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")
