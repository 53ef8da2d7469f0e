from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliances import extensions
        from notifications.reminders import register_reminder

        from . import latest, reminders

        extensions.register_list_annotations(latest.annotations)
        extensions.register_filters(latest.filters)
        register_reminder(reminders.report_due_reminders)
