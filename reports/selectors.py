from django.db.models import QuerySet

from alliances.models import Alliance

from .models import StatusReport


def status_report_list(*, user) -> QuerySet[StatusReport]:
    visible = Alliance.objects.visible_to(user).values("pk")
    return StatusReport.objects.filter(alliance__in=visible).select_related("alliance", "author")
