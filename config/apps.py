from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PlatformConfig(AppConfig):
    """The cross-cutting machinery's own tables (idempotency keys)."""

    name = "config"
    label = "platform"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import db

        db.register()


class PortfolioAdminConfig(AdminConfig):
    """Django's admin app on the portfolio's own site (config.admin_site)."""

    default_site = "config.admin_site.PortfolioAdminSite"
