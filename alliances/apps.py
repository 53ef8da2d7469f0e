from django.apps import AppConfig


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = "Alliances"
    default_auto_field = "django.db.models.BigAutoField"
