from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from config.api.idempotency import IdempotentMixin
from config.api.throttling import FailOpenScopedRateThrottle
from config.api.viewsets import ID, ReadViewSet

from .. import access, selectors, services
from ..filters import ALLIANCE_SEARCH_FIELDS, AllianceFilter, PartnerFilter, UserFilter
from ..models import Partner, TherapeuticArea
from .serializers import (
    ActivitySerializer,
    AllianceCreateInputSerializer,
    AllianceDetailSerializer,
    AllianceInputSerializer,
    AllianceSerializer,
    ConfidentialityInputSerializer,
    HandToSerializer,
    MemberInputSerializer,
    MembershipSerializer,
    PartnerSerializer,
    TherapeuticAreaSerializer,
    TransitionInputSerializer,
    UserSerializer,
)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token; throttled per client address, and
    locked out (django-axes) after repeated failures for a username from one address."""

    throttle_classes = [FailOpenScopedRateThrottle]
    throttle_scope = "token"
    permission_classes = [AllowAny]

    def post(self, request, *args, **kwargs):
        data = request.data if hasattr(request.data, "get") else {}
        username = data.get("username")
        credentials = {"username": username if isinstance(username, str) else ""}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return self._locked_out()
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                return self._locked_out()
            raise

    def _locked_out(self):
        response = Response(
            {"detail": "Too many failed sign-ins for this username from here; retry later."},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        cool_off = settings.AXES_COOLOFF_TIME
        if cool_off:
            response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response

    @extend_schema(responses={204: None})
    def delete(self, request):
        """Sign out: the token stops working."""
        if not request.user.is_authenticated:
            return Response({"detail": "Not signed in."}, status=status.HTTP_401_UNAUTHORIZED)
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Active users: all of them for leads and the head, only yourself for anyone else."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_name"]
    ordering = ["username"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.user_list(user=self.request.user)


class ReferenceViewSet(IdempotentMixin, viewsets.ModelViewSet):
    """Reference data: readable by everyone signed in; writes are checked by `can_write`."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_message = "Only the head of alliance management changes reference data."
    delete_message = "Only the head of alliance management deletes reference data."

    def can_write(self, user) -> bool:
        return access.can_change_reference_data(user)

    def can_delete(self, user) -> bool:
        return access.can_change_reference_data(user)

    def initial(self, request, *args, **kwargs):
        """Permission before validation: someone who may not write learns nothing from it."""
        super().initial(request, *args, **kwargs)
        if self.action in ("create", "partial_update"):
            require(self.can_write(request.user), self.write_message)
        if self.action == "destroy":
            require(self.can_delete(request.user), self.delete_message)

    def perform_create(self, serializer):
        serializer.instance = services.reference_create(
            actor=self.request.user, model=self.queryset.model, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.reference_update(
            actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.reference_delete(actor=self.request.user, instance=instance)


class TherapeuticAreaViewSet(ReferenceViewSet):
    queryset = TherapeuticArea.objects.all()
    serializer_class = TherapeuticAreaSerializer
    lookup_field = "code"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["name"]


class PartnerViewSet(ReferenceViewSet):
    """Partners: everyone's, except one named only by confidential alliances or requests,
    which only those who may see one of them see."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    search_fields = ["name"]
    ordering_fields = ["name", "kind", "country", "created_at"]
    ordering = ["name"]
    lookup_value_regex = ID
    write_message = "Only alliance leads and the head add or change partners."

    def get_queryset(self):
        return Partner.objects.visible_to(self.request.user)

    def can_write(self, user) -> bool:
        return access.can_change_partners(user)


class AllianceViewSet(ReadViewSet):
    """The portfolio. Confidential alliances exist only for the people on them and the head."""

    filterset_class = AllianceFilter
    search_fields = ALLIANCE_SEARCH_FIELDS
    ordering_fields = [
        "code",
        "name",
        "stage",
        "status",
        "management_model",
        "start_date",
        "end_date",
        "created_at",
        "updated_at",
    ]
    ordering = ["code"]
    lookup_value_regex = ID

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.alliance_detail_queryset(user=self.request.user)
        return selectors.alliance_list(user=self.request.user)

    def get_serializer_class(self):
        return AllianceSerializer if self.action == "list" else AllianceDetailSerializer

    def _changeable(self):
        alliance = self.get_object()
        require(
            access.can_change_alliance(self.request.user, alliance),
            "Only alliance leads and the head change alliances.",
        )
        return alliance

    def _detail(self, alliance, code=status.HTTP_200_OK):
        fresh = selectors.alliance_after_write(alliance=alliance)
        return Response(AllianceDetailSerializer(fresh).data, status=code)

    @extend_schema(request=AllianceCreateInputSerializer, responses={201: AllianceDetailSerializer})
    def create(self, request):
        """Register an existing alliance (the head only; new ones come through the front door)."""
        require(
            access.can_create_alliance(request.user),
            "New alliances come through the front door; only the head registers one directly.",
        )
        data = AllianceCreateInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        members = fields.pop("members", [])
        alliance = services.alliance_create(actor=request.user, data=fields, members=members)
        return self._detail(alliance, status.HTTP_201_CREATED)

    @extend_schema(request=AllianceInputSerializer, responses=AllianceDetailSerializer)
    def partial_update(self, request, pk=None):
        alliance = self._changeable()
        data = AllianceInputSerializer(
            instance=alliance, data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        services.alliance_update(actor=request.user, alliance=alliance, data=data.validated_data)
        return self._detail(alliance)

    @extend_schema(
        request=TransitionInputSerializer,
        responses={
            200: AllianceDetailSerializer,
            409: OpenApiResponse(description="illegal_transition"),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move stage, status or management model one allowed step, with a note where needed."""
        alliance = self._changeable()
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.alliance_transition(
            actor=request.user,
            alliance=alliance,
            backwards_allowed=access.is_head(request.user),
            **data.validated_data,
        )
        return self._detail(alliance)

    @extend_schema(responses=ActivitySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change to the alliance, newest first: transitions, edits and membership."""
        alliance = self.get_object()
        page = self.paginate_queryset(selectors.alliance_history(alliance=alliance))
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    @extend_schema(request=MemberInputSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        alliance = self._changeable()
        data = MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.alliance_member_add(
            actor=request.user, alliance=alliance, **data.validated_data
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "hand_to",
                int,
                description="Whom their open tasks and assignments here go to (a user id).",
            )
        ],
        responses={
            204: None,
            409: OpenApiResponse(description="member_has_work: name someone with hand_to"),
        },
    )
    @action(detail=True, methods=["delete"], url_path=rf"members/(?P<user_id>{ID})")
    def remove_member(self, request, pk=None, user_id=None):
        """Take someone off the team; `?hand_to=` passes their open work here to someone else.
        On a confidential alliance, removing someone who still holds work there is refused."""
        alliance = self._changeable()
        membership = get_object_or_404(alliance.memberships.all(), user_id=user_id)
        params = HandToSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        services.alliance_member_remove(
            actor=request.user,
            membership=membership,
            hand_to=params.validated_data.get("hand_to"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ConfidentialityInputSerializer,
        responses={
            200: AllianceDetailSerializer,
            409: OpenApiResponse(description="no_change or work_outside_team"),
        },
    )
    @action(detail=True, methods=["post"])
    def confidentiality(self, request, pk=None):
        """The head marks the alliance confidential or not, with a note; it is logged."""
        alliance = self.get_object()
        require(
            access.can_change_confidentiality(request.user),
            "Only the head of alliance management changes confidentiality.",
        )
        data = ConfidentialityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.alliance_set_confidential(
            actor=request.user, alliance=alliance, **data.validated_data
        )
        return self._detail(alliance)
