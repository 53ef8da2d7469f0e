"""The admin's permissions, declared once: each admin (and inline) names a rule per action,
(user, obj) -> bool, and RulesMixin answers Django's has_*_permission from them. Model
permissions follow the roles (alliances.access), never per-user Django permissions."""

from django.http import Http404

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

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """A page for something the user may not see (or that is not there) is a 404, as in
        the API, not Django's redirect to the index."""
        raise Http404(f"No {opts.verbose_name} with that ID is visible to you.")


class ReadOnlyRules(RulesMixin):
    """Written by services elsewhere (the API, actions, the front door), never edited here."""

    add_rule = change_rule = delete_rule = staticmethod(nobody)


class ManagersWriteRules(RulesMixin):
    """Leads and the head add and change; nobody deletes (history refers to it)."""

    add_rule = change_rule = staticmethod(managers)
    delete_rule = staticmethod(nobody)
