"""Evaluation session pages (现场答辩式评查): opening one from a closed letter, the session's page
(panel, hearing, each evaluator's scoring form, the figures from the data, the combined results)
and one POST address per action.

Reads go through ``restrict``/``scoped_object_or_404``; every write goes through
``recommendations.evaluation``, and a refusal is shown next to its form with its status.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.domain import DomainError
from core.pages import refuse_in_form, require_permission, scoped_object_or_404

from . import evaluation, evaluation_metrics
from . import evaluation_forms as forms
from .models import EvaluationSession, IndicatorScore, PanelMember, Recommendation


def _session(request, pk) -> EvaluationSession:
    return scoped_object_or_404(
        EvaluationSession.objects.select_related(
            "recommendation__recipient_unit",
            "recommendation__issuer",
            "template",
            "opened_by",
            "closed_by",
            "evaluation",
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_open(request, pk):
    """Staff schedule an on-site evaluation of a closed letter (the form, and its answer)."""
    recommendation = scoped_object_or_404(Recommendation, request.user, pk=pk)
    require_permission(request.user, evaluation.PERMS["open"], recommendation)
    status = 200
    if request.method == "POST":
        form = forms.OpenSessionForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                session = evaluation.evaluation_session_open(
                    recommendation=recommendation, actor=request.user, **form.cleaned_data
                )
            except DomainError as refusal:
                status = refuse_in_form(form, refusal)
            else:
                messages.success(
                    request, _("The evaluation session is scheduled; invite the panel.")
                )
                return redirect("recommendations:evaluation_session", pk=session.pk)
    else:
        form = forms.OpenSessionForm()
    return render(
        request,
        "recommendations/evaluation_open.html",
        {"r": recommendation, "form": form},
        status=status,
    )


@dataclass(frozen=True)
class Action:
    form: Any
    done: Any
    run: Any


ACTIONS = {
    "record_hearing": Action(
        forms.HearingForm,
        gettext_lazy("The hearing is recorded."),
        lambda s, actor, form: evaluation.evaluation_hearing_record(
            session=s, actor=actor, **form.cleaned_data
        ),
    ),
    "start_scoring": Action(
        forms.NoInputForm,
        gettext_lazy("Scoring is open; the panel is told."),
        lambda s, actor, form: evaluation.evaluation_scoring_start(session=s, actor=actor),
    ),
    "submit_scores": Action(
        None,  # built per template (``_scores_form``)
        gettext_lazy("Your scores are submitted."),
        lambda s, actor, form: evaluation.evaluation_scores_submit(
            session=s, actor=actor, scores=form.scores(), comments=form.comments()
        ),
    ),
    "conclude": Action(
        forms.ConcludeForm,
        gettext_lazy("Concluded: the recommendation is evaluated."),
        lambda s, actor, form: evaluation.evaluation_session_conclude(
            session=s, actor=actor, **form.cleaned_data
        ),
    ),
    "cancel": Action(
        forms.CancelForm,
        gettext_lazy("The session is cancelled."),
        lambda s, actor, form: evaluation.evaluation_session_cancel(
            session=s, actor=actor, **form.cleaned_data
        ),
    ),
    "add_member": Action(
        forms.AddMemberForm,
        gettext_lazy("The evaluator is invited."),
        lambda s, actor, form: evaluation.evaluation_panel_add(
            session=s, actor=actor, user=form.cleaned_data["user"]
        ),
    ),
}


def _scores_form(session, data=None, *, user=None):
    indicators = session.template.indicators.all()
    initial = {}
    if user is not None and data is None:
        for row in IndicatorScore.objects.filter(member__session=session, member__user=user):
            initial[f"score_{row.indicator_id}"] = row.score
            initial[f"comment_{row.indicator_id}"] = row.comment
    return forms.ScoresForm(data, indicators=indicators, initial=initial)


def _new_form(name, session, user, data=None):
    if name == "submit_scores":
        return _scores_form(session, data, user=user)
    if name == "add_member":
        return forms.AddMemberForm(data, eligible=evaluation.eligible_evaluators(user, session))
    return ACTIONS[name].form(data)


def render_session(request, session, *, bound=None, status=200):
    user = request.user
    bound = bound or {}
    allowed = evaluation.available_actions(user, session)
    offered = {
        name: bound.get(name) or _new_form(name, session, user)
        for name in ACTIONS
        if name in allowed or name in bound
    }
    if "record_hearing" in offered and "record_hearing" not in bound:
        offered["record_hearing"].initial = {
            "reporter": session.reporter,
            "report": session.report,
            "questions": session.questions,
        }
    members = list(
        PanelMember.objects.restrict(user).filter(session=session).select_related("user__org_unit")
    )
    for member in members:
        member.removable = member.submitted_at is None and "remove_member" in allowed
    concluded = session.status == EvaluationSession.Status.CONCLUDED
    combined = evaluation.results(session) if concluded else None
    figures = evaluation_metrics.figures(session.recommendation)
    indicators = list(session.template.indicators.all())
    for indicator in indicators:
        indicator.figure = figures.shown(indicator.metric)
    ballots = None
    if concluded and user.has_perm("recommendations.view_indicatorscore"):
        ballots = _ballots(user, session, indicators)
    context = {
        "session": session,
        "r": session.recommendation,
        "actions": offered,
        "members": members,
        "indicators": indicators,
        "figures": figures,
        "results": combined,
        "ballots": ballots,
        "my_member": next((m for m in members if m.user_id == user.pk), None),
    }
    return render(request, "recommendations/evaluation_session.html", context, status=status)


def _ballots(user, session, indicators):
    """Each evaluator's scores in the template's order (read as ``restrict`` allows)."""
    scores = IndicatorScore.objects.restrict(user).filter(member__session=session)
    by_member: dict[int, dict[int, Any]] = {}
    names = {}
    for row in scores.select_related("member__user").order_by("member__added_at", "member__pk"):
        by_member.setdefault(row.member_id, {})[row.indicator_id] = row.score
        names[row.member_id] = str(row.member.user)
    return [
        {"name": names[member_id], "scores": [row.get(i.pk) for i in indicators]}
        for member_id, row in by_member.items()
    ]


@login_required
def session_detail(request, pk):
    return render_session(request, _session(request, pk))


@login_required
@require_POST
def session_action(request, pk, action):
    session = _session(request, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    require_permission(request.user, evaluation.PERMS[action], session)
    form = _new_form(action, session, request.user, request.POST)
    status = 400
    if form.is_valid():
        try:
            spec.run(session, request.user, form)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, spec.done)
            return redirect("recommendations:evaluation_session", pk=session.pk)
    return render_session(request, _session(request, pk), bound={action: form}, status=status)


@login_required
@require_POST
def member_remove(request, pk):
    member = scoped_object_or_404(
        PanelMember.objects.select_related("session"), request.user, pk=pk
    )
    require_permission(request.user, evaluation.PERMS["remove_member"], member.session)
    try:
        evaluation.evaluation_panel_remove(member=member, actor=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return render_session(
            request, _session(request, member.session_id), status=refusal.status_code
        )
    messages.success(request, _("The evaluator is taken off the panel."))
    return redirect("recommendations:evaluation_session", pk=member.session_id)
