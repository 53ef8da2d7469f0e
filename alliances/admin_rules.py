"""The admin's permissions, declared once: each admin (and inline) names a rule per action,
(user, obj) -> bool, and RulesMixin answers Django's has_*_permission from them. Model
permissions follow the roles (alliances.access), never per-user Django permissions."""

from . import access


def staff(user, obj=None) -> bool:
    return user.is_active and user.is_staff


def head(user, obj=None) -> bool:
    return access.is_head(user)


def managers(user, obj=None) -> bool:
    """Alliance leads and the head."""
    return access.manages_alliances(user)


def superuser(user, obj=None) -> bool:
    return user.is_superuser


def nobody(user, obj=None) -> bool:
    return False


class RulesMixin:
    """For ModelAdmin and InlineModelAdmin alike: view by staff, writes by the head unless an
    admin names other rules."""

    view_rule = staticmethod(staff)
    add_rule = staticmethod(head)
    change_rule = staticmethod(head)
    delete_rule = staticmethod(head)

    def has_module_permission(self, request):
        return self.view_rule(request.user, None)

    def has_view_permission(self, request, obj=None):
        return self.view_rule(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self.add_rule(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return self.change_rule(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.delete_rule(request.user, obj)


class ReadOnlyRules(RulesMixin):
    """Written by services elsewhere (the API, actions, the front door), never edited here."""

    add_rule = change_rule = delete_rule = staticmethod(nobody)


class ManagersWriteRules(RulesMixin):
    """Leads and the head add and change; nobody deletes (history refers to it)."""

    add_rule = change_rule = staticmethod(managers)
    delete_rule = staticmethod(nobody)
