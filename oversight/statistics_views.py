"""成效统计 pages: the figures of a scope, the lists behind them, and the report to download.

The page counts exactly what ``GET /api/v1/statistics/`` counts, from the same scope
(``oversight.filters.StatisticsScope``) through the same function
(``oversight.statistics.outcome_statistics``); only the links differ: each number opens the page
list of its rows — the case, letter and measure lists where they exist, and for problems, items,
extension requests, rule changes and activities a plain list here (``records``) that filters
through the same FilterSet as the API's list of them.
"""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.filters import limit_unit_choices
from cases.filters import ProblemFilter
from cases.models import Problem
from core.db import reads_from_replica, replica_configured
from core.domain import shanghai_today
from core.pages import filter_chips, paginate, permission_required_or, with_query
from recommendations.filters import RecommendationItemFilter
from recommendations.models import RecommendationItem
from reforms.filters import (
    ActivityFilter,
    ExtensionRequestFilter,
    ReboundFlagFilter,
    RuleChangeFilter,
)
from reforms.models import Activity, ExtensionRequest, ReboundFlag, RuleChange

from . import outcome_report
from .downloads import PDF, _xlsx_response, attachment, within_budget
from .filters import SCOPE_PARAMS, StatisticsScope
from .statistics import outcome_statistics

PERMISSION = "oversight.view_statistics"


@dataclass(frozen=True)
class Records:
    """A list of records behind a figure that has no page list elsewhere."""

    title: str
    model: type
    filterset: type
    related: tuple = ()


RECORDS = {
    "problems": Records(_("Problems"), Problem, ProblemFilter, ("case", "unit", "process_stage")),
    "items": Records(
        _("Recommendation items"),
        RecommendationItem,
        RecommendationItemFilter,
        ("recommendation__recipient_unit",),
    ),
    "extensions": Records(
        _("Extension requests"),
        ExtensionRequest,
        ExtensionRequestFilter,
        ("measure__unit", "requested_by"),
    ),
    "rule-changes": Records(
        _("Rule changes"), RuleChange, RuleChangeFilter, ("unit", "recommendation")
    ),
    "activities": Records(_("Activities"), Activity, ActivityFilter, ("unit", "recommendation")),
    "rebounds": Records(
        _("Possible rebounds"),
        ReboundFlag,
        ReboundFlagFilter,
        ("problem__case", "problem__process_stage", "earlier_problem__case", "measure", "unit"),
    ),
}

# The list each figure opens on the pages: a page list of the app, or one of ``RECORDS``.
PAGE_LISTS = {
    "case": ("cases:list", None),
    "recommendation": ("recommendations:list", None),
    "measure": ("reforms:measure_list", None),
    "problem": ("statistics:records", "problems"),
    "item": ("statistics:records", "items"),
    "extensionrequest": ("statistics:records", "extensions"),
    "rulechange": ("statistics:records", "rule-changes"),
    "activity": ("statistics:records", "activities"),
    "reboundflag": ("statistics:records", "rebounds"),
    "negativelist": ("negativelists:list", None),
}


def page_link(name: str, params: dict) -> str:
    """The page list of the records named ``name`` (as ``statistics.api_link`` names them)."""
    url_name, kind = PAGE_LISTS[name]
    base = reverse(url_name, args=[kind] if kind else [])
    return with_query(base, params)


def scope_from(request) -> StatisticsScope:
    return StatisticsScope(request.GET or None, request=request)


def limit_unit_select(scope: StatisticsScope, user) -> None:
    chosen = scope.data.get("unit") if scope.data else None
    limit_unit_choices(scope.form.fields["unit"], getattr(user, "org_unit", None), chosen)


def page_context(request, scope: StatisticsScope) -> dict:
    """The figures of the scope with the page lists behind them, and the scope in words."""
    valid = not scope.is_bound or scope.is_valid()
    chosen = scope.chosen
    figures = outcome_statistics(request, chosen, link=page_link) if valid else {}
    return {
        "scope": scope,
        "chips": filter_chips(scope),
        "figures": figures,
        "sections": outcome_report.sections(figures) if figures else [],
        "rate": outcome_report.signoff_rate(figures["measures"]) if figures else "",
        "note": outcome_report.DATE_NOTE,
        "names": outcome_report.names(),
        "today": shanghai_today(),
        "query": with_query("", chosen),
        "from_replica": replica_configured(),  # the lag rule, said under the figures
    }


@permission_required_or(403, PERMISSION)
@require_GET
@reads_from_replica
def index(request):
    scope = scope_from(request)
    limit_unit_select(scope, request.user)
    status = 200 if not scope.is_bound or scope.is_valid() else 400
    return render(request, "statistics/index.html", page_context(request, scope), status=status)


@permission_required_or(403, PERMISSION)
@require_GET
@reads_from_replica
def records(request, kind: str):
    """The rows behind a figure: one FilterSet with the API's list, over ``restrict(user)``."""
    spec = RECORDS.get(kind)
    if spec is None:
        raise Http404
    queryset = spec.model.objects.restrict(request.user).select_related(*spec.related)
    filterset = spec.filterset(request.GET, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    if not rows.query.order_by and not spec.model._meta.ordering:
        rows = rows.order_by("pk")
    scope = StatisticsScope(
        {key: value for key, value in request.GET.items() if key in SCOPE_PARAMS} or None,
        request=request,
    )
    return render(
        request,
        "statistics/records.html",
        {
            "kind": kind,
            "title": spec.title,
            "filter": filterset,
            "page_obj": paginate(request, rows),
            "chips": filter_chips(filterset),
            "back": with_query(reverse("statistics:index"), scope.chosen),
        },
    )


def _report_scope(request) -> StatisticsScope:
    scope = scope_from(request)
    if scope.is_bound and not scope.is_valid():
        raise Http404  # the page says what is wrong; a download has nowhere to say it
    return scope


@permission_required_or(403, PERMISSION)
@require_GET
@within_budget
@reads_from_replica
def report_pdf(request):
    """以案促改工作成效 of the scope as a PDF: the page's figures in an official report."""
    scope = _report_scope(request)
    pdf = outcome_report.report_pdf(request, scope)
    return attachment(pdf, outcome_report.filename(scope, "pdf"), PDF)


@permission_required_or(403, PERMISSION)
@require_GET
@reads_from_replica
def report_xlsx(request):
    """以案促改工作成效 of the scope as a workbook: the same figures, one table a sheet."""
    scope = _report_scope(request)
    return _xlsx_response(
        outcome_report.report_xlsx(request, scope), outcome_report.filename(scope, "xlsx")
    )
