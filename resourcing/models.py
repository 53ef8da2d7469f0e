from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from alliances.choices import AllianceType, Direction
from alliances.models import Alliance, CodeManager, Partner, TherapeuticArea, validate_currency
from config.constraints import PythonCheckedConstraints
from config.dates import DateInRange

from .choices import (
    INTAKE_SLA_STATUSES,
    OPEN_WORK,
    Anchor,
    Complexity,
    IntakeStatus,
    MessageKind,
    Priority,
    TaskStatus,
    TriggerKind,
)
from .querysets import AssignmentQuerySet, IntakeRequestQuerySet, TaskQuerySet


def _in(field: str, choices) -> models.Q:
    return models.Q(**{f"{field}__in": choices.values})


class Service(models.Model):
    """A repeatable service every alliance may need, delivered by specialists from a playbook."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    objects = CodeManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class TaskTemplateManager(models.Manager):
    def get_by_natural_key(self, service_code: str, anchor: str, title: str):
        return self.get(service__code=service_code, anchor=anchor, title=title)


class TaskTemplate(PythonCheckedConstraints, models.Model):
    """One step of a service's playbook: due `offset_days` after (or, if negative, before) its
    anchor. Known by (service code, anchor, title), so loading the playbooks again updates the
    steps instead of duplicating them."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="templates")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    anchor = models.CharField(max_length=20, choices=Anchor.choices, default=Anchor.START)
    offset_days = models.IntegerField(
        validators=[MinValueValidator(-730), MaxValueValidator(730)],
        help_text="Days after the anchor (negative: before it).",
    )
    effort_hours = models.DecimalField(
        max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    trigger_kind = models.CharField(
        max_length=20,
        choices=TriggerKind.choices,
        blank=True,
        default=TriggerKind.NONE,
        help_text="For a trigger step: the kind of subsidiary agreement it serves.",
    )

    objects = TaskTemplateManager()

    class Meta:
        ordering = ["service", "anchor", "offset_days", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "anchor", "title"], name="template_step_unique"
            ),
            models.CheckConstraint(condition=_in("anchor", Anchor), name="template_anchor_valid"),
            models.CheckConstraint(
                condition=_in("trigger_kind", TriggerKind), name="template_trigger_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(effort_hours__gte=0), name="template_effort_non_negative"
            ),
        ]

    def __str__(self) -> str:
        sign = "+" if self.offset_days >= 0 else ""
        return f"{self.title} ({self.anchor} {sign}{self.offset_days}d)"

    def natural_key(self):
        return (*self.service.natural_key(), self.anchor, self.title)

    natural_key.dependencies = ["resourcing.service"]


class Specialist(PythonCheckedConstraints, models.Model):
    """A person who delivers services, with the capacity the front door plans against."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="specialist_profile"
    )
    services = models.ManyToManyField(Service, related_name="specialists", blank=True)
    therapeutic_areas = models.ManyToManyField(
        TherapeuticArea, related_name="specialists", blank=True
    )
    weekly_capacity_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    wip_limit = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_capacity_hours__gte=0)
                & models.Q(weekly_capacity_hours__lte=80),
                name="specialist_capacity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(wip_limit__gte=1), name="specialist_wip_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class LeavePeriod(PythonCheckedConstraints, models.Model):
    """Days (inclusive) a specialist is away; they count no capacity."""

    specialist = models.ForeignKey(
        Specialist, on_delete=models.CASCADE, related_name="leave_periods"
    )
    start = models.DateField(validators=[DateInRange()])
    end = models.DateField(validators=[DateInRange()])
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="leave_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.specialist}: {self.start} to {self.end}"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": ["Must be on or after the start."]})


# What the person raising a request gives (the API's input and the portal's form alike).
INTAKE_REQUEST_INPUT = [
    "title",
    "partner",
    "partner_name",
    "therapeutic_area",
    "alliance_type",
    "direction",
    "description",
    "differentiating",
    "mission_critical",
    "complexity",
    "estimated_value",
    "currency",
    "desired_start_date",
    "requested_services",
    "confidential",
]


class IntakeRequest(PythonCheckedConstraints, models.Model):
    """A request for a new partnership to be resourced, coming through the front door."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_requests"
    )
    title = models.CharField(max_length=200)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="intake_requests"
    )
    partner_name = models.CharField(
        max_length=200, blank=True, help_text="A partner not yet on record."
    )
    therapeutic_area = models.ForeignKey(
        TherapeuticArea, on_delete=models.PROTECT, related_name="intake_requests"
    )
    alliance_type = models.CharField(max_length=30, choices=AllianceType.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    description = models.TextField()
    differentiating = models.BooleanField(help_text="Is it market differentiating?")
    mission_critical = models.BooleanField(help_text="Is it mission critical?")
    complexity = models.CharField(max_length=10, choices=Complexity.choices)
    estimated_value = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        max_length=3, blank=True, validators=[RegexValidator(r"^[A-Z]{3}$"), validate_currency]
    )
    desired_start_date = models.DateField(validators=[DateInRange()])
    requested_services = models.ManyToManyField(Service, related_name="intake_requests")
    confidential = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=IntakeStatus.choices, default=IntakeStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(help_text="When it last entered submitted.")
    sla_due = models.DateField(help_text="Triage is due by the end of this day.")
    decline_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    alliance = models.OneToOneField(
        Alliance, on_delete=models.PROTECT, null=True, blank=True, related_name="intake_request"
    )
    decision_recommendation = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The recommendation as it stood when the request was accepted or declined; "
        "empty for requests decided before it was kept.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IntakeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "sla_due"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partner__isnull=False, partner_name="")
                | models.Q(partner__isnull=True) & ~models.Q(partner_name=""),
                name="intake_partner_or_name",
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_value__isnull=True) | ~models.Q(currency=""),
                name="intake_value_has_currency",
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_value__isnull=True) | models.Q(estimated_value__gte=0),
                name="intake_value_non_negative",
            ),
            models.CheckConstraint(
                condition=_in("status", IntakeStatus), name="intake_status_valid"
            ),
            models.CheckConstraint(
                condition=_in("complexity", Complexity), name="intake_complexity_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=IntakeStatus.ACCEPTED)
                | models.Q(alliance__isnull=False),
                name="intake_accepted_has_alliance",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def is_overdue(self, day) -> bool:
        """querysets.intake_overdue_q, for one request already in memory."""
        return self.status in INTAKE_SLA_STATUSES and self.sla_due < day


class IntakeMessage(models.Model):
    """A triage question to the requester, or the requester's answer."""

    intake_request = models.ForeignKey(
        IntakeRequest, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.intake_request}"


class Assignment(models.Model):
    """A specialist (or other owner) delivering one service to one alliance."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="assignments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="assignments")
    specialist = models.ForeignKey(
        Specialist, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    intake_request = models.ForeignKey(
        IntakeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    recommendation = models.JSONField(
        default=dict, blank=True, help_text="The ranked candidates the choice was made from."
    )
    override_reason = models.TextField(blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["alliance", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "service"], name="assignment_unique_service"
            ),
        ]
        indexes = [models.Index(fields=["specialist", "created_at"])]

    def __str__(self) -> str:
        return f"{self.service} for {self.alliance}: {self.assignee}"


class Task(PythonCheckedConstraints, models.Model):
    """A dated piece of work on an alliance, in someone's queue."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="tasks")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tasks")
    template = models.ForeignKey(
        TaskTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks"
    )
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    blocked_reason = models.TextField(blank=True)
    due_date = models.DateField(validators=[DateInRange()])
    effort_hours = models.DecimalField(
        max_digits=6, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            # Covers queues, the recommendation's load sums and capacity per service without
            # reading the table.
            models.Index(
                fields=["assignee", "status", "due_date", "effort_hours", "service"],
                name="task_load_idx",
            ),
            # Covers the workbook's open and overdue counts per alliance.
            models.Index(fields=["alliance", "status", "due_date"]),
            # The task list in its order (by due date), read a page at a time without sorting
            # every task.
            models.Index(fields=["due_date"], name="task_due_order_idx"),
            # Counts a list's tasks without reading the table: who may see a task is said by
            # its alliance and its assignee.
            models.Index(fields=["alliance", "assignee", "status"], name="task_visible_count_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=_in("status", TaskStatus), name="task_status_valid"),
            models.CheckConstraint(condition=_in("priority", Priority), name="task_priority_valid"),
            models.CheckConstraint(
                condition=models.Q(effort_hours__gte=0), name="task_effort_non_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=TaskStatus.BLOCKED) | ~models.Q(blocked_reason=""),
                name="task_blocked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, day) -> bool:
        """querysets.task_overdue_q, for one task already in memory."""
        return self.status in OPEN_WORK and self.due_date < day
