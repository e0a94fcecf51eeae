import csv

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import StreamingHttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from core.admin import ReadOnlyAdmin, ScopedAdmin, SystemSettingsAdmin

from .models import AuditEntry, Digest, OrgUnit, User
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
        if request.user.role != Role.SYSTEM_ADMIN:
            readonly += self.ACCOUNT_FIELDS
        if request.user.role != Role.SECURITY_ADMIN or obj == request.user:
            readonly += self.SECURITY_FIELDS
        return readonly

    def user_change_password(self, request, id, form_url=""):
        if not (request.user.is_superuser or request.user.role == Role.SYSTEM_ADMIN):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

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


class ObjectKindFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).order_by().values_list("object_type", flat=True)
        entries = (AuditEntry(object_type=kind) for kind in kinds.distinct() if kind)
        return sorted((entry.object_type, entry.object_kind) for entry in entries)

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


def _field_label(entry, name: str) -> str:
    """A field's name as the forms call it (``due_on`` → 当前时限)."""
    try:
        return str(apps.get_model(entry.object_type)._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def _cell(value) -> str:
    return "—" if value is None else str(value)


class _Echo:
    """A file-like object for ``csv.writer`` that hands each row back instead of storing it."""

    def write(self, value):
        return value


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log, for the audit administrator: searched, filtered, read and exported; never
    added to, changed or deleted here (nor anywhere: see ``accounts.audit``). An export is itself
    logged, as every attachment is."""

    list_display = ["at", "actor", "role", "ip", "action", "object_kind", "object_repr", "outcome"]
    list_filter = ["action", "outcome", "role", ObjectKindFilter]
    search_fields = ["username", "ip", "object_repr", "object_id", "detail"]
    date_hierarchy = "at"
    list_per_page = 100
    actions = ["export_csv"]
    EXPORTED = [
        "at", "username", "role", "ip", "action", "object_type", "object_id", "object_repr",
        "outcome", "detail", "changes",
    ]  # fmt: skip

    fields = readonly_fields = [
        "at", "username", "user_id", "role", "ip", "action", "object_kind", "object_id",
        "object_repr", "changes_table", "outcome", "detail",
    ]  # fmt: skip

    @admin.display(description=_("changes"))
    def changes_table(self, entry):
        """Field, before, after — one row each (links added or removed show as one value)."""
        rows = (
            (
                _field_label(entry, name),
                *map(_cell, values if isinstance(values, list) else ["", values]),
            )
            for name, values in entry.changes.items()
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("field"),
            _("before"),
            _("after"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("account"), ordering="username")
    def actor(self, entry):
        return entry.username or _("System")

    @admin.display(description=_("object type"))
    def object_kind(self, entry):
        return entry.object_kind

    @admin.action(description=_("Export the selected entries (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(
            self._csv_lines(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response

    def _csv_lines(self, queryset):
        writer = csv.writer(_Echo())
        header = [str(AuditEntry._meta.get_field(name).verbose_name) for name in self.EXPORTED]
        # A byte-order mark so that Excel opens the Chinese text as UTF-8.
        yield "\ufeff" + writer.writerow(header)
        for entry in queryset.order_by("at", "pk").iterator(chunk_size=2000):
            yield writer.writerow([_as_text(getattr(entry, name)) for name in self.EXPORTED])


def _as_text(value) -> str:
    """A cell Excel shows as text: a leading = + - @ would make it a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# Permissions come from roles (each app's rules.py), not from Django's groups.
admin.site.unregister(Group)
