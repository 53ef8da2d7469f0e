from django.contrib.auth import get_user_model
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import (
    ReadModelSerializer,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSerializer,
)

from .. import extensions
from ..access import roles_of
from ..choices import MemberRole, PartnerKind, TransitionField
from ..models import ActivityLog, Alliance, AllianceMembership, Partner, TherapeuticArea

User = get_user_model()


def full_name(user) -> str:
    return user.get_full_name() or user.get_username()


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "full_name": {"type": "string"},
        },
    }
)
class UserBriefField(serializers.Field):
    """A person as lists show them. A plain field rather than a nested serializer: lists of
    alliances render several per row, and this is their hot path."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user) -> dict:
        return {"id": user.pk, "username": user.username, "full_name": full_name(user)}


class UserSerializer(ReadModelSerializer):
    full_name = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "groups"]

    def get_full_name(self, user) -> str:
        return full_name(user)

    def get_groups(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    groups = serializers.ListField(child=serializers.CharField())
    specialist_id = serializers.IntegerField(allow_null=True)

    @staticmethod
    def describe(user) -> dict:
        return {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": full_name(user),
            "groups": sorted(roles_of(user)),
            # Specialist profiles arrive with the front door (resourcing app).
            "specialist_id": None,
        }


class TherapeuticAreaSerializer(StrictModelSerializer):
    class Meta:
        model = TherapeuticArea
        fields = ["code", "name"]


class PartnerSerializer(CountryFieldMixin, StrictModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "country", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        clash = Partner.objects.filter(name__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("A partner with this name already exists.")
        return value


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": PartnerKind.values},
        },
    }
)
class PartnerBriefField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, partner) -> dict:
        return {"id": partner.pk, "name": partner.name, "kind": partner.kind}


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
        },
    }
)
class AllianceBriefField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, alliance) -> dict:
        return {"id": alliance.pk, "code": alliance.code, "name": alliance.name}


class AllianceSerializer(ReadModelSerializer):
    partner = PartnerBriefField()
    therapeutic_area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead = UserBriefField()
    executive_sponsor = UserBriefField(allow_null=True)

    class Meta:
        model = Alliance
        fields = [
            "id",
            "code",
            "name",
            "partner",
            "therapeutic_area",
            "alliance_type",
            "direction",
            "stage",
            "status",
            "management_model",
            "purpose_quadrant",
            "lead",
            "executive_sponsor",
            "start_date",
            "end_date",
            "upfront_payment",
            "potential_milestones",
            "currency",
            "confidential",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        # Columns higher apps add (alliances.extensions), e.g. the latest status report.
        return {**super().get_fields(), **extensions.serializer_fields()}


class MembershipSerializer(ReadModelSerializer):
    user = UserBriefField()

    class Meta:
        model = AllianceMembership
        fields = ["user", "role", "added_at"]


class AllianceDetailSerializer(AllianceSerializer):
    members = MembershipSerializer(source="memberships", many=True)

    class Meta(AllianceSerializer.Meta):
        fields = [*AllianceSerializer.Meta.fields, "description", "members"]

    def get_fields(self):
        # Sections higher apps add (alliances.extensions), e.g. agreements and obligations.
        return {**super().get_fields(), **extensions.detail_serializer_fields()}


active_users = User.objects.filter(is_active=True)


class MemberInputSerializer(StrictSerializer):
    user = StrictPrimaryKeyRelatedField(queryset=active_users)
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.OTHER)


class AllianceInputSerializer(StrictModelSerializer):
    therapeutic_area = serializers.SlugRelatedField(
        slug_field="code", queryset=TherapeuticArea.objects.all()
    )
    lead = StrictPrimaryKeyRelatedField(queryset=active_users)
    executive_sponsor = StrictPrimaryKeyRelatedField(
        queryset=active_users, allow_null=True, required=False
    )

    field_hints = {
        "code": "The code is assigned by the system and never changes.",
        "stage": "Move it with POST alliances/{id}/transition/.",
        "status": "Move it with POST alliances/{id}/transition/.",
        "management_model": "Change it with POST alliances/{id}/transition/.",
        "members": "Add members with POST alliances/{id}/members/.",
        "confidential": "Only the head changes it, with POST alliances/{id}/confidentiality/.",
    }

    class Meta:
        model = Alliance
        fields = [
            "name",
            "description",
            "partner",
            "therapeutic_area",
            "alliance_type",
            "direction",
            "purpose_quadrant",
            "lead",
            "executive_sponsor",
            "start_date",
            "end_date",
            "upfront_payment",
            "potential_milestones",
            "currency",
        ]

    def get_fields(self):
        # A partner the writer may not see is, to them, a partner that does not exist.
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "partner" in fields:
            fields["partner"].queryset = Partner.objects.visible_to(request.user)
        return fields

    def validate(self, attrs):
        def value(name):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None)

        errors = {}
        start, end = value("start_date"), value("end_date")
        if start and end and end < start:
            errors["end_date"] = ["Must be on or after the start date."]
        has_money = (
            value("upfront_payment") is not None or value("potential_milestones") is not None
        )
        if has_money and not value("currency"):
            errors["currency"] = ["Give the ISO 4217 currency of the deal values, e.g. USD."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class AllianceCreateInputSerializer(AllianceInputSerializer):
    """The head registering an existing alliance may set where it already is."""

    members = MemberInputSerializer(many=True, required=False)

    field_hints = {"code": AllianceInputSerializer.field_hints["code"]}

    class Meta(AllianceInputSerializer.Meta):
        fields = [
            *AllianceInputSerializer.Meta.fields,
            "stage",
            "status",
            "management_model",
            "members",
            "confidential",
        ]
        extra_kwargs = {"stage": {"required": True}, "status": {"required": True}}

    def validate_members(self, members):
        users = [member["user"].pk for member in members]
        if len(users) != len(set(users)):
            raise serializers.ValidationError("Each person can be listed once.")
        return members


class ConfidentialityInputSerializer(StrictSerializer):
    confidential = serializers.BooleanField()
    note = serializers.CharField(max_length=4000)


class HandToSerializer(StrictSerializer):
    """Whom someone leaving the team hands their open work on the alliance to."""

    hand_to = StrictPrimaryKeyRelatedField(queryset=active_users, required=False)


class TransitionInputSerializer(StrictSerializer):
    field = serializers.ChoiceField(choices=TransitionField.choices)
    to = serializers.CharField(max_length=30)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ActivitySerializer(ReadModelSerializer):
    actor = UserBriefField(allow_null=True)
    object_type = serializers.CharField(source="content_type.model")

    class Meta:
        model = ActivityLog
        fields = [
            "id",
            "created_at",
            "actor",
            "verb",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "note",
            "request_id",
        ]
