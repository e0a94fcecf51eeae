"""The back office shows the negative lists of the staff's jurisdiction, read-only: every change
goes through the pages and ``services`` (a draft's entries, publishing, withdrawing, checks), whose
rules a plain change form would bypass. The source cases are left out: the list's page shows each
reader the ones their own scope admits."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import NegativeList, NegativeListCheck, NegativeListEntry


class EntryInline(ReadOnlyInline):
    model = NegativeListEntry
    fields = ["number", "risk_point", "requirement", "kind", "process_stage"]


class CheckInline(ReadOnlyInline):
    model = NegativeListCheck
    fields = ["checked_on", "checked_by", "finding", "breaches"]


@admin.register(NegativeList)
class NegativeListAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "tier", "status", "published_on"]
    list_filter = ["tier", "status"]
    search_fields = ["title", "unit__name", "entries__requirement"]
    list_select_related = ["unit"]
    fields = [
        "unit",
        "tier",
        "title",
        "status",
        "published_on",
        "withdrawn_on",
        "measure",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [EntryInline, CheckInline]
