from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliances import extensions, querysets
        from notifications.reminders import register_reminder
        from resourcing import hooks

        from . import compliance, reminders
        from . import lifecycle as handlers
        from .api import alliance_sections
        from .services import records

        # Sitting on one of an alliance's committees puts you on the alliance.
        querysets.register_involvement(handlers.sits_on_a_body)
        querysets.register_involvement_ids(handlers.body_alliance_ids)
        # An action item's task closed through the tasks API closes the item; the
        # recommendation shows whether a self-managed alliance's proposed lead is trained.
        hooks.register_task_moved_handler(records.task_moved)
        hooks.register_management_model_factor(compliance.proposed_lead_training)
        # Obligations due in 30 and 7 days and overdue; agreements' notice dates.
        register_reminder(reminders.contract_reminders)
        # An alliance's detail lists its agreements and next obligations.
        extensions.register_detail_sections(alliance_sections.sections)
