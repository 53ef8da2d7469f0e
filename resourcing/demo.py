"""The demo's work and requests are dated around a reference Monday; on loading they move by
whole weeks to around today, so people are on leave now and some work is overdue now."""

import datetime

from alliances.calendar import today

from .models import Assignment, IntakeMessage, IntakeRequest, LeavePeriod, Task

REFERENCE_MONDAY = datetime.date(2026, 11, 23)

SHIFTED = {
    LeavePeriod: ["start", "end"],
    Task: ["due_date", "completed_at", "created_at", "updated_at"],
    Assignment: ["created_at"],
    IntakeRequest: [
        "desired_start_date",
        "submitted_at",
        "sla_due",
        "decided_at",
        "created_at",
        "updated_at",
    ],
    IntakeMessage: ["created_at"],
}


def after_resourcing_loaded() -> None:
    weeks = (today() - REFERENCE_MONDAY).days // 7
    if weeks == 0:
        return
    delta = datetime.timedelta(weeks=weeks)
    for model, fields in SHIFTED.items():
        rows = list(model.objects.all())
        for row in rows:
            for name in fields:
                value = getattr(row, name)
                if value is not None:
                    setattr(row, name, value + delta)
        # bulk_update skips auto_now, so updated_at keeps the shifted value.
        model.objects.bulk_update(rows, fields, batch_size=500)
