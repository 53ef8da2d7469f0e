"""The calendar: the caller's private address (`calendar/feed-url/`), the feed it points at
(`calendar/<secret>.ics`, read by calendar applications, which cannot send a token), and a
meeting as a single invitation (`meetings/<id>/invitation.ics`)."""

import hashlib
import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import path, re_path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.idempotency import IdempotentMixin
from config.api.serializers import StrictSerializer
from config.api.throttling import FailOpenScopedRateThrottle
from config.api.viewsets import ID

from .. import ical
from ..models import CalendarFeed, Meeting
from ..services import calendar as services

ICS = "text/calendar"
SECRET_PATTERN = "[A-Za-z0-9_-]{32,64}"
SECRET = re.compile(SECRET_PATTERN)
# A calendar client polls each address every few minutes to hours; this only stops a runaway
# one. Counted per address, not per client: Google and Outlook fetch many people's feeds from
# the same servers. Guessing a 256-bit secret is hopeless whatever the rate.
FEED_RATE = "60/minute"


def site(request) -> ical.Site:
    """SITE_URL when set (links in calendars outlive the request), else the request's own."""
    base = settings.SITE_URL or request.build_absolute_uri("/")
    return ical.Site(base.rstrip("/"))


def calendar_response(body: bytes, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{ICS}; charset=utf-8")
    # Someone's diary: never kept by a shared cache, nor by the browser.
    response["Cache-Control"] = "private, no-store"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class FeedUrlSerializer(serializers.Serializer):
    url = serializers.URLField(
        help_text="Your private calendar address: subscribe to it in a calendar application."
    )


class NewAddressSerializer(StrictSerializer):
    """No fields: POST makes a new address."""


class CalendarFeedUrlView(IdempotentMixin, APIView):
    """Your private calendar address (any signed-in user). GET gives it, making it on first
    use; POST makes a new one and retires the old, which then answers 404; DELETE revokes it."""

    def _answer(self, request, feed: CalendarFeed, code=status.HTTP_200_OK) -> Response:
        url = site(request).link(reverse("calendar-feed", kwargs={"secret": feed.secret}))
        response = Response({"url": url}, status=code)
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(responses=FeedUrlSerializer)
    def get(self, request):
        return self._answer(request, services.calendar_feed_get_or_create(actor=request.user))

    @extend_schema(request=NewAddressSerializer, responses={201: FeedUrlSerializer})
    def post(self, request):
        NewAddressSerializer(data=request.data).is_valid(raise_exception=True)
        feed = services.calendar_feed_renew(actor=request.user)
        return self._answer(request, feed, status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request):
        services.calendar_feed_revoke(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedThrottle(FailOpenScopedRateThrottle):
    """Per calendar address, keyed by a hash so the cache never holds a secret."""

    def get_rate(self):
        return FEED_RATE

    def get_cache_key(self, request, view):
        secret = view.kwargs.get("secret", "")
        return self.cache_format % {
            "scope": self.scope,
            "ident": hashlib.sha256(secret.encode()).hexdigest(),
        }


SECRET_PARAMETER = OpenApiParameter(
    "secret",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=f"^{SECRET_PATTERN}$",
    description="The secret of a calendar address, as GET calendar/feed-url/ gives it.",
)


class CalendarFeedView(APIView):
    """A calendar application reads this; the secret in the address is the only credential,
    and it signs in as nobody: it reads its owner's feed and nothing else. The meetings of the
    bodies the owner sits on or whose alliances they lead (90 days back to a year ahead,
    cancelled ones as STATUS:CANCELLED) and the due dates of their open tasks and action items,
    all as the owner sees them in the API. A retired, revoked or unknown address, or an
    inactive owner, is a 404."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [FeedThrottle]
    throttle_scope = "calendar_feed"

    def perform_content_negotiation(self, request, force=False):
        # A client asking for text/calendar still gets its errors (as JSON).
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        auth=[],
        parameters=[SECRET_PARAMETER],
        responses={
            (200, ICS): OpenApiTypes.BINARY,
            429: OpenApiResponse(description="This address was read too often; retry later."),
        },
    )
    def get(self, request, secret: str):
        if not SECRET.fullmatch(secret):
            raise Http404
        feed = (
            CalendarFeed.objects.select_related("user")
            .filter(secret=secret, user__is_active=True)
            .first()
        )
        if feed is None:
            raise Http404
        owner = feed.user
        content = ical.feed_content(owner)
        name = f"Alliance portfolio: {owner.get_full_name() or owner.get_username()}"
        return calendar_response(ical.feed_calendar(content, site(request), name))


class MeetingInvitationView(APIView):
    """One meeting as an .ics file to add to a calendar, for whoever can see the meeting."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={(200, ICS): OpenApiTypes.BINARY},
    )
    def get(self, request, id: int):
        rows = ical.meeting_rows(Meeting.objects.visible_to(request.user).filter(pk=id))
        if not rows:
            raise Http404
        body = ical.invitation_calendar(rows[0], site(request))
        return calendar_response(body, filename=f"meeting-{rows[0].pk}.ics")


urlpatterns = [
    path("calendar/feed-url/", CalendarFeedUrlView.as_view(), name="calendar-feed-url"),
    path("calendar/<str:secret>.ics", CalendarFeedView.as_view(), name="calendar-feed"),
    re_path(
        rf"^meetings/(?P<id>{ID})/invitation\.ics$",
        MeetingInvitationView.as_view(),
        name="meeting-invitation",
    ),
]
