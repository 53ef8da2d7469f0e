"""Third-party admins on the same look as ours: django-unfold's ModelAdmin under each of them
(auth groups, Celery schedules, sign-in lockouts, API tokens)."""

from django.contrib import admin
from unfold.admin import ModelAdmin


def _restyle(model, admin_class) -> None:
    """Re-register `model` with its admin class mixed with unfold's ModelAdmin."""
    restyled = type(admin_class.__name__, (admin_class, ModelAdmin), {})
    admin.site.unregister(model)
    admin.site.register(model, restyled)


def restyle_installed() -> None:
    for model, model_admin in list(admin.site._registry.items()):
        third_party = model._meta.app_label in {"auth", "django_celery_beat", "axes", "authtoken"}
        if third_party and not isinstance(model_admin, ModelAdmin):
            _restyle(model, type(model_admin))


restyle_installed()
