"""`partner-contacts/` and `governance-bodies/` with their members. Everyone reads what they
may see (its alliance, or for a contact its partner); leads and the head write."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliances.access import manages_alliances
from alliances.api.views import require
from alliances.calendar import today
from config.api.viewsets import ID, ReadViewSet

from .. import selectors
from ..filters import GovernanceBodyFilter, PartnerContactFilter
from ..services import bodies as services
from .serializers import (
    BodyMemberInputSerializer,
    BodyMemberSerializer,
    BodyMemberUpdateSerializer,
    GovernanceBodyInputSerializer,
    GovernanceBodySerializer,
    GovernanceBodyUpdateSerializer,
    PartnerContactInputSerializer,
    PartnerContactSerializer,
    PartnerContactUpdateSerializer,
)


def can_write_bodies(user) -> bool:
    """Leads and the head, on alliances (and partners) they can see."""
    return manages_alliances(user)


WRITERS_ONLY = "Only alliance leads and the head change committees and partner contacts."


class PartnerContactViewSet(ReadViewSet):
    """People at partners who sit on committees or approve minutes; seen by whoever sees their
    partner."""

    serializer_class = PartnerContactSerializer
    filterset_class = PartnerContactFilter
    search_fields = ["name", "email", "title"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.partner_contact_list(user=self.request.user)

    def _respond(self, contact, code=status.HTTP_200_OK):
        fresh = selectors.partner_contact_list(user=self.request.user).get(pk=contact.pk)
        return Response(PartnerContactSerializer(fresh).data, status=code)

    @extend_schema(request=PartnerContactInputSerializer, responses={201: PartnerContactSerializer})
    def create(self, request):
        require(can_write_bodies(request.user), WRITERS_ONLY)
        data = PartnerContactInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        contact = services.partner_contact_create(actor=request.user, data=data.validated_data)
        return self._respond(contact, status.HTTP_201_CREATED)

    @extend_schema(request=PartnerContactUpdateSerializer, responses=PartnerContactSerializer)
    def partial_update(self, request, pk=None):
        contact = self.get_object()
        require(can_write_bodies(request.user), WRITERS_ONLY)
        data = PartnerContactUpdateSerializer(instance=contact, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.partner_contact_update(
            actor=request.user, contact=contact, data=data.validated_data
        )
        return self._respond(contact)


class GovernanceBodyViewSet(ReadViewSet):
    """An alliance's committees, each with its members from both sides, its parent on the
    escalation path and its next meeting. A body that never met goes with DELETE; one that did
    is dissolved (PATCH dissolved_on)."""

    serializer_class = GovernanceBodySerializer
    filterset_class = GovernanceBodyFilter
    search_fields = ["name", "alliance__code", "alliance__name"]
    ordering_fields = ["name", "kind", "chartered_on", "created_at"]
    ordering = ["alliance_id", "name", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.body_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": today()}

    def _respond(self, body, code=status.HTTP_200_OK):
        fresh = selectors.body_list(user=self.request.user).get(pk=body.pk)
        return Response(GovernanceBodySerializer(fresh).data, status=code)

    def _changeable(self):
        body = self.get_object()
        require(can_write_bodies(self.request.user), WRITERS_ONLY)
        return body

    @extend_schema(
        request=GovernanceBodyInputSerializer,
        responses={
            201: GovernanceBodySerializer,
            409: OpenApiResponse(description="alliance_closed"),
        },
    )
    def create(self, request):
        require(can_write_bodies(request.user), WRITERS_ONLY)
        data = GovernanceBodyInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        body = services.body_create(actor=request.user, data=data.validated_data)
        return self._respond(body, status.HTTP_201_CREATED)

    @extend_schema(request=GovernanceBodyUpdateSerializer, responses=GovernanceBodySerializer)
    def partial_update(self, request, pk=None):
        body = self._changeable()
        data = GovernanceBodyUpdateSerializer(
            instance=body, data=request.data, partial=True, user=request.user
        )
        data.is_valid(raise_exception=True)
        services.body_update(actor=request.user, body=body, data=data.validated_data)
        return self._respond(body)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="body_in_use: dissolve it instead"),
        }
    )
    def destroy(self, request, pk=None):
        body = self._changeable()
        services.body_delete(actor=request.user, body=body)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=BodyMemberSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request=BodyMemberInputSerializer,
        responses={
            201: BodyMemberSerializer,
            409: OpenApiResponse(description="co_chair_taken"),
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def members(self, request, pk=None):
        """The body's members; POST adds one: `user` (one of ours) or `contact` (a person at
        the alliance's partner), with a role. One co-chair per side."""
        if request.method == "GET":
            body = self.get_object()
            return Response(BodyMemberSerializer(body.members.all(), many=True).data)
        body = self._changeable()
        data = BodyMemberInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        member = services.body_member_add(actor=request.user, body=body, **data.validated_data)
        fresh = selectors.body_members().get(pk=member.pk)
        return Response(BodyMemberSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        request=BodyMemberUpdateSerializer,
        responses={200: BodyMemberSerializer, 409: OpenApiResponse(description="co_chair_taken")},
    )
    @extend_schema(methods=["DELETE"], responses={204: None})
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=rf"members/(?P<member_id>{ID})",
        url_name="member",
    )
    def member(self, request, pk=None, member_id=None):
        """Change a member's role, or take them off the body."""
        body = self._changeable()
        member = get_object_or_404(body.members.all(), pk=member_id)
        if request.method == "DELETE":
            services.body_member_remove(actor=request.user, member=member)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = BodyMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.body_member_update(actor=request.user, member=member, **data.validated_data)
        fresh = selectors.body_members().get(pk=member.pk)
        return Response(BodyMemberSerializer(fresh).data)


router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("partner-contacts", PartnerContactViewSet, basename="partner-contact")
router.register("governance-bodies", GovernanceBodyViewSet, basename="governance-body")
