import pycountry
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries.fields import CountryField

from config.constraints import PythonCheckedConstraints
from config.dates import DateInRange

from .choices import (
    AllianceType,
    Direction,
    ManagementModel,
    MemberRole,
    PartnerKind,
    PurposeQuadrant,
    Stage,
    Status,
    TransitionField,
)
from .querysets import (
    ActivityLogQuerySet,
    AllianceQuerySet,
    MembershipQuerySet,
    PartnerQuerySet,
    TransitionQuerySet,
)


def validate_currency(value: str) -> None:
    if pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(f"“{value}” is not an ISO 4217 currency code.")


def _in(field: str, choices) -> models.Q:
    return models.Q(**{f"{field}__in": choices.values})


class CodeManager(models.Manager):
    """Reference data is referred to by its code, in the API and in fixtures."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class TherapeuticArea(models.Model):
    """Reference data: a therapeutic area teams and specialists are organised by."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)

    objects = CodeManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class Partner(PythonCheckedConstraints, models.Model):
    """The other party to one or more alliances."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices)
    country = CountryField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="partner_name_unique_ci"),
            models.CheckConstraint(condition=_in("kind", PartnerKind), name="partner_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class CodeSequence(models.Model):
    """Counters behind immutable system references such as ALL-0042."""

    name = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class Alliance(PythonCheckedConstraints, models.Model):
    """A partnership, tracked through its product stage and its relationship status."""

    code = models.CharField(max_length=20, unique=True, editable=False)
    name = models.CharField(max_length=120, help_text="The code name people use, e.g. BOREALIS.")
    description = models.TextField(blank=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="alliances")
    therapeutic_area = models.ForeignKey(
        TherapeuticArea, on_delete=models.PROTECT, related_name="alliances"
    )
    alliance_type = models.CharField(max_length=30, choices=AllianceType.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PRE_POC)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STARTUP)
    management_model = models.CharField(max_length=30, choices=ManagementModel.choices)
    purpose_quadrant = models.CharField(max_length=20, choices=PurposeQuadrant.choices, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_alliances"
    )
    executive_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sponsored_alliances",
        null=True,
        blank=True,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="AllianceMembership",
        related_name="member_alliances",
        blank=True,
    )
    start_date = models.DateField(null=True, blank=True, validators=[DateInRange()])
    end_date = models.DateField(null=True, blank=True, validators=[DateInRange()])
    upfront_payment = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    potential_milestones = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$"), validate_currency],
        help_text="ISO 4217 code of the deal values.",
    )
    confidential = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AllianceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["stage", "status"]),
            models.Index(fields=["confidential"]),
            models.Index(fields=["name", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="alliance_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(upfront_payment__isnull=True) | models.Q(upfront_payment__gte=0),
                name="alliance_upfront_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(potential_milestones__isnull=True)
                | models.Q(potential_milestones__gte=0),
                name="alliance_milestones_non_negative",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(upfront_payment__isnull=True, potential_milestones__isnull=True)
                    | ~models.Q(currency="")
                ),
                name="alliance_money_has_currency",
            ),
            models.CheckConstraint(condition=_in("stage", Stage), name="alliance_stage_valid"),
            models.CheckConstraint(condition=_in("status", Status), name="alliance_status_valid"),
            models.CheckConstraint(
                condition=_in("management_model", ManagementModel),
                name="alliance_management_model_valid",
            ),
            models.CheckConstraint(
                condition=_in("alliance_type", AllianceType), name="alliance_type_valid"
            ),
            models.CheckConstraint(
                condition=_in("direction", Direction), name="alliance_direction_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        # The constraint's rule, said beside the field it concerns (forms show it there).
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": ["Must be on or after the start date."]})


class AllianceMembership(models.Model):
    """A person on an alliance team; being on it lets them see a confidential alliance."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alliance_memberships"
    )
    role = models.CharField(max_length=30, choices=MemberRole.choices, default=MemberRole.OTHER)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["alliance", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.alliance}"


class StageTransition(PythonCheckedConstraints, models.Model):
    """One move of an alliance's stage, status or management model."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="transitions")
    field = models.CharField(max_length=20, choices=TransitionField.choices)
    from_value = models.CharField(max_length=30)
    to_value = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    # Not auto_now_add, so history migrated from elsewhere keeps its real dates.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["alliance", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=_in("field", TransitionField), name="transition_field_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alliance}: {self.field} {self.from_value} → {self.to_value}"


class ActivityLog(models.Model):
    """Who changed what, when, with which request: written by services with the change."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200)
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, null=True, blank=True, related_name="activity"
    )
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ActivityLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["alliance", "-created_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.object_repr}"
