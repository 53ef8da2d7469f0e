"""The URLconf of config.settings.bench_services only: config.urls plus the floor view, the
alliances list's page built straight from `.values()` with no serializer, pagination class,
filter backend or content negotiation. Same reader, same visibility rule, same latest-report
columns, same order and page size, same JSON shape: what is left is the floor a list endpoint
cannot go below (middleware, token, the two queries, JSON). Never mounted in production."""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from alliances import extensions
from alliances.models import Alliance
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401

COLUMNS = [
    "id",
    "code",
    "name",
    "partner_id",
    "partner__name",
    "partner__kind",
    "therapeutic_area__code",
    "alliance_type",
    "direction",
    "stage",
    "status",
    "management_model",
    "purpose_quadrant",
    "lead_id",
    "lead__username",
    "lead__first_name",
    "lead__last_name",
    "executive_sponsor_id",
    "executive_sponsor__username",
    "executive_sponsor__first_name",
    "executive_sponsor__last_name",
    "start_date",
    "end_date",
    "upfront_payment",
    "potential_milestones",
    "currency",
    "confidential",
    "created_at",
    "updated_at",
]


def _person(row, prefix):
    pk = row.pop(f"{prefix}_id")
    username = row.pop(f"{prefix}__username")
    first, last = row.pop(f"{prefix}__first_name"), row.pop(f"{prefix}__last_name")
    if pk is None:
        return None
    return {"id": pk, "username": username, "full_name": f"{first} {last}".strip() or username}


def floor_alliances(request):
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed as error:
        return JsonResponse({"detail": str(error.detail)}, status=401)
    if found is None:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    user = found[0]
    size = min(int(request.GET.get("page_size", 50)), 500)
    page = max(int(request.GET.get("page", 1)), 1)
    alliances = extensions.annotate(Alliance.objects.visible_to(user)).order_by("code")
    names = [*COLUMNS, *extensions.serializer_fields()]
    results = []
    for row in alliances.values(*names)[(page - 1) * size : page * size]:
        row["partner"] = {
            "id": row.pop("partner_id"),
            "name": row.pop("partner__name"),
            "kind": row.pop("partner__kind"),
        }
        row["therapeutic_area"] = row.pop("therapeutic_area__code")
        row["lead"] = _person(row, "lead")
        row["executive_sponsor"] = _person(row, "executive_sponsor")
        for money in ("upfront_payment", "potential_milestones"):
            if row[money] is not None:
                row[money] = str(row[money])
        results.append(row)
    count = alliances.count()
    return JsonResponse(
        {
            "count": count,
            "next": None if page * size >= count else f"?page={page + 1}&page_size={size}",
            "previous": None if page == 1 else f"?page={page - 1}&page_size={size}",
            "results": results,
        }
    )


urlpatterns = [
    path("bench/floor/alliances/", floor_alliances, name="bench-floor-alliances"),
    path("", include("config.urls")),
]
