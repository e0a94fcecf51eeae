"""Recommendation pages: the list, a new draft, the detail (staff and unit versions) and the print.

Views are thin: every object comes through its scope, every change through ``services``, and a
refusal goes back next to the form that asked for it, with its status code.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.confidentiality import VIEW_CASE_CONTENT, can_read_case_content
from cases.models import Case, Problem, Subject
from core.domain import DomainError, shanghai_today
from core.pages import (
    paginate,
    permission_required_or,
    refuse_in_form,
    require_permission,
    scoped_object_or_404,
)
from reforms import forms as reform_forms
from reforms import services as reform_services
from reforms.models import FollowUp, Measure
from reforms.views import outcomes_context

from . import forms, services
from .filters import RecommendationFilter
from .letter import letter_body
from .models import (
    EvaluationSession,
    Recommendation,
    RecommendationItem,
    RecommendationTransition,
    Reply,
)

Status = Recommendation.Status
STATUS_LABELS = dict(Status.choices)


# ---------------------------------------------------------------------------------------------
# List and create


@permission_required_or(403, "recommendations.view_recommendation")
def recommendation_list(request):
    queryset = (
        Recommendation.objects.restrict(request.user)
        .select_related("recipient_unit", "issuer")
        .with_item_count()
        .order_by("-created_at", "-pk")
    )
    recommendation_filter = RecommendationFilter(request.GET, queryset=queryset, request=request)
    page = paginate(request, recommendation_filter.qs)
    return render(
        request,
        "recommendations/recommendation_list.html",
        {
            "filter": recommendation_filter,
            "page_obj": page,
            "may_create": request.user.has_perm("recommendations.add_recommendation"),
            "today": shanghai_today(),
        },
    )


def _initial_from_case(request) -> dict:
    """``?case=<pk>``: the case (if in scope) preselected, its unit and commission proposed."""
    case_pk = request.GET.get("case", "")
    if not case_pk.isdigit():
        return {}
    case = Case.objects.restrict(request.user).filter(pk=case_pk).first()
    if case is None:
        return {}
    return {
        "cases": [case.pk],
        "recipient_unit": case.case_unit_id,
        "issuer": case.commission_id,
        "title": _("Recommendation on rectification following case %(number)s")
        % {"number": case.number},
    }


DRAFT_FIELDS = (
    "title",
    "kind",
    "issuer",
    "recipient_unit",
    "recipient_name",
    "cases",
    "preamble",
    "copied_to",
    "reply_due_on",
)


def _draft_form_page(request, recommendation: Recommendation | None):
    """Create a draft (``recommendation`` None) or edit one: the same form and checks."""
    user = request.user
    status = 200
    if request.method == "POST":
        form = forms.RecommendationForm(request.POST, user=user)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in DRAFT_FIELDS}
            try:
                if recommendation is None:
                    saved = services.recommendation_create(actor=user, **fields)
                else:
                    saved = services.recommendation_update(
                        recommendation=recommendation, actor=user, **fields
                    )
            except DomainError as refusal:
                status = refuse_in_form(form, refusal)
            else:
                _deadline_messages(request, form, saved)
                return redirect("recommendations:detail", pk=saved.pk)
        else:
            status = 400
    elif recommendation is None:
        initial = {"kind": Recommendation.Kind.LETTER}
        if user.org_unit and user.org_unit.kind in {"commission", "group"}:
            initial["issuer"] = user.org_unit_id
        form = forms.RecommendationForm(initial=initial | _initial_from_case(request), user=user)
    else:
        initial = {name: getattr(recommendation, name) for name in DRAFT_FIELDS if name != "cases"}
        initial["cases"] = list(recommendation.cases.values_list("pk", flat=True))
        form = forms.RecommendationForm(initial=initial, user=user)
    return render(
        request,
        "recommendations/recommendation_form.html",
        {"form": form, "r": recommendation},
        status=status,
    )


def _deadline_messages(request, form, recommendation) -> None:
    messages.success(
        request,
        _("Draft saved; the reply is due on %(date)s.")
        % {"date": recommendation.reply_due_on.isoformat()},
    )
    if form.unknown_year:
        messages.warning(
            request,
            _(
                "The official holidays of %(year)s are not in the calendar yet: "
                "the deadline counts Monday to Friday. Check it once they are "
                "announced."
            )
            % {"year": form.unknown_year},
        )


@permission_required_or(403, "recommendations.add_recommendation")
def recommendation_create(request):
    return _draft_form_page(request, None)


@login_required
def recommendation_edit(request, pk):
    recommendation = _get(request, pk)
    require_permission(request.user, "recommendations.change_recommendation", recommendation)
    return _draft_form_page(request, recommendation)


@login_required
@require_POST
def recommendation_delete(request, pk):
    """Throw away a draft: staff in scope, while it is a draft (``recommendations/rules.py``)."""
    recommendation = _get(request, pk)
    require_permission(request.user, "recommendations.delete_recommendation", recommendation)
    services.recommendation_delete(recommendation=recommendation, actor=request.user)
    messages.success(request, _("Draft “%(title)s” deleted.") % {"title": recommendation.title})
    if request.htmx:  # asked from the page with a confirmation: the browser goes to the list
        return HttpResponseClientRedirect(reverse("recommendations:list"))
    return redirect("recommendations:list")


# ---------------------------------------------------------------------------------------------
# Detail: one page, two versions (case readers see the case; the unit sees its letter only)


@dataclass(frozen=True)
class Action:
    """A transition offered on the detail page: its form and what it does.

    When it is offered (state and permission) is ``services.available_actions``.
    """

    form: type
    done: Any
    run: Any


def _issue(recommendation, actor, data):
    services.recommendation_issue(
        recommendation=recommendation,
        actor=actor,
        issued_on=data["issued_on"],
        doc_serial=data["doc_serial"],
    )


ACTIONS = {
    "issue": Action(
        forms.IssueForm,
        gettext_lazy("Issued."),
        _issue,
    ),
    "return": Action(
        forms.ReturnReplyForm,
        gettext_lazy("The reply was returned to the unit."),
        lambda r, actor, data: services.recommendation_return_reply(
            recommendation=r, actor=actor, reason=data["reason"]
        ),
    ),
    "close": Action(
        forms.CloseForm,
        gettext_lazy("Closed."),
        lambda r, actor, data: services.recommendation_close(recommendation=r, actor=actor),
    ),
    "evaluate": Action(
        forms.EvaluationForm,
        gettext_lazy("The evaluation is recorded."),
        lambda r, actor, data: services.recommendation_evaluate(
            recommendation=r,
            actor=actor,
            method=data["method"],
            score=data["score"],
            rating=data["rating"],
            comments=data["comments"],
        ),
    ),
    "follow_up": Action(
        reform_forms.FollowUpScheduleForm,
        gettext_lazy("The follow-up review is scheduled."),
        lambda r, actor, data: reform_services.follow_up_schedule(
            recommendation=r, actor=actor, scheduled_on=data["scheduled_on"]
        ),
    ),
    "acknowledge": Action(
        forms.AcknowledgeForm,
        gettext_lazy("Receipt acknowledged."),
        lambda r, actor, data: services.recommendation_acknowledge(recommendation=r, actor=actor),
    ),
    "start": Action(
        forms.StartRectificationForm,
        gettext_lazy("Rectification has started."),
        lambda r, actor, data: services.recommendation_start_rectification(
            recommendation=r, actor=actor
        ),
    ),
    "reply": Action(
        forms.ReplyForm,
        gettext_lazy("The rectification report is submitted."),
        lambda r, actor, data: services.recommendation_submit_reply(
            recommendation=r, actor=actor, content=data["content"]
        ),
    ),
}


def _action_forms(user, recommendation, bound: dict) -> dict:
    """Forms of the transitions this user may take now (a bound one kept with its errors)."""
    allowed = services.available_actions(user, recommendation)
    offered = {}
    for name, action in ACTIONS.items():
        if name in bound:
            offered[name] = bound[name]
        elif name in allowed:
            offered[name] = action.form()
    return offered


def _history(user, recommendation):
    transitions = list(
        RecommendationTransition.objects.restrict(user)
        .filter(recommendation=recommendation)
        .select_related("actor")
    )
    for transition in transitions:
        transition.from_label = STATUS_LABELS.get(transition.from_status, transition.from_status)
        transition.to_label = STATUS_LABELS.get(transition.to_status, transition.to_status)
    return transitions


def _items(user, recommendation, *, with_problems: bool):
    items = (
        RecommendationItem.objects.restrict(user)
        .filter(recommendation=recommendation)
        .annotate(measure_count=Count("measures"))
        .order_by("number")
    )
    if with_problems:
        items = items.prefetch_related(
            Prefetch(
                "problems",
                queryset=Problem.objects.restrict(user).select_related("case", "process_stage"),
            )
        )
    return items


def _item_form(user, recommendation, form=None):
    """The add-item form, only while the draft may be changed by this user."""
    if form is not None:
        return form
    if user.has_perm("recommendations.change_recommendation", recommendation):
        return forms.ItemForm(user=user, recommendation=recommendation)
    return None


def _staff_context(request, recommendation, *, bound, item_form, follow_up_forms):
    user = request.user
    follow_ups = list(FollowUp.objects.restrict(user).filter(recommendation=recommendation))
    may_record = follow_ups and user.has_perm("reforms.change_followup", follow_ups[0])
    for follow_up in follow_ups:
        follow_up.record_form = follow_up_forms.get(follow_up.pk) or (
            reform_forms.FollowUpRecordForm()
            if may_record and follow_up.conducted_on is None
            else None
        )
    measures = Measure.objects.restrict(user).filter(item__recommendation=recommendation)
    return {
        "cases": Case.objects.restrict(user)
        .filter(recommendations=recommendation)
        .select_related("case_unit")
        .prefetch_related(Prefetch("subjects", queryset=Subject.objects.restrict(user))),
        "items": _items(user, recommendation, with_problems=True),
        "item_form": _item_form(user, recommendation, item_form),
        "may_delete": user.has_perm("recommendations.delete_recommendation", recommendation),
        "follow_ups": follow_ups,
        "measure_totals": {
            "all": measures.count(),
            "open": measures.open().count(),
            "overdue": measures.overdue().count(),
        },
    }


def _officer_context(request, recommendation):
    return {"items": _items(request.user, recommendation, with_problems=False)}


def render_detail(
    request, recommendation, *, bound=None, item_form=None, follow_up_forms=None, status=200
):
    """The detail page for this user, with any bound (refused) form in its place."""
    user = request.user
    bound = bound or {}
    # The unit's version of the page leaves out the preamble and the cases behind the letter.
    officer = not can_read_case_content(user)
    actions = _action_forms(user, recommendation, bound)
    context = {
        "r": recommendation,
        "actions": actions,
        "history": _history(user, recommendation),
        "replies": Reply.objects.restrict(user)
        .filter(recommendation=recommendation)
        .select_related("submitted_by"),
        "evaluation": getattr(recommendation, "evaluation", None),
        "evaluation_sessions": EvaluationSession.objects.restrict(user)
        .filter(recommendation=recommendation)
        .select_related("evaluation"),
        "may_open_session": "open_session" in services.available_actions(user, recommendation),
    }
    if recommendation.status != Recommendation.Status.DRAFT:
        # Rule changes and activities the letter produced, with their add forms (reforms).
        context["outcomes"] = outcomes_context(user, recommendation)
    if officer:
        context |= _officer_context(request, recommendation)
        template = "recommendations/recommendation_detail_officer.html"
    else:
        context |= _staff_context(
            request,
            recommendation,
            bound=bound,
            item_form=item_form,
            follow_up_forms=follow_up_forms or {},
        )
        template = "recommendations/recommendation_detail.html"
    return render(request, template, context, status=status)


def _get(request, pk):
    return scoped_object_or_404(
        Recommendation.objects.select_related(
            "issuer", "recipient_unit", "created_by", "evaluation__evaluated_by"
        ),
        request.user,
        pk=pk,
    )


@login_required
def recommendation_detail(request, pk):
    return render_detail(request, _get(request, pk))


@login_required
@require_POST
def recommendation_action(request, pk, action):
    recommendation = _get(request, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = spec.form(request.POST)
    if form.is_valid():
        try:
            spec.run(recommendation, request.user, form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, spec.done)
            return redirect("recommendations:detail", pk=recommendation.pk)
    else:
        status = 400
    # Read the row again: a refused service rolled its changes back.
    return render_detail(request, _get(request, pk), bound={action: form}, status=status)


@login_required
@require_POST
def item_add(request, pk):
    """htmx: add the next numbered item; answers the items fragment (or the page without JS)."""
    recommendation = _get(request, pk)
    user = request.user
    form = forms.ItemForm(request.POST, user=user, recommendation=recommendation)
    status = 200
    if form.is_valid():
        try:
            item = services.recommendation_item_add(
                recommendation=recommendation,
                actor=user,
                content=form.cleaned_data["content"],
                problems=form.cleaned_data["problems"],
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            if not request.htmx:
                messages.success(request, _("Item %(number)d added.") % {"number": item.number})
                return redirect("recommendations:detail", pk=recommendation.pk)
            form = None
    else:
        status = 400
    recommendation = _get(request, pk)
    if request.htmx:
        return render(
            request,
            "recommendations/_items.html",
            {
                "r": recommendation,
                "items": _items(user, recommendation, with_problems=True),
                "item_form": _item_form(user, recommendation, form),
            },
            status=status,
        )
    return render_detail(request, recommendation, item_form=form, status=status)


def _items_answer(request, recommendation, *, item_form=None, editing=None, status=200):
    """htmx gets the items card; a browser without JavaScript, the whole page."""
    recommendation = _get(request, recommendation.pk)
    if not request.htmx:
        return render_detail(request, recommendation, item_form=item_form, status=status)
    return render(
        request,
        "recommendations/_items.html",
        {
            "r": recommendation,
            "items": _items(request.user, recommendation, with_problems=True),
            "item_form": _item_form(request.user, recommendation),
            "editing": editing,
        },
        status=status,
    )


def _scoped_item(request, pk) -> RecommendationItem:
    return scoped_object_or_404(
        RecommendationItem.objects.select_related("recommendation"), request.user, pk=pk
    )


@login_required
def item_edit(request, pk):
    """htmx: the item as a form in place (GET), saved (POST); the items card comes back."""
    item = _scoped_item(request, pk)
    recommendation = item.recommendation
    user = request.user
    require_permission(user, "recommendations.change_recommendation", recommendation)
    if request.method != "POST":
        form = forms.ItemForm(
            initial={"content": item.content, "problems": list(item.problems.all())},
            user=user,
            recommendation=recommendation,
            prefix=f"item{item.pk}",
        )
        return _items_answer(request, recommendation, editing={"item": item.pk, "form": form})
    form = forms.ItemForm(
        request.POST, user=user, recommendation=recommendation, prefix=f"item{item.pk}"
    )
    status = 400
    if form.is_valid():
        try:
            services.recommendation_item_update(
                item=item,
                actor=user,
                content=form.cleaned_data["content"],
                problems=form.cleaned_data["problems"],
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            return _items_answer(request, recommendation)
    return _items_answer(
        request, recommendation, editing={"item": item.pk, "form": form}, status=status
    )


@login_required
@require_POST
def item_remove(request, pk):
    item = _scoped_item(request, pk)
    try:
        services.recommendation_item_remove(item=item, actor=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return _items_answer(request, item.recommendation, status=refusal.status_code)
    return _items_answer(request, item.recommendation)


@login_required
@require_POST
def follow_up_record(request, pk):
    follow_up = scoped_object_or_404(FollowUp, request.user, pk=pk)
    form = reform_forms.FollowUpRecordForm(request.POST)
    if form.is_valid():
        try:
            reform_services.follow_up_record(
                follow_up=follow_up,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                findings=form.cleaned_data["findings"],
                conducted_on=form.cleaned_data["conducted_on"],
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, _("The outcome of the follow-up review is recorded."))
            return redirect("recommendations:detail", pk=follow_up.recommendation_id)
    else:
        status = 400
    recommendation = _get(request, follow_up.recommendation_id)
    return render_detail(
        request, recommendation, follow_up_forms={follow_up.pk: form}, status=status
    )


# ---------------------------------------------------------------------------------------------
# Print


@login_required
def recommendation_print(request, pk):
    """The document as printed. Case readers only: the preamble may speak of the case."""
    recommendation = _get(request, pk)
    require_permission(request.user, VIEW_CASE_CONTENT)
    return render(
        request,
        "recommendations/recommendation_print.html",
        letter_body(request.user, recommendation),
    )
