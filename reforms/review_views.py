"""The follow-up review page (回头看): the measures under review, marked held or rebounded.

Staff in scope choose the measures (all signed-off ones or a random sample), mark each (a rebound
reopens the measure through ``services.measure_reopen``), record the outcome (the form posts to
``recommendations:follow_up_record``) and may end the review with a 通报 or 约谈. Officers and
supervisors in scope read it. Every write goes through ``services``; a refusal is shown next to
its form with its status code.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.domain import DomainError
from core.pages import refuse_in_form, scoped_object_or_404

from . import services
from .forms import (
    FollowUpChooseForm,
    FollowUpConcludeForm,
    FollowUpMarkForm,
    FollowUpRecordForm,
)
from .models import FollowUp, FollowUpMeasure


def _review(request, pk) -> FollowUp:
    return scoped_object_or_404(
        FollowUp.objects.select_related("recommendation__recipient_unit", "closing_activity"),
        request.user,
        pk=pk,
    )


def _mark_form(row, data=None):
    return FollowUpMarkForm(data, auto_id=f"id_row{row.pk}_%s", standing=row.measure.is_standing)


def _context(request, review, *, choose_form=None, conclude_form=None, marked=None):
    user = request.user
    may_act = user.has_perm("reforms.change_followup", review)
    open_review = review.conducted_on is None
    rows = list(
        FollowUpMeasure.objects.restrict(user)
        .filter(follow_up=review)
        .select_related("measure", "checked_by")
    )
    for row in rows:
        row.form = None
        if may_act and open_review and not row.verdict:
            row.form = marked[1] if marked and marked[0] == row.pk else _mark_form(row)
    return {
        "review": review,
        "recommendation": review.recommendation,
        "rows": rows,
        "rebounded": sum(1 for row in rows if row.verdict == FollowUpMeasure.Verdict.REBOUNDED),
        "choose_form": (choose_form or FollowUpChooseForm())
        if may_act and open_review and not rows
        else None,
        "record_form": FollowUpRecordForm() if may_act and open_review else None,
        "conclude_form": (conclude_form or FollowUpConcludeForm())
        if may_act and not open_review and review.closing_activity_id is None
        else None,
    }


@login_required
@require_GET
def follow_up_detail(request, pk):
    review = _review(request, pk)
    return render(request, "reforms/follow_up_detail.html", _context(request, review))


def _act(request, review, form, act, done, **refused_form):
    status = 400
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, done)
            return redirect("reforms:follow_up_detail", pk=review.pk)
    review.refresh_from_db()
    context = _context(request, review, **refused_form)
    return render(request, "reforms/follow_up_detail.html", context, status=status)


@login_required
@require_POST
def follow_up_choose(request, pk):
    review = _review(request, pk)
    form = FollowUpChooseForm(request.POST)
    return _act(
        request,
        review,
        form,
        lambda data: services.follow_up_choose_measures(
            follow_up=review, actor=request.user, sample_size=data["sample_size"]
        ),
        _("The measures under review are chosen."),
        choose_form=form,
    )


@login_required
@require_POST
def follow_up_mark(request, pk):
    row = scoped_object_or_404(
        FollowUpMeasure.objects.select_related("follow_up", "measure"), request.user, pk=pk
    )
    review = _review(request, row.follow_up_id)
    form = _mark_form(row, request.POST)
    return _act(
        request,
        review,
        form,
        lambda data: services.follow_up_mark(row=row, actor=request.user, **data),
        _("The measure is marked."),
        marked=(row.pk, form),
    )


@login_required
@require_POST
def follow_up_conclude(request, pk):
    review = _review(request, pk)
    form = FollowUpConcludeForm(request.POST)
    return _act(
        request,
        review,
        form,
        lambda data: services.follow_up_conclude(follow_up=review, actor=request.user, **data),
        _("The review's conclusion is recorded."),
        conclude_form=form,
    )
