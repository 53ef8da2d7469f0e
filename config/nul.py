"""A NUL character can never be stored or looked up (PostgreSQL refuses it outright), so a
request carrying one in its path or query is answered 400 before it reaches a view."""

from django.http import JsonResponse


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any(
                "\x00" in key or any("\x00" in v for v in values)
                for key, values in request.GET.lists()
            )
        ):
            return JsonResponse(
                {"detail": "The address contains a NUL character, which is never valid."},
                status=400,
            )
        return self.get_response(request)
