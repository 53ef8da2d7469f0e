from django.apps import AppConfig


class ResourcingConfig(AppConfig):
    name = "resourcing"
    verbose_name = "Front door and resourcing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliances import lifecycle, querysets
        from notifications.reminders import register_reminder

        from . import lifecycle as handlers
        from . import reminders

        querysets.register_involvement(handlers.assigned_to)
        querysets.register_involvement_ids(handlers.assigned_alliance_ids)
        querysets.register_partner_reference(handlers.intake_request_model)
        lifecycle.register_transition_check(handlers.refuse_closing_with_open_work)
        lifecycle.register_transition_handler(handlers.start_termination_playbook)
        lifecycle.register_departure_handler(handlers.hand_over_work)
        lifecycle.register_confidentiality_check(handlers.refuse_hiding_work)
        register_reminder(reminders.triage_reminders)
        register_reminder(reminders.overdue_task_reminders)
