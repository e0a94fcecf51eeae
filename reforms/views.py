"""Measure pages: the list, one measure, the plan editor, and the staff's two queues.

Reads go through ``restrict``/``scoped_object_or_404``; every write goes through ``services`` and a
refusal is shown next to its form with the refusal's status code. Queue rows and plan blocks are
htmx fragments replaced in place by the answer.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.domain import DomainError, shanghai_today
from core.pages import (
    filter_chips,
    paginate,
    permission_required_or,
    refuse_in_form,
    require_permission,
    scoped_object_or_404,
)
from core.uploads import attachment_response
from recommendations import services as recommendation_services
from recommendations.models import Recommendation, RecommendationItem

from . import services
from .filters import MeasureFilter
from .forms import (
    ActivityForm,
    EvidenceForm,
    ExtensionForm,
    MeasureEditForm,
    MeasurePlanForm,
    NoteForm,
    ProgressForm,
    RejectForm,
    ReturnForm,
    RuleChangeForm,
    SignOffForm,
)
from .models import Activity, Evidence, ExtensionRequest, Measure, ProgressReport, RuleChange
from .sections import measure_sections

Status = Measure.Status


# A page a role does not use answers 403; a record outside the user's scope answers 404
# (``core.pages``).


# ---------------------------------------------------------------------------------------------
# The list


@permission_required_or(403, "reforms.view_measure")
@require_GET
def measure_list(request):
    measures = Measure.objects.restrict(request.user).select_related("unit", "item__recommendation")
    filterset = MeasureFilter(request.GET or None, queryset=measures, request=request)
    page = paginate(request, filterset.qs)
    return render(
        request,
        "reforms/measure_list.html",
        {
            "filter": filterset,
            "chips": filter_chips(filterset, skip=["ordering"]),
            "page_obj": page,
            "today": filterset.today,
        },
    )


# ---------------------------------------------------------------------------------------------
# One measure and what its people do to it


def _detail_context(request, measure, **forms):
    actions = services.available_actions(request.user, measure)
    transitions = _labelled(measure.transitions.select_related("actor"))
    context = {
        "actions": actions,
        "measure": measure,
        "today": shanghai_today(),
        "reports": measure.progress_reports.select_related("reported_by").prefetch_related(
            "evidence"
        ),
        "evidence_list": measure.evidence.select_related("uploaded_by"),
        "transitions": transitions,
        "open_return": _open_return(measure, transitions),
        # Answered by new work: a report or evidence moved it back to in progress.
        "new_work_since_return": measure.status == Status.IN_PROGRESS,
        # A returned measure's officer sees why sign-off is not offered yet (``return_hint``).
        "signoff_hint": measure.status == Status.RETURNED
        and request.user.has_perm(services.PERMS["request_signoff"], measure),
        "return_hint": services.RETURNED_NEEDS_NEW_WORK,
        "days_late_original": measure.days_overdue(against_original=True),
        "extensions": measure.extension_requests.select_related("requested_by", "decided_by"),
        "urging_notices": measure.urging_notices.all(),
        "pending_extension": measure.extension_requests.pending().first(),
        "can_report": "report" in actions,
        "can_request_signoff": "request_signoff" in actions,
        "can_request_extension": "request_extension" in actions,
        "can_verify": "sign_off" in actions,
        "progress_form": ProgressForm(),
        "evidence_form": EvidenceForm(),
        "signoff_request_form": NoteForm(prefix="request"),
        "extension_form": ExtensionForm(),
        "sign_off_form": SignOffForm(prefix="signoff"),
        "return_form": ReturnForm(),
    }
    context.update(forms)
    context["verify_forms"] = (context["sign_off_form"], context["return_form"])
    context["sections"] = measure_sections(measure, request.user)
    context["outcomes"] = outcomes_context(
        request.user,
        measure.item.recommendation,
        measure=measure,
        rule_form=forms.pop("rule_form", None),
        activity_form=forms.pop("activity_form", None),
    )
    # A refused form is shown with its reason even if the section would otherwise be hidden.
    for flag, names in (
        ("can_report", ["progress_form", "evidence_form"]),
        ("can_request_signoff", ["signoff_request_form"]),
        ("can_request_extension", ["extension_form"]),
        ("can_verify", ["sign_off_form", "return_form"]),
    ):
        context[flag] = context[flag] or any(context[name].is_bound for name in names)
    return context


def _open_return(measure, transitions):
    """The return the unit is still answering: the latest history row that sent the measure back,
    unless sign-off was requested again since (then it is in the hands of the staff again)."""
    if measure.status not in {Status.RETURNED, Status.IN_PROGRESS}:
        return None
    for row in reversed(transitions):
        if row.to_status == Status.AWAITING_SIGNOFF:
            return None
        if row.to_status == Status.RETURNED:
            return row
    return None


def _labelled(transitions):
    labels = dict(Status.choices)
    rows = list(transitions)
    for row in rows:
        row.from_label = labels.get(row.from_status, row.from_status)
        row.to_label = labels.get(row.to_status, row.to_status)
    return rows


def _measure(request, pk):
    measure = scoped_object_or_404(
        Measure.objects.select_related("unit", "item__recommendation", "owner"), request.user, pk=pk
    )
    return measure


@login_required
@require_GET
def measure_detail(request, pk):
    measure = _measure(request, pk)
    return render(request, "reforms/measure_detail.html", _detail_context(request, measure))


def _act_on_measure(request, pk, *, form, form_name, act, done, fragment=None):
    """Validate ``form``, let ``act(measure, data)`` call a service, answer the page or a fragment.

    On success: a non-htmx request goes back to the measure with ``done`` as a message; an htmx
    one gets ``fragment`` (a queue row). On refusal: the form with the reason, and its status.
    """
    measure = _measure(request, pk)
    status = 400
    if form.is_valid():
        try:
            act(measure, form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
            measure.refresh_from_db()
        else:
            if request.htmx and fragment:
                return fragment(request, measure, form=None)
            messages.success(request, done)
            return redirect("reforms:measure_detail", pk=measure.pk)
    if request.htmx and fragment:
        return fragment(request, measure, form=form, status=status)
    context = _detail_context(request, measure, **{form_name: form})
    return render(request, "reforms/measure_detail.html", context, status=status)


@login_required
@require_POST
def progress_add(request, pk):
    def act(measure, data):
        files = (data["file"],) if data["file"] else ()
        services.progress_report_add(
            measure=measure,
            actor=request.user,
            content=data["content"],
            percent_complete=data["percent_complete"],
            files=files,
        )

    return _act_on_measure(
        request,
        pk,
        form=ProgressForm(request.POST, request.FILES),
        form_name="progress_form",
        act=act,
        done=_("Progress reported."),
    )


@login_required
@require_POST
def evidence_add(request, pk):
    def act(measure, data):
        services.evidence_add(
            measure=measure,
            actor=request.user,
            file=data["file"],
            description=data["description"],
        )

    return _act_on_measure(
        request,
        pk,
        form=EvidenceForm(request.POST, request.FILES),
        form_name="evidence_form",
        act=act,
        done=_("Evidence uploaded."),
    )


@login_required
@require_POST
def signoff_request(request, pk):
    return _act_on_measure(
        request,
        pk,
        form=NoteForm(request.POST, prefix="request"),
        form_name="signoff_request_form",
        act=lambda measure, data: services.measure_request_signoff(
            measure=measure, actor=request.user, note=data["note"]
        ),
        done=_("Sign-off requested."),
    )


@login_required
@require_POST
def extension_request(request, pk):
    return _act_on_measure(
        request,
        pk,
        form=ExtensionForm(request.POST),
        form_name="extension_form",
        act=lambda measure, data: services.extension_request_submit(
            measure=measure,
            actor=request.user,
            requested_due_on=data["requested_due_on"],
            reason=data["reason"],
        ),
        done=_("Extension requested."),
    )


@login_required
@require_POST
def sign_off(request, pk):
    return _act_on_measure(
        request,
        pk,
        form=SignOffForm(request.POST, prefix="signoff"),
        form_name="sign_off_form",
        act=lambda measure, data: services.measure_sign_off(
            measure=measure, actor=request.user, note=data["note"]
        ),
        done=_("Measure signed off."),
        fragment=_signoff_row,
    )


@login_required
@require_POST
def return_measure(request, pk):
    return _act_on_measure(
        request,
        pk,
        form=ReturnForm(request.POST),
        form_name="return_form",
        act=lambda measure, data: services.measure_return(
            measure=measure,
            actor=request.user,
            reason_code=data["reason_code"],
            reason=data["reason"],
        ),
        done=_("Measure returned to the unit."),
        fragment=_signoff_row,
    )


@login_required
@require_GET
def evidence_download(request, pk):
    evidence = scoped_object_or_404(Evidence, request.user, pk=pk)
    return attachment_response(evidence.content(), evidence.original_name)


# ---------------------------------------------------------------------------------------------
# The rectification plan


def _can_plan(user, recommendation) -> bool:
    return "plan" in recommendation_services.available_actions(user, recommendation)


# An item's measures the plan shows at first, and at each "show more": the real letter's plan of
# 1,166 measures drawn whole was 1.3 MB of HTML and took 0.7 s.
PLAN_MEASURES_SHOWN = 10


def _planned(measures):
    return measures.order_by("pk").prefetch_related("extension_requests")


def _item_block(request, item, *, form=None, status=200, added=None):
    """An item's block of the plan: its first measures, a way to the rest, and — after an add —
    the measure just added, wherever it falls."""
    measures = list(_planned(item.measures.all())[:PLAN_MEASURES_SHOWN])
    context = {
        "item": item,
        "measures": measures,
        "more": _more(item, measures, item.measures.count()),
        "added": added if added is not None and added not in measures else None,
        "can_plan": _can_plan(request.user, item.recommendation),
        "form": form or MeasurePlanForm(prefix=f"item{item.pk}"),
    }
    return render(request, "reforms/_plan_item.html", context, status=status)


def _more(item, shown: list, total: int) -> dict | None:
    """What "show more" after ``shown`` (the first ``total`` measures) fetches, if any are left."""
    remaining = total - len(shown)
    if remaining <= 0:
        return None
    return {
        "item": item,
        "after": shown[-1].pk,
        "next": min(remaining, PLAN_MEASURES_SHOWN),
        "remaining": remaining,
    }


@login_required
@require_GET
def plan(request, pk):
    recommendation = scoped_object_or_404(
        Recommendation.objects.select_related("recipient_unit", "issuer"), request.user, pk=pk
    )
    first_measures = _planned(Measure.objects.all())[:PLAN_MEASURES_SHOWN]
    items = recommendation.items.annotate(measure_count=Count("measures")).prefetch_related(
        Prefetch("measures", queryset=first_measures, to_attr="first_measures")
    )
    blocks = [
        {
            "item": item,
            "measures": item.first_measures,
            "more": _more(item, item.first_measures, item.measure_count),
            "form": MeasurePlanForm(prefix=f"item{item.pk}"),
        }
        for item in items
    ]
    return render(
        request,
        "reforms/plan.html",
        {
            "recommendation": recommendation,
            "blocks": blocks,
            "can_plan": _can_plan(request.user, recommendation),
            "can_edit": request.user.has_perm("reforms.add_measure"),
        },
    )


@login_required
@require_GET
def plan_item_measures(request, item_pk):
    """The next measures of an item on the plan, after the one ``?after=`` names (htmx)."""
    item = scoped_object_or_404(
        RecommendationItem.objects.select_related("recommendation"), request.user, pk=item_pk
    )
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        after = 0
    later = item.measures.filter(pk__gt=after)
    measures = list(_planned(later)[:PLAN_MEASURES_SHOWN])
    context = {"item": item, "measures": measures, "more": _more(item, measures, later.count())}
    return render(request, "reforms/_plan_measures.html", context)


@login_required
@require_POST
def plan_measure_add(request, item_pk):
    item = scoped_object_or_404(
        RecommendationItem.objects.select_related("recommendation"), request.user, pk=item_pk
    )
    form = MeasurePlanForm(request.POST, prefix=f"item{item.pk}")
    if not form.is_valid():
        return _item_block(request, item, form=form, status=400)
    try:
        measure = services.measure_create(item=item, actor=request.user, **form.cleaned_data)
    except DomainError as refusal:
        return _item_block(request, item, form=form, status=refuse_in_form(form, refusal))
    if not request.htmx:
        messages.success(request, _("Measure added."))
        return redirect("reforms:plan", pk=item.recommendation_id)
    return _item_block(request, item, added=measure)


def _measure_fragment(request, measure, *, form=None, status=200):
    if form is not None:
        template = "reforms/_plan_measure_edit.html"
    else:
        template = "reforms/_plan_measure.html"
    context = {
        "measure": measure,
        "form": form,
    }
    return render(request, template, context, status=status)


@login_required
@require_GET
def plan_measure(request, pk):
    """One measure as the plan shows it (what "cancel" puts back)."""
    return _measure_fragment(request, _measure(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk):
    measure = _measure(request, pk)
    if request.method == "GET":
        require_permission(request.user, "reforms.change_measure", measure)
        return _measure_fragment(request, measure, form=MeasureEditForm(instance=measure))
    form = MeasureEditForm(request.POST, instance=Measure(pk=measure.pk))
    if not form.is_valid():
        return _measure_fragment(request, measure, form=form, status=400)
    try:
        services.measure_update(measure=measure, actor=request.user, **form.cleaned_data)
    except DomainError as refusal:
        measure.refresh_from_db()
        status = refuse_in_form(form, refusal)
        return _measure_fragment(request, measure, form=form, status=status)
    if not request.htmx:
        messages.success(request, _("Measure saved."))
        return redirect("reforms:plan", pk=measure.item.recommendation_id)
    return _measure_fragment(request, measure)


# ---------------------------------------------------------------------------------------------
# The staff's queues


def _signoff_rows(user):
    return (
        Measure.objects.restrict(user)
        .select_related("unit", "item__recommendation")
        .prefetch_related(
            Prefetch(
                "progress_reports",
                queryset=ProgressReport.objects.order_by("-reported_at", "-pk"),
                to_attr="latest_reports",
            ),
            Prefetch("evidence", queryset=Evidence.objects.order_by("pk"), to_attr="files"),
        )
    )


def _with_decision_forms(measure, refused=None):
    """A queue row's two forms (each in its confirmation dialog), ids unique to the row; a refused
    form comes back bound, with its errors."""
    auto_id = f"id_m{measure.pk}_%s"
    measure.sign_off_form = SignOffForm(prefix="signoff", auto_id=auto_id)
    measure.return_form = ReturnForm(auto_id=auto_id)
    if isinstance(refused, SignOffForm):
        measure.sign_off_form = refused
    elif isinstance(refused, ReturnForm):
        measure.return_form = refused
    return measure


def _signoff_row(request, measure, *, form=None, status=200):
    row = _with_decision_forms(_signoff_rows(request.user).get(pk=measure.pk), form)
    # Decided: the row says how, with the opinion or the reason (one query, this row only).
    decision = None
    if row.status != Status.AWAITING_SIGNOFF:
        decision = row.transitions.select_related("actor").order_by("at", "pk").last()
    context = {"measure": row, "refusal_form": form, "decision": decision}
    return render(request, "reforms/_signoff_row.html", context, status=status)


@permission_required_or(403, "reforms.view_signoff_queue")
@require_GET
def signoff_queue(request):
    rows = _signoff_rows(request.user).awaiting_signoff().by_due_date()
    page = paginate(request, rows)
    for measure in page:
        _with_decision_forms(measure)
    return render(request, "reforms/signoff_queue.html", {"page_obj": page})


def _extension_rows(user):
    return ExtensionRequest.objects.restrict(user).select_related(
        "measure__unit", "measure__item__recommendation", "requested_by", "decided_by"
    )


def _with_extension_forms(extension, refused=None, action=None):
    """A queue row's approve and reject forms (each in its confirmation dialog), ids unique to the
    row; a refused one comes back bound, with its errors."""
    extension.approve_form = NoteForm(auto_id=f"id_x{extension.pk}_approve_%s")
    extension.reject_form = RejectForm(auto_id=f"id_x{extension.pk}_reject_%s")
    if refused is not None:
        setattr(extension, f"{action}_form", refused)
    return extension


def _extension_row(request, extension, *, form=None, action=None, status=200):
    row = _extension_rows(request.user).get(pk=extension.pk)
    context = {"extension": _with_extension_forms(row, form, action), "refusal_form": form}
    return render(request, "reforms/_extension_row.html", context, status=status)


def _extension_queue_page(request, *, refused=None, form=None, action=None, status=200):
    """The queue; after a refused decision without htmx, with that row's form bound to its
    errors and the refusal's status, as the row alone answers with htmx."""
    require_permission(request.user, "reforms.view_extension_queue")
    if form is not None:
        # A row no longer pending is not on the queue: its refusal is said above the list too.
        for error in form.non_field_errors():
            messages.error(request, error)
    page = paginate(request, _extension_rows(request.user).pending().order_by("requested_at", "pk"))
    for extension in page:
        if refused is not None and extension.pk == refused.pk:
            _with_extension_forms(extension, form, action)
            extension.refusal_form = form
        else:
            _with_extension_forms(extension)
    return render(request, "reforms/extension_queue.html", {"page_obj": page}, status=status)


@permission_required_or(403, "reforms.view_extension_queue")
@require_GET
def extension_queue(request):
    return _extension_queue_page(request)


def _decide_extension(request, pk, *, form, action, act, done):
    extension = scoped_object_or_404(
        ExtensionRequest.objects.select_related("measure"), request.user, pk=pk
    )
    status = 400
    if form.is_valid():
        try:
            act(extension, form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            if not request.htmx:
                messages.success(request, done)
                return redirect("reforms:extension_queue")
            return _extension_row(request, extension)
    if not request.htmx:
        return _extension_queue_page(
            request, refused=extension, form=form, action=action, status=status
        )
    return _extension_row(request, extension, form=form, action=action, status=status)


@login_required
@require_POST
def extension_approve(request, pk):
    return _decide_extension(
        request,
        pk,
        form=NoteForm(request.POST),
        action="approve",
        act=lambda extension, data: services.extension_request_approve(
            request=extension, actor=request.user, note=data["note"]
        ),
        done=_("Extension approved."),
    )


@login_required
@require_POST
def extension_reject(request, pk):
    return _decide_extension(
        request,
        pk,
        form=RejectForm(request.POST),
        action="reject",
        act=lambda extension, data: services.extension_request_reject(
            request=extension, actor=request.user, note=data["note"]
        ),
        done=_("Extension refused."),
    )


# ---------------------------------------------------------------------------------------------
# Outcomes (整改成效): rule changes and activities, recorded from a measure's page or from its
# recommendation's page. Both pages show the fragment ``_outcomes.html``, which htmx replaces.


OUTCOMES_SHOWN = 10


def outcomes_context(user, recommendation, *, measure=None, rule_form=None, activity_form=None):
    """What ``reforms/_outcomes.html`` shows: a measure's rule changes (or the letter's) and the
    letter's activities, and the add forms when the user may record outcomes here."""
    rule_changes = RuleChange.objects.restrict(user).select_related("measure", "created_by")
    rule_changes = (
        rule_changes.filter(measure=measure)
        if measure is not None
        else rule_changes.filter(recommendation=recommendation)
    )
    activities = (
        Activity.objects.restrict(user)
        .filter(recommendation=recommendation)
        .select_related("created_by")
    )
    open_to_outcomes = services.open_to_outcomes(recommendation)
    rule_change_count, activity_count = rule_changes.count(), activities.count()
    if measure is not None:
        rule_url = reverse("reforms:measure_rule_change_add", args=[measure.pk])
        activity_url = reverse("reforms:measure_activity_add", args=[measure.pk])
    else:
        rule_url = reverse("reforms:recommendation_rule_change_add", args=[recommendation.pk])
        activity_url = reverse("reforms:recommendation_activity_add", args=[recommendation.pk])
    # The rows were read through ``restrict(user)``: model-level permissions suffice.
    return {
        "recommendation": recommendation,
        "measure": measure,
        # The latest few; the full lists (hundreds in a real case) are the statistics' lists.
        "rule_changes": rule_changes[:OUTCOMES_SHOWN],
        "activities": activities[:OUTCOMES_SHOWN],
        "rule_change_count": rule_change_count,
        "activity_count": activity_count,
        "can_add_rule_change": open_to_outcomes and user.has_perm("reforms.add_rulechange"),
        "can_add_activity": open_to_outcomes and user.has_perm("reforms.add_activity"),
        "can_delete_rule_change": user.has_perm("reforms.delete_rulechange"),
        "can_delete_activity": user.has_perm("reforms.delete_activity"),
        "rule_form": rule_form or RuleChangeForm(),
        "activity_form": activity_form or ActivityForm(),
        "rule_url": rule_url,
        "activity_url": activity_url,
    }


def _outcomes_answer(request, recommendation, *, measure=None, status=200, done="", **forms):
    """htmx: the fragment; otherwise back to the page (with the refused form on a measure page)."""
    if request.htmx:
        context = {
            "outcomes": outcomes_context(request.user, recommendation, measure=measure, **forms)
        }
        return render(request, "reforms/_outcomes.html", context, status=status)
    if status == 200:
        messages.success(request, done)
    elif measure is None:
        form = next(iter(forms.values()))
        for error in form.non_field_errors() or [_("Check the form and try again.")]:
            messages.error(request, error)
    if measure is not None:
        if status != 200:
            context = _detail_context(request, measure, **forms)
            return render(request, "reforms/measure_detail.html", context, status=status)
        return redirect("reforms:measure_detail", pk=measure.pk)
    return redirect("recommendations:detail", pk=recommendation.pk)


def _outcome_target(request, *, measure_pk=None, recommendation_pk=None):
    if measure_pk is not None:
        measure = _measure(request, measure_pk)
        return measure.item.recommendation, measure
    recommendation = scoped_object_or_404(
        Recommendation.objects.select_related("recipient_unit"), request.user, pk=recommendation_pk
    )
    return recommendation, None


def _add_outcome(request, *, form_class, form_name, create, done, **target):
    # A record outside the user's scope is a 404; a role that records no outcomes (a supervisor)
    # is then refused with a 403.
    recommendation, measure = _outcome_target(request, **target)
    require_permission(request.user, f"reforms.add_{form_class._meta.model._meta.model_name}")
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            create(
                actor=request.user,
                measure=measure,
                recommendation=recommendation,
                **form.cleaned_data,
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            return _outcomes_answer(request, recommendation, measure=measure, done=done)
    return _outcomes_answer(
        request, recommendation, measure=measure, status=status, **{form_name: form}
    )


def _add_rule_change(request, **target):
    return _add_outcome(
        request,
        form_class=RuleChangeForm,
        form_name="rule_form",
        create=services.rule_change_create,
        done=_("Rule change recorded."),
        **target,
    )


def _add_activity(request, **target):
    return _add_outcome(
        request,
        form_class=ActivityForm,
        form_name="activity_form",
        create=services.activity_create,
        done=_("Activity recorded."),
        **target,
    )


@login_required
@require_POST
def measure_rule_change_add(request, pk):
    return _add_rule_change(request, measure_pk=pk)


@login_required
@require_POST
def measure_activity_add(request, pk):
    return _add_activity(request, measure_pk=pk)


@login_required
@require_POST
def recommendation_rule_change_add(request, pk):
    return _add_rule_change(request, recommendation_pk=pk)


@login_required
@require_POST
def recommendation_activity_add(request, pk):
    return _add_activity(request, recommendation_pk=pk)


def _delete_outcome(request, model, pk, *, delete, done):
    outcome = scoped_object_or_404(model.objects.all(), request.user, pk=pk)
    require_permission(request.user, f"reforms.delete_{model._meta.model_name}", outcome)
    recommendation = outcome.recommendation
    measure_pk = request.POST.get("measure")
    measure = (
        scoped_object_or_404(Measure.objects.all(), request.user, pk=measure_pk)
        if measure_pk
        else None
    )
    try:
        delete(request.user, outcome)
    except DomainError as refusal:
        if not request.htmx:
            raise  # the refusal page, with its status (core.middleware), as the htmx answer has
        messages.error(request, refusal.message)
        status = refusal.status_code
    else:
        status = 200
    if recommendation is None:
        return redirect("reforms:measure_list")
    if request.htmx:
        context = {"outcomes": outcomes_context(request.user, recommendation, measure=measure)}
        return render(request, "reforms/_outcomes.html", context, status=status)
    if status == 200:
        messages.success(request, done)
    if measure is not None:
        return redirect("reforms:measure_detail", pk=measure.pk)
    return redirect("recommendations:detail", pk=recommendation.pk)


@login_required
@require_POST
def rule_change_delete(request, pk):
    return _delete_outcome(
        request,
        RuleChange,
        pk,
        delete=lambda actor, obj: services.rule_change_delete(rule_change=obj, actor=actor),
        done=_("Rule change removed."),
    )


@login_required
@require_POST
def activity_delete(request, pk):
    return _delete_outcome(
        request,
        Activity,
        pk,
        delete=lambda actor, obj: services.activity_delete(activity=obj, actor=actor),
        done=_("Activity removed."),
    )
