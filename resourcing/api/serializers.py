import itertools

from django.contrib.auth import get_user_model
from rest_framework import serializers

from alliances.api.serializers import (
    AllianceBriefField,
    AllianceDetailSerializer,
    MeSerializer,
    PartnerBriefField,
    UserBriefField,
)
from alliances.calendar import business_days_since, local_date, today
from alliances.choices import ManagementModel, Stage
from alliances.models import Alliance, Partner, TherapeuticArea
from config.api.serializers import (
    ReadModelSerializer,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSerializer,
)
from notifications.selectors import unread_count

from ..models import (
    INTAKE_REQUEST_INPUT,
    Assignment,
    IntakeMessage,
    IntakeRequest,
    LeavePeriod,
    Service,
    Specialist,
    Task,
    TaskTemplate,
)
from ..recommendation import purpose_quadrant

User = get_user_model()


class MeWithSpecialistSerializer(MeSerializer):
    unread_notifications = serializers.IntegerField(min_value=0)

    @staticmethod
    def describe(user) -> dict:
        profile = Specialist.objects.filter(user=user).values_list("pk", flat=True).first()
        return {
            **MeSerializer.describe(user),
            "specialist_id": profile,
            "unread_notifications": unread_count(user=user),
        }


class TaskTemplateSerializer(ReadModelSerializer):
    class Meta:
        model = TaskTemplate
        fields = ["id", "title", "description", "anchor", "offset_days", "effort_hours", "priority"]


class ServiceSerializer(ReadModelSerializer):
    playbook = TaskTemplateSerializer(source="templates", many=True)

    class Meta:
        model = Service
        fields = ["code", "name", "description", "playbook"]


class LeavePeriodSerializer(StrictModelSerializer):
    class Meta:
        model = LeavePeriod
        fields = ["start", "end", "note"]

    def validate(self, attrs):
        # A PATCH replaces the whole list, so each period is complete even then (DRF's partial
        # reaches nested items and would let start or end go missing).
        missing = {
            name: ["This field is required."] for name in ("start", "end") if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": ["Must be on or after the start."]})
        return attrs


class SpecialistSerializer(ReadModelSerializer):
    user = UserBriefField()
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    therapeutic_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    leave_periods = LeavePeriodSerializer(many=True, read_only=True)
    open_tasks = serializers.IntegerField(read_only=True)
    on_leave_today = serializers.SerializerMethodField()

    class Meta:
        model = Specialist
        fields = [
            "id",
            "user",
            "services",
            "therapeutic_areas",
            "weekly_capacity_hours",
            "wip_limit",
            "active",
            "leave_periods",
            "on_leave_today",
            "open_tasks",
        ]

    def get_on_leave_today(self, specialist) -> bool:
        day = today()
        return any(p.start <= day <= p.end for p in specialist.leave_periods.all())


class SpecialistInputSerializer(StrictModelSerializer):
    user = StrictPrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    services = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Service.objects.all()
    )
    therapeutic_areas = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=TherapeuticArea.objects.all(), required=False
    )
    leave_periods = LeavePeriodSerializer(many=True, required=False)

    field_hints = {"open_tasks": "It is counted from the specialist's tasks."}

    def validate_leave_periods(self, periods):
        ordered = sorted(periods, key=lambda p: p["start"])
        for earlier, later in itertools.pairwise(ordered):
            if later["start"] <= earlier["end"]:
                raise serializers.ValidationError(
                    f"Leave from {later['start']} overlaps leave ending {earlier['end']}."
                )
        return periods

    class Meta:
        model = Specialist
        fields = [
            "user",
            "services",
            "therapeutic_areas",
            "weekly_capacity_hours",
            "wip_limit",
            "active",
            "leave_periods",
        ]


class SpecialistUpdateSerializer(SpecialistInputSerializer):
    field_hints = {
        **SpecialistInputSerializer.field_hints,
        "user": "A profile belongs to one person; create another for someone else.",
    }

    class Meta(SpecialistInputSerializer.Meta):
        fields = [f for f in SpecialistInputSerializer.Meta.fields if f != "user"]


class IntakeMessageSerializer(ReadModelSerializer):
    author = UserBriefField()

    class Meta:
        model = IntakeMessage
        fields = ["kind", "author", "text", "created_at"]


class IntakeRequestSerializer(ReadModelSerializer):
    requester = UserBriefField()
    partner = PartnerBriefField(allow_null=True)
    therapeutic_area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requested_services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    purpose_quadrant = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    age_business_days = serializers.SerializerMethodField()
    decided_by = UserBriefField(allow_null=True)

    class Meta:
        model = IntakeRequest
        fields = [
            "id",
            "title",
            "requester",
            "partner",
            "partner_name",
            "therapeutic_area",
            "alliance_type",
            "direction",
            "description",
            "differentiating",
            "mission_critical",
            "purpose_quadrant",
            "complexity",
            "estimated_value",
            "currency",
            "desired_start_date",
            "requested_services",
            "confidential",
            "status",
            "submitted_at",
            "sla_due",
            "overdue",
            "age_business_days",
            "decline_reason",
            "decided_by",
            "decided_at",
            "alliance",
            "created_at",
            "updated_at",
        ]

    def get_purpose_quadrant(self, intake) -> str:
        return purpose_quadrant(
            differentiating=intake.differentiating, mission_critical=intake.mission_critical
        )

    def get_overdue(self, intake) -> bool:
        return intake.is_overdue(today())

    def get_age_business_days(self, intake) -> int:
        """Business days since it last entered submitted."""
        return business_days_since(local_date(intake.submitted_at), today())


class IntakeRequestDetailSerializer(IntakeRequestSerializer):
    messages = IntakeMessageSerializer(many=True)

    class Meta(IntakeRequestSerializer.Meta):
        fields = [*IntakeRequestSerializer.Meta.fields, "messages"]


class IntakeRequestInputSerializer(StrictModelSerializer):
    partner = StrictPrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False, allow_null=True
    )
    therapeutic_area = serializers.SlugRelatedField(
        slug_field="code", queryset=TherapeuticArea.objects.all()
    )
    requested_services = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Service.objects.all(), allow_empty=False
    )

    field_hints = {
        "status": "It moves with the triage, decline, request-info and answer actions.",
        "requester": "The requester is whoever submits it.",
    }

    class Meta:
        model = IntakeRequest
        fields = INTAKE_REQUEST_INPUT

    def get_fields(self):
        # A partner the requester may not see is, to them, a partner that does not exist.
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["partner"].queryset = Partner.objects.visible_to(request.user)
        return fields

    def validate(self, attrs):
        errors = {}
        partner, name = attrs.get("partner"), attrs.get("partner_name", "").strip()
        attrs["partner_name"] = name
        if partner and name:
            errors["partner_name"] = [
                "Give the partner on record or a new partner's name, not both."
            ]
        if not partner and not name:
            errors["partner"] = ["Choose a partner on record, or give partner_name for a new one."]
        if attrs.get("estimated_value") is not None and not attrs.get("currency"):
            errors["currency"] = ["Give the ISO 4217 currency of the estimated value."]
        services = [s.code for s in attrs.get("requested_services", [])]
        if len(services) != len(set(services)):
            errors["requested_services"] = ["Each service can be requested once."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=4000)


class QuestionSerializer(StrictSerializer):
    question = serializers.CharField(max_length=4000)


class AnswerSerializer(StrictSerializer):
    answer = serializers.CharField(max_length=4000)


class EmptySerializer(StrictSerializer):
    pass


class TaskSerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignee = UserBriefField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "alliance",
            "assignment",
            "service",
            "title",
            "description",
            "assignee",
            "status",
            "blocked_reason",
            "due_date",
            "overdue",
            "effort_hours",
            "priority",
            "completed_at",
            "created_at",
            "updated_at",
        ]

    def get_overdue(self, task) -> bool:
        return task.is_overdue(self.context.get("today") or today())


class TaskCreateSerializer(StrictModelSerializer):
    alliance = StrictPrimaryKeyRelatedField(queryset=Alliance.objects.all())
    service = serializers.SlugRelatedField(slug_field="code", queryset=Service.objects.all())
    assignee = StrictPrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    field_hints = {
        "status": "Move it with the task actions (start, complete, ...).",
    }

    class Meta:
        model = Task
        fields = [
            "alliance",
            "service",
            "title",
            "description",
            "assignee",
            "due_date",
            "effort_hours",
            "priority",
        ]

    def __init__(self, *args, visible_alliances=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_alliances is not None:
            self.fields["alliance"].queryset = visible_alliances


class TaskUpdateSerializer(StrictModelSerializer):
    field_hints = {
        "status": "Move it with the task actions (start, complete, ...).",
        "assignee": "Use POST tasks/{id}/reassign/ with a reason.",
        "alliance": "A task stays on its alliance.",
        "service": "A task stays with its service.",
    }

    class Meta:
        model = Task
        fields = ["title", "description", "due_date", "effort_hours", "priority"]


class ReassignSerializer(StrictSerializer):
    assignee = StrictPrimaryKeyRelatedField(queryset=User.objects.all())
    reason = serializers.CharField(max_length=4000)


class AssignmentSerializer(ReadModelSerializer):
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignee = UserBriefField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "alliance",
            "service",
            "specialist",
            "assignee",
            "override_reason",
            "recommendation",
            "created_at",
        ]


class OverrideSerializer(StrictSerializer):
    specialist = StrictPrimaryKeyRelatedField(queryset=Specialist.objects.all())
    reason = serializers.CharField(max_length=4000)


class AcceptAllianceSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    lead = StrictPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    executive_sponsor = StrictPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)


class AcceptSerializer(StrictSerializer):
    management_model = serializers.ChoiceField(choices=ManagementModel.choices)
    services = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Service.objects.all(),
        required=False,
        allow_empty=False,
    )
    overrides = serializers.DictField(child=OverrideSerializer(), required=False)
    alliance = AcceptAllianceSerializer(required=False)

    def validate_services(self, services):
        codes = [s.code for s in services]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError("Each service can be accepted once.")
        return services


class AcceptResultSerializer(serializers.Serializer):
    alliance = AllianceDetailSerializer()
    assignments = AssignmentSerializer(many=True)
    tasks = TaskSerializer(many=True)
