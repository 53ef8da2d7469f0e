from django.db.models import QuerySet

from .models import StatusReport


def status_report_list(*, user) -> QuerySet[StatusReport]:
    return StatusReport.objects.visible_to(user).select_related("alliance", "author")
