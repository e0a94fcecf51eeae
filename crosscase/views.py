"""The analysis pages: the list, the selection form, the analysis with its tables, the findings
and each matrix figure's problems.

Readers of cases (staff and supervisors) read the analyses of their jurisdiction; staff write
them (``crosscase.rules``). Unit officers and the separated admins get a 403 on the list and a
404 on an analysis, as for a case.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit import log as audit
from cases.models import Problem, ProcessStage
from core.domain import DomainError
from core.pages import (
    paginate,
    permission_required_or,
    refuse_in_form,
    require_permission,
    scoped_object_or_404,
)

from . import analysis as services
from . import tables
from .analysis import CRITERIA_FIELDS, PERMS
from .forms import AnalysisForm, FindingsForm, SearchForm
from .models import CrossCaseAnalysis

CASES_PER_PAGE = 20
ANALYSES_PER_PAGE = 10
PROBLEMS_PER_PAGE = 50


def _analyses():
    return CrossCaseAnalysis.objects.select_related(
        "unit", "process_stage", "violation_type", "case_unit", "created_by"
    )


@permission_required_or(403, "crosscase.view_crosscaseanalysis")
def analysis_list(request):
    search = SearchForm(request.GET)
    analyses = CrossCaseAnalysis.objects.restrict(request.user).select_related("unit", "created_by")
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        analyses = analyses.filter(
            Q(title__icontains=query)
            | Q(common_patterns__icontains=query)
            | Q(institutional_gaps__icontains=query)
            | Q(countermeasures__icontains=query)
        )
    return render(
        request,
        "crosscase/analysis_list.html",
        {
            "search": search,
            "query": query,
            "page_obj": paginate(request, analyses),
            "can_add": request.user.has_perm("crosscase.add_crosscaseanalysis"),
        },
    )


def _selection(form) -> dict:
    data = form.cleaned_data
    fields = {name: data[name] for name in ("title", "unit", "mode", *CRITERIA_FIELDS)}
    return fields


def _form_page(request, *, analysis: CrossCaseAnalysis | None):
    data = request.POST if request.method == "POST" else None
    form = AnalysisForm(data, instance=analysis or CrossCaseAnalysis(), user=request.user)
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            fields = _selection(form)
            try:
                by_hand = fields["mode"] == CrossCaseAnalysis.Mode.HAND
                cases = (
                    services.cases_by_number(request.user, form.cleaned_data["case_numbers"])
                    if by_hand
                    else None
                )
                if analysis is None:
                    saved = services.analysis_create(actor=request.user, cases=cases, **fields)
                else:
                    saved = services.analysis_update(
                        analysis=analysis, actor=request.user, cases=cases, **fields
                    )
            except DomainError as refusal:
                status = refuse_in_form(form, refusal)
            else:
                return redirect("crosscase:detail", pk=saved.pk)
    return render(
        request, "crosscase/analysis_form.html", {"form": form, "analysis": analysis}, status=status
    )


@permission_required_or(403, "crosscase.add_crosscaseanalysis")
@require_http_methods(["GET", "POST"])
def analysis_create(request):
    return _form_page(request, analysis=None)


@login_required
@require_http_methods(["GET", "POST"])
def analysis_edit(request, pk):
    analysis = scoped_object_or_404(_analyses(), request.user, pk=pk)
    require_permission(request.user, PERMS["edit"], analysis)
    return _form_page(request, analysis=analysis)


def detail_context(request, analysis: CrossCaseAnalysis, findings_form=None) -> dict:
    user = request.user
    actions = services.available_actions(user, analysis)
    cases_page = Paginator(tables.cases_listed(analysis, user), CASES_PER_PAGE).get_page(
        request.GET.get("cases_page")
    )
    return {
        "analysis": analysis,
        "criteria": tables.criteria_labels(analysis),
        "tables": tables.tables(analysis, user),
        "cases_page": cases_page,
        "analyses_page": Paginator(
            tables.case_analyses(analysis, user), ANALYSES_PER_PAGE
        ).get_page(request.GET.get("page")),
        "actions": actions,
        "findings_form": findings_form
        or (FindingsForm(instance=analysis) if "findings" in actions else None),
    }


@login_required
def analysis_detail(request, pk):
    analysis = scoped_object_or_404(_analyses(), request.user, pk=pk)
    audit.record_view(request, analysis)
    return render(request, "crosscase/analysis_detail.html", detail_context(request, analysis))


@login_required
@require_POST
def analysis_findings(request, pk):
    analysis = scoped_object_or_404(_analyses(), request.user, pk=pk)
    require_permission(request.user, PERMS["findings"], analysis)
    form = FindingsForm(request.POST, instance=CrossCaseAnalysis.objects.get(pk=analysis.pk))
    status = 400
    if form.is_valid():
        try:
            services.analysis_write_findings(
                analysis=analysis, actor=request.user, **form.cleaned_data
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            return redirect("crosscase:detail", pk=analysis.pk)
    return render(
        request,
        "crosscase/analysis_detail.html",
        detail_context(request, analysis, findings_form=form),
        status=status,
    )


@login_required
@require_POST
def analysis_delete(request, pk):
    analysis = scoped_object_or_404(CrossCaseAnalysis, request.user, pk=pk)
    require_permission(request.user, PERMS["delete"], analysis)
    services.analysis_delete(analysis=analysis, actor=request.user)
    return redirect("crosscase:list")


@login_required
def analysis_problems(request, pk):
    """The problems behind one figure of the matrix (``?category=`` and/or ``?stage=``)."""
    analysis = scoped_object_or_404(_analyses(), request.user, pk=pk)
    category = request.GET.get("category") or None
    stage_id = request.GET.get("stage") or None
    if category is not None and category not in Problem.Category.values:
        raise Http404
    stage = None
    if stage_id is not None:
        if not stage_id.isdigit():
            raise Http404
        stage = ProcessStage.objects.filter(pk=int(stage_id)).first()
        if stage is None:
            raise Http404
    problems = tables.cell_problems(
        analysis, request.user, category=category, stage=stage.pk if stage else None
    )
    return render(
        request,
        "crosscase/analysis_problems.html",
        {
            "analysis": analysis,
            "category_label": Problem.Category(category).label if category else None,
            "stage": stage,
            "page_obj": Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page")),
        },
    )
