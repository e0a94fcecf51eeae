from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from core.admin import ScopedAdmin

from .models import ApiToken, OrgUnit, User
from .roles import covers_whole_tree


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
        if not covers_whole_tree(request.user):
            return True
        return super().is_filtered(request)


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password an administrator sets is known to them: the user must replace it."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    """三员分立: the system administrator keeps the accounts (who, where, password); the security
    administrator grants roles and switches accounts on or off; nobody changes their own role."""

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
                "fields": ["username", "full_name", "org_unit", "password1", "password2"],
            },
        ),
    ]
    change_password_form = ResetPasswordForm
    SECURITY_FIELDS = ("role", "is_active")
    ACCOUNT_FIELDS = (
        "username", "full_name", "title", "phone", "email", "org_unit", "must_change_password",
    )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if obj is None or request.user.is_superuser:
            return readonly
        if not request.user.has_perm("accounts.change_user_account", obj):
            readonly += self.ACCOUNT_FIELDS
        if not request.user.has_perm("accounts.change_user_role", obj):
            readonly += self.SECURITY_FIELDS
        return readonly

    def user_change_password(self, request, id, form_url=""):
        if not request.user.has_perm("accounts.set_user_password"):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the initial password is the administrator's
        super().save_model(request, obj, form, change)


admin.site.unregister(Group)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """The security administrator's list of API tokens: whose, its first characters and when it
    was issued — never the digest, which is no key and would only be mistaken for one. Tokens are
    issued by their users (``/api/v1/token/``) and revoked here by deleting them."""

    list_display = ["user", "shown_prefix", "created"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__full_name", "prefix"]
    date_hierarchy = "created"
    fields = ["user", "shown_prefix", "created"]
    readonly_fields = fields

    @admin.display(description=_("prefix"), ordering="prefix")
    def shown_prefix(self, token):
        return f"{token.prefix}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
