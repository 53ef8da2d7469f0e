from django.apps import AppConfig


class PlatformConfig(AppConfig):
    """The cross-cutting machinery's own tables (idempotency keys)."""

    name = "config"
    label = "platform"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"
