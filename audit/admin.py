import csv

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.http import StreamingHttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import AuditEntry, AuditVerification


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
        "object_repr", "changes_table", "outcome", "detail", "mac",
    ]  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        """The last walk of the chain heads the list (when, and whether it held)."""
        last = AuditVerification.objects.restrict(request.user).order_by("-started_at", "-pk")
        extra_context = {**(extra_context or {}), "last_verification": last.first()}
        return super().changelist_view(request, extra_context)

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


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    """The walks of the audit log's chain (``manage.py audit_verify``, daily by Celery beat)."""

    list_display = ["started_at", "ok", "checked", "broken_position", "broken_entry_id", "detail"]
    list_filter = ["ok"]
    date_hierarchy = "started_at"
    fields = readonly_fields = [
        "started_at", "finished_at", "ok", "checked", "last_entry_id", "last_mac",
        "broken_position", "broken_entry_id", "detail",
    ]  # fmt: skip


def _as_text(value) -> str:
    """A cell Excel shows as text: a leading = + - @ would make it a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
