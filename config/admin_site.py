"""The web screens' site: django-unfold's admin, signed into by any active user.

What a user then sees is still each screen's own rule (alliances.admin_rules and the
QuerySets' visibility): a requester, who is not staff, reaches the portal pages and nothing
else."""

from django.contrib.auth.forms import AuthenticationForm as PlainAuthenticationForm
from unfold.forms import AuthenticationForm
from unfold.sites import UnfoldAdminSite


class SignInForm(AuthenticationForm):
    """Unfold's styled form without the admin's staff-only check."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": PlainAuthenticationForm.error_messages["invalid_login"],
    }

    def confirm_login_allowed(self, user):
        PlainAuthenticationForm.confirm_login_allowed(self, user)


class PortfolioAdminSite(UnfoldAdminSite):
    login_form = SignInForm
    site_header = "Alliance portfolio"
    site_title = "Alliance portfolio"
    index_title = "Home"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_authenticated
