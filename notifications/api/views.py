from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.viewsets import ReadViewSet

from .. import selectors, services
from ..filters import NotificationFilter
from .serializers import (
    NotificationSerializer,
    PreferenceSerializer,
    PreferencesInputSerializer,
    ReadAllSerializer,
)


class NotificationViewSet(ReadViewSet):
    """Your inbox, newest first; `?unread=true` for what you have not read. A notification
    about an alliance you no longer see leaves it with your access."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["text"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user)

    @extend_schema(request=ReadAllSerializer, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        ReadAllSerializer(data=request.data).is_valid(raise_exception=True)
        services.notifications_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=ReadAllSerializer,
        responses={200: {"type": "object", "properties": {"read": {"type": "integer"}}}},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        ReadAllSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({"read": services.notifications_read(user=request.user)})


class PreferencesView(APIView):
    """How email reaches you, per kind: `immediately`, `daily_digest` or `off` (the inbox always
    has everything)."""

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request):
        return Response(selectors.preferences(user=request.user))

    @extend_schema(request=PreferencesInputSerializer, responses=PreferenceSerializer(many=True))
    def patch(self, request):
        data = PreferencesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_update(user=request.user, changes=data.validated_data)
        return Response(selectors.preferences(user=request.user), status=status.HTTP_200_OK)
