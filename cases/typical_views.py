"""The typical-cases pages: the list by sector, and marking or withdrawing a case from its page.

Readers of cases (staff and supervisors) read the list; staff of the jurisdiction mark and withdraw
(``cases.typical``). Unit officers and the separated admins get a 403, as on the case list.
"""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Sector
from core.domain import DomainError
from core.pages import (
    filter_chips,
    permission_required_or,
    refuse_in_form,
    require_permission,
    scoped_object_or_404,
)

from . import typical
from .filters import CaseFilter
from .forms import TypicalMarkForm, TypicalUnmarkForm
from .models import Case, Problem

# The filters the typical-cases page offers (the case list's filter set, these fields of it).
PAGE_FILTERS = ("q", "unit", "sector", "typical_reason", "audience_sector", "audience_level")


def _stages_by_case(cases) -> dict[int, list[str]]:
    """Each case's process stages (业务环节) where its problems sit, in the taxonomy's order."""
    rows = (
        Problem.objects.filter(case__in=[case.pk for case in cases])
        .values_list("case_id", "process_stage__name", "process_stage__position")
        .distinct()
        .order_by("case_id", "process_stage__position", "process_stage__name")
    )
    stages = defaultdict(list)
    for case_id, name, _position in rows:
        stages[case_id].append(name)
    return stages


def _by_sector(cases) -> list[dict]:
    """The cases grouped by their sector, in the sectors' order, each group with its count."""
    groups = defaultdict(list)
    for case in cases:
        groups[case.sector].append(case)
    return [
        {"code": code, "label": label, "cases": groups[code], "count": len(groups[code])}
        for code, label in Sector.choices
        if groups[code]
    ]


@permission_required_or(403, "cases.view_typicalcase")
def typical_list(request):
    chosen = (
        Case.objects.restrict(request.user)
        .typical()
        .select_related("case_unit", "typical")
        .annotate(problem_count=Count("problems"))
    )
    case_filter = CaseFilter(request.GET, queryset=chosen, request=request)
    cases = list(case_filter.qs)
    stages = _stages_by_case(cases)
    for case in cases:
        case.stages = stages.get(case.pk, [])
    return render(
        request,
        "cases/typical_list.html",
        {
            "filter": case_filter,
            "filter_fields": [case_filter.form[name] for name in PAGE_FILTERS],
            "filtered": any(request.GET.get(name) for name in PAGE_FILTERS),
            "chips": filter_chips(
                case_filter,
                skip=[name for name in case_filter.form.fields if name not in PAGE_FILTERS],
            ),
            "groups": _by_sector(cases),
            "total": len(cases),
        },
    )


def _act(request, pk, *, action, form_class, run, fragment, title):
    """Mark or withdraw: the permission, the form, the service; a refusal is shown beside the
    form on a page of its own (400 for the form, the refusal's status for the service)."""
    case = scoped_object_or_404(Case, request.user, pk=pk)
    require_permission(request.user, typical.PERMS[action], case)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            run(case=case, actor=request.user, data=form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/fragment_page.html",
        {"case": case, "form": form, "fragment": fragment, "page_title": title},
        status=status,
    )


@login_required
@require_POST
def typical_mark(request, pk):
    return _act(
        request,
        pk,
        action="mark",
        form_class=TypicalMarkForm,
        run=lambda case, actor, data: typical.case_mark_typical(case=case, actor=actor, **data),
        fragment="cases/_typical_mark_form.html",
        title=_("Mark as a typical case"),
    )


@login_required
@require_POST
def typical_unmark(request, pk):
    return _act(
        request,
        pk,
        action="unmark",
        form_class=TypicalUnmarkForm,
        run=lambda case, actor, data: typical.case_unmark_typical(
            case=case, actor=actor, reason=data["reason"]
        ),
        fragment="cases/_typical_unmark_form.html",
        title=_("Withdraw the typical case"),
    )


def detail_context(user, case: Case) -> dict:
    """What the case page shows of the selection: the badge, the card and the allowed form."""
    actions = typical.available_actions(user, case)
    return {
        "typical": typical.current_selection(case),
        "typical_mark_form": TypicalMarkForm() if "mark" in actions else None,
        "typical_unmark_form": TypicalUnmarkForm() if "unmark" in actions else None,
    }
