from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class BackOfficeSite(admin.AdminSite):
    """The back office: open to every active user with a role; what each sees is scoped."""

    site_header = _("Case-to-reform back office")
    site_title = _("Case-to-reform")
    index_title = _("Back office")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or bool(getattr(user, "role", "")))

    def password_change(self, request, extra_context=None):
        # One page changes one's own password, and it clears a demand to change it.
        return redirect("password_change")
