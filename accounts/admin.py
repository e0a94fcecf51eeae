from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .admin_base import ScopedAdmin, SystemSettingsAdmin
from .models import Digest, OrgUnit, User
from .roles import Role

WHOLE_TREE_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin, TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "kind", "doc_abbr", "sector"]
    list_filter = ["kind", "sector"]
    search_fields = ["name", "doc_abbr"]
    filter_horizontal = ["posted_to"]

    def is_filtered(self, request):
        # Someone who sees only a subtree cannot drill down from the roots they cannot see;
        # they get the flat list of their jurisdiction, in tree order.
        user = request.user
        if not (user.is_superuser or user.role in WHOLE_TREE_ROLES):
            return True
        return super().is_filtered(request)


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password an administrator sets is known to them: the user must replace it."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "org_unit", "title", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "phone", "org_unit__name"]
    list_select_related = ["org_unit"]
    autocomplete_fields = ["org_unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "title", "phone", "email"]}),
        (_("Role and jurisdiction"), {"fields": ["role", "org_unit"]}),
        (
            _("Status"),
            {"fields": ["is_active", "must_change_password", "last_login", "date_joined"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "role", "org_unit", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    change_password_form = ResetPasswordForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the initial password is the administrator's
        super().save_model(request, obj, form, change)


@admin.register(Digest)
class DigestAdmin(SystemSettingsAdmin):
    """The outbox: what was sent, what waits for a retry, and what failed with which error."""

    list_display = ["recipient", "day", "channel", "is_report", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "is_report", "day"]
    search_fields = ["recipient__username", "recipient__full_name", "last_error"]
    list_select_related = ["recipient"]
    date_hierarchy = "day"
    readonly_fields = [
        "recipient",
        "day",
        "channel",
        "is_report",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "created_at",
    ]
    exclude = ["notifications"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_module_permission(self, request):
        return self.edits(request)

    @admin.action(description=_("Send again at the next sweep"))
    def send_again(self, request, queryset):
        count = queryset.exclude(status=Digest.Status.SENT).update(
            status=Digest.Status.PENDING, attempts=0, next_attempt_at=None
        )
        self.message_user(request, _("%(count)d messages will be sent again.") % {"count": count})


# Permissions come from roles (each app's rules.py), not from Django's groups.
admin.site.unregister(Group)
