"""Committees (governance bodies), their members from both sides, meetings with their logistics
steps, minutes approved per side, decisions, action items, training for governance roles and
the private calendar address. Every row belongs to an alliance and is seen by whoever sees it."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from alliances.models import Alliance, Partner, validate_currency
from config.constraints import PythonCheckedConstraints
from config.dates import DateInRange
from resourcing.models import Task

from .choices import (
    FINANCIAL_KINDS,
    ActionStatus,
    AgreementKind,
    AgreementStatus,
    BodyKind,
    CourseKind,
    DecisionOutcome,
    DecisionRule,
    InternalFunction,
    MeetingStatus,
    MemberRole,
    ObligationDirection,
    ObligationKind,
    ObligationStatus,
    Recurrence,
    Side,
)
from .querysets import (
    ActionItemQuerySet,
    AgreementQuerySet,
    BodyMemberQuerySet,
    GovernanceBodyQuerySet,
    MeetingOwnedQuerySet,
    MeetingQuerySet,
    ObligationQuerySet,
    PartnerContactQuerySet,
)


def _in(field: str, choices) -> models.Q:
    return models.Q(**{f"{field}__in": choices.values})


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f'"{value}" is not a time zone; use an IANA name such as Europe/London.',
            code="invalid",
        )


class PartnerContact(models.Model):
    """A person at the partner who sits on a committee or owns an action item."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=120, blank=True, help_text="Job title at the partner.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerContactQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "partner",
                Lower("email"),
                condition=~models.Q(email=""),
                name="contact_email_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class GovernanceBody(PythonCheckedConstraints, models.Model):
    """A committee of the alliance; its parent is the next step on the escalation path."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="governance_bodies"
    )
    kind = models.CharField(max_length=20, choices=BodyKind.choices)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="Where the body escalates what it cannot decide.",
    )
    min_meetings_per_year = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(52)],
        help_text="The contract's minimum number of meetings a year.",
    )
    decision_rule = models.CharField(
        max_length=20, choices=DecisionRule.choices, default=DecisionRule.CONSENSUS
    )
    chartered_on = models.DateField(null=True, blank=True, validators=[DateInRange()])
    dissolved_on = models.DateField(null=True, blank=True, validators=[DateInRange()])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GovernanceBodyQuerySet.as_manager()

    class Meta:
        ordering = ["alliance", "name", "pk"]
        verbose_name_plural = "governance bodies"
        constraints = [
            models.UniqueConstraint("alliance", Lower("name"), name="body_name_unique_ci"),
            models.CheckConstraint(condition=_in("kind", BodyKind), name="body_kind_valid"),
            models.CheckConstraint(
                condition=_in("decision_rule", DecisionRule), name="body_decision_rule_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(dissolved_on__isnull=True)
                | models.Q(chartered_on__isnull=True)
                | models.Q(dissolved_on__gte=models.F("chartered_on")),
                name="body_dissolved_after_chartered",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="body_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.chartered_on and self.dissolved_on and self.dissolved_on < self.chartered_on:
            raise ValidationError(
                {"dissolved_on": ["A body is dissolved on or after its charter."]}
            )


class BodyMember(PythonCheckedConstraints, models.Model):
    """Someone on a committee: an internal user or a partner contact (exactly one)."""

    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="body_memberships",
    )
    contact = models.ForeignKey(
        PartnerContact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="body_memberships",
    )
    role = models.CharField(max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = BodyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["body", "role", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("role", MemberRole), name="member_role_valid"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, contact__isnull=True)
                | models.Q(user__isnull=True, contact__isnull=False),
                name="member_is_a_user_or_a_contact",
            ),
            models.UniqueConstraint(fields=["body", "user"], name="member_user_unique"),
            models.UniqueConstraint(fields=["body", "contact"], name="member_contact_unique"),
            # One co-chair per side.
            models.UniqueConstraint(
                fields=["body"],
                condition=models.Q(role=MemberRole.CO_CHAIR, user__isnull=False),
                name="one_internal_co_chair",
            ),
            models.UniqueConstraint(
                fields=["body"],
                condition=models.Q(role=MemberRole.CO_CHAIR, contact__isnull=False),
                name="one_partner_co_chair",
            ),
        ]
        indexes = [models.Index(fields=["user", "body"])]

    def __str__(self) -> str:
        return f"{self.user or self.contact} ({self.get_role_display()}, {self.body})"

    @property
    def side(self) -> str:
        return Side.INTERNAL if self.user_id else Side.PARTNER


class Meeting(PythonCheckedConstraints, models.Model):
    """A meeting of a body. `alliance` repeats the body's, so lists and the visibility rule
    need no join."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="meetings")
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA name, e.g. Europe/London."
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    location = models.CharField(max_length=200, blank=True)
    call_link = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancel_reason = models.TextField(blank=True)
    # Raised on every reschedule and cancel (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    attendees = models.ManyToManyField(BodyMember, blank=True, related_name="meetings_attended")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["body", "status", "starts_at"]),
            models.Index(fields=["alliance", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("status", MeetingStatus), name="meeting_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.body} meeting"

    @property
    def local_start(self):
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))


class MeetingStep(models.Model):
    """A logistics task the meeting started (its `meeting`-anchored playbook steps)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="steps")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="meeting_step")

    class Meta:
        ordering = ["meeting", "task__due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.task} for {self.meeting}"


class Minutes(PythonCheckedConstraints, models.Model):
    """A meeting's minutes: the draft, then approval by each side."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(blank=True)
    document_url = models.URLField(max_length=500, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    internal_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    internal_approved_at = models.DateTimeField(null=True, blank=True)
    # The partner's approval: who at the partner approved, and who recorded it here.
    partner_approved_by = models.ForeignKey(
        PartnerContact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_approved_at = models.DateTimeField(null=True, blank=True)
    partner_approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingOwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "minutes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(internal_approved_at__isnull=True)
                | models.Q(internal_approved_by__isnull=False),
                name="minutes_internal_approval_has_approver",
            ),
            models.CheckConstraint(
                condition=models.Q(partner_approved_at__isnull=True)
                | models.Q(partner_approved_by__isnull=False),
                name="minutes_partner_approval_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"


class Decision(PythonCheckedConstraints, models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    escalated_to = models.ForeignKey(
        GovernanceBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
        help_text="A body up the escalation path (only when escalated).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting__starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("outcome", DecisionOutcome), name="decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome=DecisionOutcome.ESCALATED, escalated_to__isnull=False)
                | (
                    ~models.Q(outcome=DecisionOutcome.ESCALATED)
                    & models.Q(escalated_to__isnull=True)
                ),
                name="decision_escalated_names_a_body",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(PythonCheckedConstraints, models.Model):
    """Something a meeting asked someone to do. An internal owner's open item is also a task
    in their queue (`task`)."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    owner_contact = models.ForeignKey(
        PartnerContact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    due_date = models.DateField(validators=[DateInRange()])
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    note = models.TextField(blank=True)
    task = models.OneToOneField(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_item"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["owner_user", "status", "due_date"]),
            models.Index(fields=["alliance", "status", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("status", ActionStatus), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=False, owner_contact__isnull=True)
                | models.Q(owner_user__isnull=True, owner_contact__isnull=False),
                name="action_owner_is_a_user_or_a_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingCourse(PythonCheckedConstraints, models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=CourseKind.choices)
    description = models.TextField(blank=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long a completion counts; empty: it never expires.",
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", CourseKind), name="course_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingCompletion(models.Model):
    """A user completed a course on a day; `expires_on` is computed from the course's validity
    when the completion is recorded (and again when the validity changes)."""

    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions"
    )
    completed_on = models.DateField(validators=[DateInRange()])
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "pk"]
        indexes = [models.Index(fields=["user", "expires_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user", "completed_on"], name="completion_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} completed {self.course} on {self.completed_on}"


class CalendarFeed(models.Model):
    """A user's private calendar address. The secret in it signs in as nobody: it only reads
    that user's feed, and making a new one retires the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar of {self.user}"


# Agreements and obligations ------------------------------------------------------------------


class Agreement(PythonCheckedConstraints, models.Model):
    """Something the alliance signed, or will: the main agreement, subsidiary agreements,
    amendments. The document itself stays in the company's contract repository."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(max_length=20, choices=AgreementKind.choices)
    title = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The agreement an amendment or a subsidiary agreement belongs to.",
    )
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.PLANNED
    )
    owning_function = models.CharField(max_length=30, choices=InternalFunction.choices, blank=True)
    target_date = models.DateField(
        null=True,
        blank=True,
        validators=[DateInRange()],
        help_text="The trigger date a subsidiary agreement must be in place by.",
    )
    effective_date = models.DateField(null=True, blank=True, validators=[DateInRange()])
    expiry_date = models.DateField(null=True, blank=True, validators=[DateInRange()])
    notice_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text="Days of notice before expiry (to renew or end it).",
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="Days from a triggering event (or an invoice) to payment.",
    )
    document_url = models.URLField(
        max_length=500, blank=True, help_text="Where it is in the contract repository."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["alliance", "kind", "title", "pk"]
        indexes = [models.Index(fields=["alliance", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", AgreementKind), name="agreement_kind_valid"
            ),
            models.CheckConstraint(
                condition=_in("status", AgreementStatus), name="agreement_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_date__isnull=True)
                | models.Q(effective_date__isnull=True)
                | models.Q(expiry_date__gte=models.F("effective_date")),
                name="agreement_expires_after_effective",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.effective_date and self.expiry_date and self.expiry_date < self.effective_date:
            raise ValidationError(
                {"expiry_date": ["An agreement expires on or after it takes effect."]}
            )

    @property
    def notice_date(self):
        """The last day to give notice before expiry (None without both)."""
        if self.expiry_date is None or self.notice_days is None:
            return None
        return self.expiry_date - datetime.timedelta(days=self.notice_days)


class AgreementStep(models.Model):
    """A playbook step (anchor `trigger`) a subsidiary agreement started."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="steps")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="agreement_step")

    class Meta:
        ordering = ["agreement", "task__due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.task} for {self.agreement}"


class Obligation(PythonCheckedConstraints, models.Model):
    """What is owed under an agreement, by whom, when. `alliance` repeats the agreement's, so
    the register and the visibility rule need no join."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="obligations")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(max_length=20, choices=ObligationKind.choices)
    direction = models.CharField(max_length=10, choices=ObligationDirection.choices)
    title = models.CharField(max_length=200)
    trigger_event = models.CharField(
        max_length=300, blank=True, help_text="What makes it due, e.g. “first patient dosed”."
    )
    triggered_on = models.DateField(null=True, blank=True, validators=[DateInRange()])
    due_date = models.DateField(null=True, blank=True, validators=[DateInRange()])
    amount = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        max_length=3, blank=True, validators=[validate_currency], help_text="ISO 4217."
    )
    we_invoice = models.BooleanField(
        default=False, help_text="An incoming payment we must invoice the partner for."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
    )
    status = models.CharField(
        max_length=20, choices=ObligationStatus.choices, default=ObligationStatus.UPCOMING
    )
    status_reason = models.TextField(blank=True, help_text="Why it was waived or is disputed.")
    met_on = models.DateField(null=True, blank=True, validators=[DateInRange()])
    note = models.TextField(blank=True)
    recurrence = models.CharField(
        max_length=20, choices=Recurrence.choices, blank=True, default=Recurrence.NONE
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_occurrence",
        help_text="The occurrence this one follows (recurring obligations).",
    )
    # The contract-and-finance task that prepares it (outgoing, or incoming we invoice).
    task = models.OneToOneField(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="obligation"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["alliance", "status", "due_date"]),
            models.Index(fields=["owner", "status", "due_date"]),
            # Cover the forecast's sums and the register's overdue count (with the alliance,
            # for the visibility rule) without reading the table: 100,000 rows in milliseconds.
            models.Index(
                fields=[
                    "status",
                    "due_date",
                    "kind",
                    "currency",
                    "direction",
                    "amount",
                    "alliance",
                ],
                name="obligation_money_due_idx",
            ),
            models.Index(
                fields=["status", "met_on", "kind", "currency", "direction", "amount", "alliance"],
                name="obligation_money_met_idx",
            ),
            # The register's currency filter (the currencies of the obligations one may see)
            # without reading the table, the alliances in order for the visibility rule.
            models.Index(fields=["currency", "alliance"], name="obligation_currency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", ObligationKind), name="obligation_kind_valid"
            ),
            models.CheckConstraint(
                condition=_in("direction", ObligationDirection), name="obligation_direction_valid"
            ),
            models.CheckConstraint(
                condition=_in("status", ObligationStatus), name="obligation_status_valid"
            ),
            models.CheckConstraint(
                condition=_in("recurrence", Recurrence), name="obligation_recurrence_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=FINANCIAL_KINDS)
                | (models.Q(amount__isnull=False) & ~models.Q(currency="")),
                name="financial_obligation_has_money",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[ObligationStatus.WAIVED, ObligationStatus.DISPUTED])
                | ~models.Q(status_reason=""),
                name="obligation_waived_or_disputed_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ObligationStatus.MET) | models.Q(met_on__isnull=False),
                name="obligation_met_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title
