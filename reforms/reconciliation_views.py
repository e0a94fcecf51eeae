"""Reconciliation pages (对账销号): the list of rounds, opening one, a round's page with its rows
(the snapshot beside the unit's answer, differences highlighted) and the forms that answer,
confirm and close.

Reads go through ``restrict``/``scoped_object_or_404``; every write goes through
``reforms.reconciliation`` and a refusal is shown next to its form with the refusal's status.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.domain import DomainError
from core.pages import paginate, permission_required_or, refuse_in_form, scoped_object_or_404

from . import reconciliation
from .filters import ReconciliationRowFilter
from .models import ReconciliationRound, ReconciliationRow
from .reconciliation_forms import AnswerForm, ConfirmForm, OpenRoundForm

RowStatus = ReconciliationRow.Status
# A letter of 1,166 measures makes a round of as many rows, each with its forms.
ROWS_PER_PAGE = 50


def _with_counts(rounds):
    return rounds.annotate(
        row_count=Count("rows"),
        pending_count=Count("rows", filter=Q(rows__status=RowStatus.PENDING)),
        confirmed_count=Count("rows", filter=Q(rows__status=RowStatus.CONFIRMED)),
        disputed_count=Count("rows", filter=Q(rows__answer=ReconciliationRow.Answer.DISPUTED)),
        returned_count=Count(
            "rows", filter=Q(rows__confirmation=ReconciliationRow.Confirmation.RETURNED)
        ),
    )


@permission_required_or(403, "reforms.view_reconciliationround")
@require_GET
def round_list(request):
    rounds = ReconciliationRound.objects.restrict(request.user).select_related(
        "unit", "recommendation", "opened_by"
    )
    status = request.GET.get("status", "")
    if status in ReconciliationRound.Status.values:
        rounds = rounds.filter(status=status)
    recommendation = request.GET.get("recommendation", "")
    if recommendation.isdigit():
        rounds = rounds.filter(recommendation_id=int(recommendation))
    return render(
        request,
        "reforms/reconciliation_list.html",
        {
            "page_obj": paginate(request, _with_counts(rounds).order_by("-as_of", "-pk")),
            "statuses": ReconciliationRound.Status.choices,
            "status": status,
            "recommendation": recommendation,
        },
    )


@permission_required_or(403, "reforms.open_reconciliation")
@require_http_methods(["GET", "POST"])
def round_open(request):
    status = 200
    if request.method == "POST":
        form = OpenRoundForm(request.POST, user=request.user)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                round_ = reconciliation.open_round(
                    actor=request.user,
                    recommendation=data["recommendation"],
                    unit=None if data["recommendation"] else data["unit"],
                    sector="" if data["recommendation"] else data["sector"],
                    as_of=data["as_of"],
                    answer_due_on=data["answer_due_on"],
                )
            except DomainError as refusal:
                status = refuse_in_form(form, refusal)
            else:
                messages.success(request, _("Reconciliation round opened; the unit is told."))
                return redirect("reforms:reconciliation_detail", pk=round_.pk)
    else:
        form = OpenRoundForm(
            initial={"recommendation": request.GET.get("recommendation")}, user=request.user
        )
    chosen = form["recommendation"].value()
    letter = None
    if chosen and str(chosen).isdigit():
        letter = form.fields["recommendation"].queryset.filter(pk=chosen).first()
    if letter is not None:
        form.fields["unit"].widget = form.fields["unit"].hidden_widget()
    return render(
        request,
        "reforms/reconciliation_open.html",
        {"form": form, "letter": letter},
        status=status,
    )


def _ids(row, form_class) -> str:
    """Each row's forms get their own element ids (one page holds many)."""
    return f"row{row.pk}-{form_class.__name__.lower()}-%s"


def _row_counts(rows):
    """The round's figures over the rows the reader sees (an officer of a subunit sees only
    theirs), whatever page or filter is shown."""
    return rows.aggregate(
        row_count=Count("pk"),
        pending_count=Count("pk", filter=Q(status=RowStatus.PENDING)),
        confirmed_count=Count("pk", filter=Q(status=RowStatus.CONFIRMED)),
        disputed_count=Count("pk", filter=Q(answer=ReconciliationRow.Answer.DISPUTED)),
        returned_count=Count("pk", filter=Q(confirmation=ReconciliationRow.Confirmation.RETURNED)),
    )


def _with_forms(request, round_, rows, bound_row, bound_form):
    for row in rows:
        row.round = round_
        row.actions = reconciliation.available_actions(request.user, row, scoped=True)
        row.diffs = row.differences()
        row.answer_form = row.confirm_form = None
        if "answer" in row.actions:
            row.answer_form = AnswerForm(
                auto_id=_ids(row, AnswerForm),
                initial={"answer": row.answer, "note": row.answer_note},
            )
        if "confirm" in row.actions:
            row.confirm_form = ConfirmForm(auto_id=_ids(row, ConfirmForm))
        if bound_row is not None and row.pk == bound_row.pk:
            if isinstance(bound_form, AnswerForm):
                row.answer_form = bound_form
            else:
                row.confirm_form = bound_form


def _detail(request, round_, *, bound_row=None, bound_form=None, close_error=None, status=200):
    visible = ReconciliationRow.objects.restrict(request.user).filter(round=round_)
    filters = ReconciliationRowFilter(request.GET, queryset=visible)
    page_obj = paginate(
        request,
        filters.qs.select_related(
            "measure__unit", "measure__item__recommendation", "answered_by", "confirmed_by"
        ),
        per_page=ROWS_PER_PAGE,
    )
    page_obj.object_list = list(page_obj.object_list)
    _with_forms(request, round_, page_obj.object_list, bound_row, bound_form)
    return render(
        request,
        "reforms/reconciliation_detail.html",
        {
            "round": round_,
            "counts": _row_counts(visible),
            "filters": filters,
            "page_obj": page_obj,
            "rows": page_obj.object_list,
            "may_close": "close" in reconciliation.available_actions(request.user, round_),
            "may_close_later": round_.is_open
            and request.user.has_perm(reconciliation.PERMS["close"], round_),
            "close_error": close_error,
        },
        status=status,
    )


def _round(request, pk):
    return scoped_object_or_404(
        ReconciliationRound.objects.select_related("unit", "recommendation", "opened_by"),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
def round_detail(request, pk):
    return _detail(request, _round(request, pk))


def _act_on_row(request, pk, *, form_class, act, done):
    row = scoped_object_or_404(
        ReconciliationRow.objects.select_related("round", "measure"), request.user, pk=pk
    )
    form = form_class(request.POST, auto_id=_ids(row, form_class))
    status = 400
    if form.is_valid():
        try:
            act(row, form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, done)
            return redirect(_row_url(request.user, row))
    round_ = _round(request, row.round_id)
    return _detail(request, round_, bound_row=row, bound_form=form, status=status)


def _row_url(user, row) -> str:
    """The row on its page of the round, unfiltered (the rows' order: item, then measure)."""
    item = row.measure.item_id
    before = (
        ReconciliationRow.objects.restrict(user)
        .filter(round_id=row.round_id)
        .filter(
            Q(measure__item_id__lt=item) | Q(measure__item_id=item, measure_id__lt=row.measure_id)
        )
        .count()
    )
    page = before // ROWS_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    detail = reverse("reforms:reconciliation_detail", args=[row.round_id])
    return f"{detail}{query}#row-{row.pk}"


@login_required
@require_POST
def row_answer(request, pk):
    return _act_on_row(
        request,
        pk,
        form_class=AnswerForm,
        act=lambda row, data: reconciliation.answer_row(
            row=row, actor=request.user, answer=data["answer"], note=data["note"]
        ),
        done=_("Answer recorded."),
    )


@login_required
@require_POST
def row_confirm(request, pk):
    return _act_on_row(
        request,
        pk,
        form_class=ConfirmForm,
        act=lambda row, data: reconciliation.confirm_row(
            row=row, actor=request.user, confirmation=data["confirmation"], note=data["note"]
        ),
        done=_("Row confirmed."),
    )


@login_required
@require_POST
def round_close(request, pk):
    round_ = _round(request, pk)
    try:
        reconciliation.close_round(round_=round_, actor=request.user)
    except DomainError as refusal:
        round_.refresh_from_db()
        return _detail(request, round_, close_error=refusal.message, status=refusal.status_code)
    messages.success(request, _("Reconciliation round closed."))
    return redirect("reforms:reconciliation_detail", pk=round_.pk)
