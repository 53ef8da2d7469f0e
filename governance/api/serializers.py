"""Committees, members, partner contacts, meetings and minutes as the API shows and takes them.
Inputs are strict (config.api.serializers): an unknown or read-only field, a naive datetime, an
unknown time zone or an id the caller cannot see is a 400 on that field."""

import zoneinfo
from functools import cache

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliances.api.serializers import AllianceBriefField, PartnerBriefField, UserBriefField
from alliances.calendar import today
from alliances.models import Alliance, Partner
from config.api.serializers import (
    AwareDateTimeField,
    ReadModelSerializer,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSerializer,
)

from ..choices import MemberRole, Side
from ..models import BodyMember, GovernanceBody, Meeting, MeetingStep, Minutes, PartnerContact

User = get_user_model()


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class TimeZoneField(serializers.CharField):
    """An IANA time zone name, e.g. Europe/London or Asia/Tokyo."""

    default_error_messages = {
        "unknown": "“{value}” is not a time zone; use an IANA name such as Europe/London."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in time_zone_names():
            self.fail("unknown", value=value[:64])
        return value


# Partner contacts ----------------------------------------------------------------------------


class PartnerContactSerializer(ReadModelSerializer):
    partner = PartnerBriefField()

    class Meta:
        model = PartnerContact
        fields = ["id", "partner", "name", "email", "title", "created_at"]


class PartnerContactInputSerializer(StrictModelSerializer):
    partner = StrictPrimaryKeyRelatedField(queryset=Partner.objects.none())

    class Meta:
        model = PartnerContact
        fields = ["partner", "name", "email", "title"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # A partner the caller may not see is, to them, one that does not exist.
            self.fields["partner"].queryset = Partner.objects.visible_to(user)


class PartnerContactUpdateSerializer(StrictModelSerializer):
    field_hints = {"partner": "A contact stays with their partner; add a new contact instead."}

    class Meta:
        model = PartnerContact
        fields = ["name", "email", "title"]


# Bodies and members --------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "title": {"type": "string"},
            "email": {"type": "string"},
        },
    }
)
class ContactBriefField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, contact) -> dict:
        return {
            "id": contact.pk,
            "name": contact.name,
            "title": contact.title,
            "email": contact.email,
        }


class BodyMemberSerializer(ReadModelSerializer):
    side = serializers.ChoiceField(choices=Side.choices, read_only=True)
    user = UserBriefField(allow_null=True)
    contact = ContactBriefField(allow_null=True)

    class Meta:
        model = BodyMember
        fields = ["id", "side", "role", "user", "contact", "added_at"]


class BodyMemberInputSerializer(StrictSerializer):
    user = StrictPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    contact = StrictPrimaryKeyRelatedField(
        queryset=PartnerContact.objects.none(), required=False, allow_null=True
    )
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["contact"].queryset = PartnerContact.objects.visible_to(user)

    def validate(self, attrs):
        if (attrs.get("user") is None) == (attrs.get("contact") is None):
            raise serializers.ValidationError(
                {"user": ["Give either user (one of ours) or contact (at the partner)."]}
            )
        return attrs


class BodyMemberUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)

    field_hints = {
        "user": "Remove the member and add the other person instead.",
        "contact": "Remove the member and add the other person instead.",
    }


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string"},
        },
    }
)
class BodyBriefField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, body) -> dict:
        return {"id": body.pk, "name": body.name, "kind": body.kind}


class GovernanceBodySerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    parent = BodyBriefField(allow_null=True)
    active = serializers.SerializerMethodField()
    members = BodyMemberSerializer(many=True, read_only=True)
    next_meeting_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = GovernanceBody
        fields = [
            "id",
            "alliance",
            "kind",
            "name",
            "parent",
            "min_meetings_per_year",
            "decision_rule",
            "chartered_on",
            "dissolved_on",
            "active",
            "members",
            "next_meeting_at",
            "created_at",
            "updated_at",
        ]

    def get_active(self, body) -> bool:
        """querysets.active_body_q, for one body in memory."""
        day = self.context.get("today") or today()
        chartered = body.chartered_on is None or body.chartered_on <= day
        return chartered and (body.dissolved_on is None or body.dissolved_on > day)


class GovernanceBodyInputSerializer(StrictModelSerializer):
    alliance = StrictPrimaryKeyRelatedField(queryset=Alliance.objects.none())
    parent = StrictPrimaryKeyRelatedField(
        queryset=GovernanceBody.objects.none(), required=False, allow_null=True
    )

    field_hints = {
        "members": "Add members with POST governance-bodies/{id}/members/.",
        "active": "It follows chartered_on and dissolved_on.",
    }

    class Meta:
        model = GovernanceBody
        fields = [
            "alliance",
            "kind",
            "name",
            "parent",
            "min_meetings_per_year",
            "decision_rule",
            "chartered_on",
            "dissolved_on",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            if "alliance" in self.fields:
                self.fields["alliance"].queryset = Alliance.objects.visible_to(user)
            self.fields["parent"].queryset = GovernanceBody.objects.visible_to(user)


class GovernanceBodyUpdateSerializer(GovernanceBodyInputSerializer):
    field_hints = {
        **GovernanceBodyInputSerializer.field_hints,
        "alliance": "A body stays with its alliance.",
    }

    class Meta(GovernanceBodyInputSerializer.Meta):
        fields = [f for f in GovernanceBodyInputSerializer.Meta.fields if f != "alliance"]


# Meetings ------------------------------------------------------------------------------------


class MeetingStepSerializer(ReadModelSerializer):
    task = serializers.IntegerField(source="task_id", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    due_date = serializers.DateField(source="task.due_date", read_only=True)
    status = serializers.CharField(source="task.status", read_only=True)
    assignee = UserBriefField(source="task.assignee")

    class Meta:
        model = MeetingStep
        fields = ["task", "title", "due_date", "status", "assignee"]


class MeetingSerializer(ReadModelSerializer):
    alliance = AllianceBriefField()
    body = BodyBriefField()
    local_start = serializers.SerializerMethodField()
    local_date = serializers.SerializerMethodField()
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    minutes_overdue = serializers.BooleanField(read_only=True)
    created_by = UserBriefField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "alliance",
            "body",
            "title",
            "starts_at",
            "time_zone",
            "local_start",
            "local_date",
            "duration_minutes",
            "location",
            "call_link",
            "status",
            "cancel_reason",
            "sequence",
            "attendees",
            "minutes_overdue",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_local_start(self, meeting) -> str:
        """The start in the meeting's own time zone, with its offset."""
        return meeting.local_start.isoformat()

    def get_local_date(self, meeting) -> str:
        """The meeting's day where it takes place (its logistics count from it)."""
        return meeting.local_start.date().isoformat()


class MeetingDetailSerializer(MeetingSerializer):
    steps = MeetingStepSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "steps"]


MEETING_TIME_HINT = "Move the meeting with POST meetings/{id}/reschedule/ and a reason."


class MeetingCreateSerializer(StrictModelSerializer):
    body = StrictPrimaryKeyRelatedField(queryset=GovernanceBody.objects.none())
    starts_at = AwareDateTimeField()
    time_zone = TimeZoneField()

    field_hints = {
        "status": "It moves with the held, cancel and minutes actions.",
        "alliance": "It is the body's alliance.",
    }

    class Meta:
        model = Meeting
        fields = [
            "body",
            "title",
            "starts_at",
            "time_zone",
            "duration_minutes",
            "location",
            "call_link",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["body"].queryset = GovernanceBody.objects.visible_to(user)


class MeetingUpdateSerializer(StrictModelSerializer):
    field_hints = {
        "starts_at": MEETING_TIME_HINT,
        "time_zone": MEETING_TIME_HINT,
        "status": "It moves with the held, cancel and minutes actions.",
        "body": "A meeting stays with its body; cancel it and schedule another.",
        "alliance": "It is the body's alliance.",
    }

    class Meta:
        model = Meeting
        fields = ["title", "duration_minutes", "location", "call_link"]


class RescheduleSerializer(StrictSerializer):
    starts_at = AwareDateTimeField()
    time_zone = TimeZoneField(required=False)
    reason = serializers.CharField(max_length=4000)


class CancelSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=4000)


class HeldSerializer(StrictSerializer):
    attendees = StrictPrimaryKeyRelatedField(
        many=True, queryset=BodyMember.objects.all(), allow_empty=False
    )

    def __init__(self, *args, body=None, **kwargs):
        super().__init__(*args, **kwargs)
        if body is not None:
            # Anyone else is not a member of this body, whatever other body they sit on.
            child = self.fields["attendees"].child_relation
            child.queryset = BodyMember.objects.filter(body=body)
            child.error_messages["does_not_exist"] = (
                f"{{pk_value}} is not a member of “{body.name}”."
            )

    def validate_attendees(self, members):
        return list({member.pk: member for member in members}.values())


# Minutes -------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"by": {"type": "object"}, "at": {"type": "string", "format": "date-time"}},
    }
)
class InternalApprovalField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, minutes):
        if minutes.internal_approved_at is None:
            return None
        return {
            "by": UserBriefField().to_representation(minutes.internal_approved_by),
            "at": minutes.internal_approved_at.isoformat(),
        }


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "contact": {"type": "object"},
            "at": {"type": "string", "format": "date-time"},
            "recorded_by": {"type": "object"},
        },
    }
)
class PartnerApprovalField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, minutes):
        if minutes.partner_approved_at is None:
            return None
        recorder = minutes.partner_approval_recorded_by
        return {
            "contact": ContactBriefField().to_representation(minutes.partner_approved_by),
            "at": minutes.partner_approved_at.isoformat(),
            "recorded_by": UserBriefField().to_representation(recorder) if recorder else None,
        }


class MinutesSerializer(ReadModelSerializer):
    drafted_by = UserBriefField()
    internal_approval = InternalApprovalField()
    partner_approval = PartnerApprovalField()
    approved = serializers.SerializerMethodField()
    meeting_status = serializers.CharField(source="meeting.status", read_only=True)

    class Meta:
        model = Minutes
        fields = [
            "meeting",
            "meeting_status",
            "text",
            "document_url",
            "drafted_by",
            "drafted_at",
            "internal_approval",
            "partner_approval",
            "approved",
            "updated_at",
        ]

    def get_approved(self, minutes) -> bool:
        """Both sides approved."""
        return bool(minutes.internal_approved_at and minutes.partner_approved_at)


class MinutesSavedSerializer(MinutesSerializer):
    approvals_cleared = serializers.BooleanField(
        read_only=True,
        help_text="The text or link changed after a side approved: the approvals were "
        "withdrawn and both sides approve again.",
    )

    class Meta(MinutesSerializer.Meta):
        fields = [*MinutesSerializer.Meta.fields, "approvals_cleared"]


class MinutesInputSerializer(StrictModelSerializer):
    field_hints = {
        "internal_approval": "Use POST meetings/{id}/minutes/approve/.",
        "partner_approval": "Use POST meetings/{id}/minutes/approve/.",
    }

    class Meta:
        model = Minutes
        fields = ["text", "document_url"]
        extra_kwargs = {"text": {"required": True, "allow_blank": False, "max_length": 200_000}}


class MinutesApproveSerializer(StrictSerializer):
    side = serializers.ChoiceField(choices=Side.choices)
    contact = StrictPrimaryKeyRelatedField(
        queryset=PartnerContact.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["contact"].queryset = PartnerContact.objects.visible_to(user)

    def validate(self, attrs):
        contact = attrs.get("contact")
        if attrs["side"] == Side.PARTNER and contact is None:
            raise serializers.ValidationError(
                {"contact": ["Name who approved at the partner (a partner contact id)."]}
            )
        if attrs["side"] == Side.INTERNAL and contact is not None:
            raise serializers.ValidationError(
                {"contact": ["Our side's approval is yours; a contact is for the partner's."]}
            )
        return attrs
