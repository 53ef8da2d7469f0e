from django.apps import AppConfig


class ResourcingConfig(AppConfig):
    name = "resourcing"
    verbose_name = "Front door and resourcing"
    default_auto_field = "django.db.models.BigAutoField"
