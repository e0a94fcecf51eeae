from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ScopedAdmin, ScopedStackedInline, ScopedTabularInline

from .models import Case, CaseAnalysis, Problem, ProcessStage, Subject, ViolationType


@admin.register(ViolationType, ProcessStage)
class TaxonomyAdmin(ScopedAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


class SubjectInline(ScopedTabularInline):
    model = Subject
    fields = ["name", "position", "is_top_leader", "disposition"]


class CaseAnalysisInline(ScopedStackedInline):
    model = CaseAnalysis
    fields = ["trajectory", "root_causes", "loopholes", "lessons", "author", "completed_on"]


class ProblemInline(ScopedTabularInline):
    model = Problem
    fields = ["unit", "category", "process_stage", "description"]
    autocomplete_fields = ["unit"]


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ["number", "title", "case_unit", "sector", "level", "status", "opened_on"]
    list_filter = ["status", "sector", "level", "violation_types", "subjects__is_top_leader"]
    # Summaries and names are sealed: a subject's full name is matched whole (get_search_results).
    search_fields = ["number", "title", "case_unit__name"]
    search_help_text = _("Part of a case number, title or unit, or a subject's full name.")
    list_select_related = ["case_unit"]
    date_hierarchy = "opened_on"
    autocomplete_fields = ["commission", "case_unit", "linked_cases"]
    filter_horizontal = ["violation_types"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [SubjectInline, CaseAnalysisInline, ProblemInline]

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        named = queryset.filter(pk__in=Subject.objects.named(search_term).values("case"))
        return found | named, duplicates


@admin.register(Problem)
class ProblemAdmin(ScopedAdmin):
    list_display = ["__str__", "case", "unit", "category", "process_stage"]
    list_filter = ["category", "process_stage", "unit__sector"]
    search_fields = ["description", "case__number", "case__title", "unit__name"]
    list_select_related = ["case", "unit", "process_stage"]
    autocomplete_fields = ["case", "unit"]


@admin.register(Subject)
class SubjectAdmin(ScopedAdmin):
    list_display = ["name", "position", "is_top_leader", "case"]
    list_filter = ["is_top_leader"]
    search_fields = ["case__number", "case__title"]
    search_help_text = _("A full name, or part of a case number or title.")
    list_select_related = ["case"]
    autocomplete_fields = ["case"]

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        return found | queryset.named(search_term), duplicates
