"""The case pages: the list, logging and editing a case, and the case file with its analysis and
problem list edited in place.

Staff read and write the cases of their jurisdiction; supervisors read them; nobody else sees a
case (unit officers and the separated admins get a 403 on the list and a 404 on a case).
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit import log as audit
from core.domain import DomainError
from core.pages import (
    filter_chips,
    paginate,
    permission_required_or,
    refuse_in_form,
    require_permission,
    scoped_object_or_404,
)

from . import services, typical_views
from .filters import CaseFilter, with_top_leader_flag, with_typical_flag
from .forms import AnalysisForm, CaseForm, ProblemForm, SubjectFormSet
from .models import Case, CaseAnalysis, Problem, Subject
from .services import ANALYSIS_FIELDS, CASE_WRITABLE_FIELDS, PROBLEM_FIELDS, SUBJECT_FIELDS

# The list's sortable columns: (ordering parameter, column heading).
SORTABLE = {"number", "opened_on"}  # not the amount: sealed, the database cannot sort it


def _sort_links(current: str) -> dict:
    """For each sortable column: the ordering its heading asks for and the arrow it shows now."""
    links = {}
    for column in SORTABLE:
        if current == column:
            links[column] = {"next": f"-{column}", "arrow": "bi-sort-up"}
        elif current == f"-{column}":
            links[column] = {"next": column, "arrow": "bi-sort-down"}
        else:
            links[column] = {"next": f"-{column}", "arrow": ""}
    return links


# ── The list ─────────────────────────────────────────────────────────────────────────────────


@permission_required_or(403, "cases.view_case")
def case_list(request):
    cases = with_typical_flag(
        with_top_leader_flag(Case.objects.restrict(request.user).select_related("case_unit"))
    )
    case_filter = CaseFilter(request.GET, queryset=cases, request=request)
    page = paginate(request, case_filter.qs)
    filtered = any(request.GET.get(name) for name in case_filter.form.fields if name != "ordering")
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": case_filter,
            "page_obj": page,
            "filtered": filtered,
            "chips": filter_chips(case_filter, skip=["ordering"]),
            "ordering": case_filter.ordering_value,
            "sort": _sort_links(case_filter.ordering_value),
            "can_add": request.user.has_perm("cases.add_case"),
        },
    )


# ── Logging and editing a case ───────────────────────────────────────────────────────────────


def _subjects_from(formset) -> list[dict]:
    """The subjects the formset keeps: every filled form that is not marked for deletion."""
    deleted = set(map(id, formset.deleted_forms))
    return [
        {"id": form.instance.pk, **{name: form.cleaned_data[name] for name in SUBJECT_FIELDS}}
        for form in formset.forms
        if id(form) not in deleted and form.cleaned_data
    ]


def _case_form_page(request, *, case: Case | None):
    """The shared body of create and edit: the case form, its subjects and its links."""
    instance = case or Case()
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, instance=instance, user=request.user)
    formset = SubjectFormSet(data, instance=instance, prefix="subjects")
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            fields = {name: form.cleaned_data[name] for name in CASE_WRITABLE_FIELDS}
            try:
                with transaction.atomic():
                    if case is None:
                        saved = services.case_create(
                            actor=request.user, subjects=_subjects_from(formset), **fields
                        )
                    else:
                        saved = services.case_update(
                            case=case,
                            actor=request.user,
                            subjects=_subjects_from(formset),
                            **fields,
                        )
            except DomainError as refusal:
                status = refuse_in_form(form, refusal)
            else:
                return redirect("cases:detail", pk=saved.pk)
        else:
            status = 400
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "formset": formset, "case": case},
        status=status,
    )


@permission_required_or(403, "cases.add_case")
@require_http_methods(["GET", "POST"])
def case_create(request):
    return _case_form_page(request, case=None)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = scoped_object_or_404(Case, request.user, pk=pk)
    require_permission(request.user, "cases.change_case", case)
    return _case_form_page(request, case=case)


# ── The case file ────────────────────────────────────────────────────────────────────────────


def _possible_rebounds(user) -> Prefetch:
    """整改反弹 flags on each problem (written by ``reforms.rebounds``, read here by the reverse
    relation: cases does not import reforms)."""
    flags = Problem.rebound_flags.rel.related_model.objects.restrict(user)
    return Prefetch(
        "rebound_flags",
        queryset=flags.select_related("earlier_problem__case", "measure"),
        to_attr="possible_rebounds",
    )


def _problems_context(request, case: Case, form=None) -> dict:
    can_edit = request.user.has_perm("cases.change_case", case)
    return {
        "case": case,
        "problems": Problem.objects.restrict(request.user)
        .filter(case=case)
        .select_related("unit", "process_stage")
        .prefetch_related(_possible_rebounds(request.user)),
        "can_edit": can_edit,
        "problem_form": form
        or (ProblemForm(user=request.user, initial={"unit": case.case_unit}) if can_edit else None),
    }


def _analysis_of(request, case: Case):
    return CaseAnalysis.objects.restrict(request.user).filter(case=case).first()


@login_required
def case_detail(request, pk):
    case = scoped_object_or_404(
        Case.objects.select_related("commission", "case_unit", "created_by", "typical"),
        request.user,
        pk=pk,
    )
    user = request.user
    context = {
        "subjects": Subject.objects.restrict(user).filter(case=case),
        "analysis": _analysis_of(request, case),
        "linked_cases": Case.objects.restrict(user)
        .filter(linked_cases=case)
        .select_related("case_unit"),
        "violation_types": case.violation_types.all(),
        # The letters citing the case, through the reverse relation: cases sits below
        # recommendations and does not import it.
        "recommendations": case.recommendations.restrict(user).order_by("-issued_on", "-pk"),
        "can_draft": user.has_perm("recommendations.add_recommendation"),
        **_problems_context(request, case),
        **typical_views.detail_context(user, case),
    }
    audit.record_view(request, case)
    return render(request, "cases/case_detail.html", context)


def _fragment_or_page(request, template, context, *, status=200, title=""):
    """htmx gets the fragment; a browser without JavaScript gets it inside a full page."""
    if request.htmx:
        return render(request, template, context, status=status)
    return render(
        request,
        "cases/fragment_page.html",
        {**context, "fragment": template, "page_title": title},
        status=status,
    )


# ── Analysis, edited in place ────────────────────────────────────────────────────────────────


@login_required
def analysis(request, pk):
    """The analysis card (what "cancel" goes back to)."""
    case = scoped_object_or_404(Case, request.user, pk=pk)
    context = {
        "case": case,
        "analysis": _analysis_of(request, case),
        "can_edit": request.user.has_perm("cases.change_case", case),
    }
    if not request.htmx:
        return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/_analysis.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def analysis_edit(request, pk):
    case = scoped_object_or_404(Case, request.user, pk=pk)
    existing = _analysis_of(request, case)
    if request.method == "GET":
        require_permission(request.user, "cases.change_case", case)
        form = AnalysisForm(instance=existing)
        return _fragment_or_page(
            request,
            "cases/_analysis_form.html",
            {"case": case, "form": form},
            title=_("Case analysis"),
        )
    form = AnalysisForm(request.POST, instance=existing)
    status = 400
    if form.is_valid():
        try:
            saved = services.analysis_save(
                case=case,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in ANALYSIS_FIELDS},
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            if not request.htmx:
                return redirect("cases:detail", pk=case.pk)
            return render(
                request,
                "cases/_analysis.html",
                {"case": case, "analysis": saved, "can_edit": True},
            )
    return _fragment_or_page(
        request,
        "cases/_analysis_form.html",
        {"case": case, "form": form},
        status=status,
        title=_("Case analysis"),
    )


# ── Problem list, added to and edited in place ──────────────────────────────────────────────


@login_required
@require_POST
def problem_add(request, pk):
    case = scoped_object_or_404(Case, request.user, pk=pk)
    form = ProblemForm(request.POST, user=request.user)
    status = 400
    if form.is_valid():
        try:
            services.problem_add(
                case=case,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in PROBLEM_FIELDS},
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            if not request.htmx:
                return redirect("cases:detail", pk=case.pk)
            return render(request, "cases/_problems.html", _problems_context(request, case))
    context = _problems_context(request, case, form=form)
    # A refused form shows to whoever sent it, even a reader without the right to add.
    context["problem_form"] = form
    return _fragment_or_page(
        request, "cases/_problems.html", context, status=status, title=_("Problem list")
    )


def _scoped_problem(request, pk) -> Problem:
    return scoped_object_or_404(
        Problem.objects.select_related("case", "unit", "process_stage"), request.user, pk=pk
    )


@login_required
def problem_row(request, pk):
    """One row of the problem list (what "cancel" goes back to)."""
    problem = _scoped_problem(request, pk)
    if not request.htmx:
        return redirect("cases:detail", pk=problem.case_id)
    can_edit = request.user.has_perm("cases.change_case", problem.case)
    return render(request, "cases/_problem_row.html", {"problem": problem, "can_edit": can_edit})


@login_required
@require_http_methods(["GET", "POST"])
def problem_edit(request, pk):
    problem = _scoped_problem(request, pk)
    if request.method == "GET":
        require_permission(request.user, "cases.change_problem", problem)
        form = ProblemForm(instance=problem, user=request.user)
        return _fragment_or_page(
            request,
            "cases/_problem_form_row.html",
            {"problem": problem, "form": form},
            title=_("Edit problem"),
        )
    form = ProblemForm(request.POST, instance=Problem.objects.get(pk=problem.pk), user=request.user)
    status = 400
    if form.is_valid():
        try:
            saved = services.problem_update(
                problem=problem,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in PROBLEM_FIELDS},
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            if not request.htmx:
                return redirect("cases:detail", pk=problem.case_id)
            saved = _scoped_problem(request, saved.pk)
            return render(request, "cases/_problem_row.html", {"problem": saved, "can_edit": True})
    return _fragment_or_page(
        request,
        "cases/_problem_form_row.html",
        {"problem": problem, "form": form},
        status=status,
        title=_("Edit problem"),
    )
