import sys

from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import include, path
from django.views import csrf, defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.outage import outage_cause, outage_response

# /healthz, /readyz and /metrics are answered by config.probes.ProbeMiddleware, before the
# Host header is validated.

api_v1 = [
    path("", include("alliances.api.urls")),
    path("", include("resourcing.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("reports.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    # What reaches Django's own handler: a body over DATA_UPLOAD_MAX_MEMORY_SIZE read outside
    # the API's parsers, a disallowed host, too many fields.
    if _api(request):
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse({"detail": "The request body is over the size limit."}, status=413)
        return JsonResponse({"detail": "The request could not be read."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a session-authenticated API write without the CSRF token."""
    if _api(request):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return csrf.csrf_failure(request, reason)


def not_found(request, exception):
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    error = sys.exc_info()[1]
    cause = outage_cause(error)
    if cause is not None:  # raised outside a view, e.g. while saving the session
        return outage_response(request, error, cause)
    if _api(request):
        return JsonResponse(
            {
                "detail": "Something went wrong on our side; it has been logged.",
                "request_id": getattr(request, "request_id", ""),
            },
            status=500,
        )
    return defaults.server_error(request)


handler400 = bad_request
handler403 = permission_denied
handler404 = not_found
handler500 = server_error
