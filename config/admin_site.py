from functools import update_wrapper

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class BackOfficeSite(admin.AdminSite):
    """The back office, for the roles of ``accounts.use_back_office``; what each sees is scoped."""

    site_header = _("Case-to-reform back office")
    site_title = _("Case-to-reform")
    index_title = _("Back office")

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.has_perm("accounts.use_back_office")

    def admin_view(self, view, cacheable=False):
        """A signed-in user whose role has no back office is refused (403), not sent to the
        back office's login page as if signing in again would help."""
        inner = super().admin_view(view, cacheable)

        def gate(request, *args, **kwargs):
            signed_in = request.user.is_active and request.user.is_authenticated
            if signed_in and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(gate, inner)

    def password_change(self, request, extra_context=None):
        # One page changes one's own password, and it clears a demand to change it.
        return redirect("password_change")
