"""Campaign pages (举一反三): the list, drafting (by hand, from a recommendation or from a
cross-case analysis), editing and deleting a draft, a campaign's page with each unit's progress
(in a cross-inspection, 交叉检查, who inspects whom, the reassignment of an inspector, the spot
checks and the figures per inspector), and the answer page.

Reads go through ``restrict``/``scoped_object_or_404``; every write goes through
``campaigns.services`` and a refusal is shown on the page with the refusal's status.
"""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scoping import jurisdiction_q
from cases.models import Problem
from core.domain import DomainError, shanghai_today
from core.pages import (
    paginate,
    permission_required_or,
    refuse_in_form,
    require_permission,
    scoped_object_or_404,
)
from crosscase.models import CrossCaseAnalysis
from crosscase.tables import problem_matrix
from recommendations.models import Recommendation

from . import progress, services
from .forms import (
    AnswerItemForm,
    CampaignForm,
    ChecklistFormSet,
    ReassignForm,
    SpotCheckForm,
    TeamForm,
)
from .models import Campaign, CampaignUnit, SpotCheckFinding


@permission_required_or(403, "campaigns.view_campaign")
@require_GET
def campaign_list(request):
    campaigns = Campaign.objects.restrict(request.user).select_related("unit")
    query = request.GET.get("q", "").strip()
    if query:
        campaigns = campaigns.filter(Q(title__icontains=query) | Q(instructions__icontains=query))
    status = request.GET.get("status", "")
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    reads_progress = request.user.has_perm("campaigns.urge_campaign_unit")
    if reads_progress:
        campaigns = progress.per_campaign(campaigns)
    page_obj = paginate(request, campaigns.order_by("-created_at", "-pk"))
    if not reads_progress:
        _attach_officer_rows(page_obj, request.user)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page_obj": page_obj,
            "q": query,
            "status": status,
            "statuses": Campaign.Status.choices,
            "reads_progress": reads_progress,
        },
    )


def _attach_officer_rows(campaigns, user) -> None:
    """Each campaign's rows an officer sees: their units' own (``row.own``) and, in a
    cross-inspection, those their unit inspects; one query for the page."""
    rows = defaultdict(list)
    for row in (
        CampaignUnit.objects.restrict(user)
        .filter(campaign__in=[campaign.pk for campaign in campaigns])
        .select_related("unit")
        .annotate(own=ExpressionWrapper(jurisdiction_q(user, "unit"), BooleanField()))
        .order_by("-own", "unit__path")
    ):
        rows[row.campaign_id].append(row)
    for campaign in campaigns:
        campaign.officer_rows = rows[campaign.pk]


def _proposed_items(recommendation) -> list[dict]:
    """The letter's problems' category × process stage, once each, as checklist lines."""
    pairs = (
        Problem.objects.filter(recommendation_items__recommendation=recommendation)
        .values("category", "process_stage", "process_stage__name")
        .distinct()
        .order_by("category", "process_stage__name")
    )
    labels = dict(Problem.Category.choices)
    return [
        {
            "category": pair["category"],
            "process_stage": pair["process_stage"],
            "text": _("Check %(stage)s for %(category)s like those in %(letter)s.")
            % {
                "stage": pair["process_stage__name"] or _("every process stage"),
                "category": labels.get(pair["category"], pair["category"]),
                "letter": recommendation.doc_number or recommendation.title,
            },
        }
        for pair in pairs
    ]


def _proposed_from_analysis(analysis, user) -> list[dict]:
    """The analysis's matrix cells that hold problems, the commonest first, as checklist lines."""
    matrix = problem_matrix(analysis, user)
    names = {stage["id"]: stage["name"] for stage in matrix.stages}
    cells = [
        (cell["count"], row["category"], row["label"], cell["stage"])
        for row in matrix.rows
        for cell in row["cells"]
        if cell["count"]
    ]
    return [
        {
            "category": category,
            "process_stage": stage,
            "text": _(
                "Check %(stage)s for %(category)s: %(count)d such problems in the cases analysed."
            )
            % {"stage": names[stage], "category": label, "count": count},
        }
        for count, category, label, stage in sorted(cells, key=lambda cell: -cell[0])
    ]


def _source(request, model, name):
    """The record a draft starts from (``?recommendation=`` or ``?analysis=``), in scope."""
    wanted = request.GET.get(name) or request.POST.get(f"source_{name}") or ""
    if str(wanted).isdigit():
        return scoped_object_or_404(model, request.user, pk=int(wanted))
    return None


def _lines(formset) -> list[services.ChecklistLine]:
    return [
        services.ChecklistLine(
            form.cleaned_data.get("category") or "",
            form.cleaned_data.get("process_stage"),
            form.cleaned_data.get("text") or "",
        )
        for form in formset.forms
        if form.cleaned_data.get("text") or form.cleaned_data.get("category")
    ]


def _posted(request, save):
    """The posted campaign form and checklist, handed to ``save(data, lines)`` (a service call)
    when valid: the saved campaign (None when refused or invalid), the forms and the status."""
    form = CampaignForm(request.POST, user=request.user)
    formset = ChecklistFormSet(request.POST, prefix="items")
    if not (form.is_valid() and formset.is_valid()):
        return None, form, formset, 400
    try:
        campaign = save(form.cleaned_data, _lines(formset))
    except DomainError as refusal:
        return None, form, formset, refuse_in_form(form, refusal)
    return campaign, form, formset, 200


def _fields(data) -> dict:
    """The campaign form's answers as the services take them (drafting and editing alike)."""
    return {
        "title": data["title"],
        "instructions": data["instructions"],
        "mode": data["mode"] or Campaign.Mode.SELF,
        "sector": data["sector"],
        "units": list(data["units"]),
        "answer_due_on": data["answer_due_on"],
    }


def _form_page(request, form, formset, *, status=200, **context):
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "formset": formset, **context},
        status=status,
    )


@permission_required_or(403, "campaigns.add_campaign")
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    source = _source(request, Recommendation, "recommendation")
    analysis = _source(request, CrossCaseAnalysis, "analysis")
    if request.method == "POST":
        campaign, form, formset, status = _posted(
            request,
            lambda data, lines: services.campaign_create(
                actor=request.user,
                items=lines,
                source_recommendation=source,
                source_analysis=analysis,
                **_fields(data),
            ),
        )
        if campaign is not None:
            messages.success(request, _("The campaign is drafted: check it and launch it."))
            return redirect("campaigns:detail", campaign.pk)
        return _form_page(request, form, formset, source=source, analysis=analysis, status=status)
    initial = {"answer_due_on": shanghai_today() + datetime.timedelta(days=30)}
    items = []
    if source is not None:
        initial |= {
            "title": _("Self-inspection after %(letter)s")
            % {"letter": source.doc_number or source.title},
            "sector": source.recipient_unit.sector,
            "source_recommendation": source.pk,
        }
        items = _proposed_items(source)
    elif analysis is not None:
        initial |= {
            "title": _("Self-inspection after %(analysis)s") % {"analysis": analysis.title},
            "sector": analysis.sector,
            "source_analysis": analysis.pk,
        }
        items = _proposed_from_analysis(analysis, request.user)
    form = CampaignForm(initial=initial, user=request.user)
    formset = ChecklistFormSet(initial=items, prefix="items")
    return _form_page(request, form, formset, source=source, analysis=analysis)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = _campaign(request, pk)
    require_permission(request.user, services.PERMS["edit"], campaign)
    try:
        services.require_editable(campaign)
    except DomainError as refusal:
        return _detail(request, campaign, error=refusal.message, status=refusal.status_code)
    if request.method == "POST":
        saved, form, formset, status = _posted(
            request,
            lambda data, lines: services.campaign_update(
                campaign=campaign, actor=request.user, items=lines, **_fields(data)
            ),
        )
        if saved is not None:
            messages.success(request, _("The draft campaign is saved."))
            return redirect("campaigns:detail", campaign.pk)
        return _form_page(request, form, formset, campaign=campaign, status=status)
    initial = {
        "title": campaign.title,
        "instructions": campaign.instructions,
        "mode": campaign.mode,
        "sector": campaign.sector,
        "units": list(campaign.units.values_list("unit", flat=True)),
        "answer_due_on": campaign.answer_due_on,
    }
    items = campaign.items.values("category", "process_stage", "text")
    form = CampaignForm(initial=initial, user=request.user)
    formset = ChecklistFormSet(initial=list(items), prefix="items")
    return _form_page(request, form, formset, campaign=campaign)


@login_required
@require_POST
def campaign_delete(request, pk):
    return _act(
        request,
        pk,
        lambda campaign: services.campaign_delete(campaign=campaign, actor=request.user),
        _("The draft campaign is deleted."),
        then="campaigns:list",
    )


def _campaign(request, pk):
    return scoped_object_or_404(
        Campaign.objects.select_related(
            "unit", "created_by", "source_recommendation", "source_analysis"
        ),
        request.user,
        pk=pk,
    )


def _detail(request, campaign, *, error=None, status=200, spot_form=None, reassign=None):
    user = request.user
    rows = CampaignUnit.objects.restrict(user).filter(campaign=campaign)
    rows = rows.select_related("unit", "inspector")
    rows = progress.with_list_visible(progress.with_unit_progress(rows), user)
    rows = list(rows.order_by("unit__path"))
    urgeable = "urge" in services.available_actions(user, campaign)
    today = shanghai_today()
    cross = campaign.mode == Campaign.Mode.CROSS
    may_answer = user.has_perm(services.PERMS["answer"])
    may_reassign = cross and user.has_perm(services.PERMS["reassign"])
    for row in rows:
        row.campaign = campaign
        row.can_answer = (
            campaign.status == Campaign.Status.LAUNCHED
            and row.status == CampaignUnit.Status.PENDING
            and may_answer
            and user.has_perm(services.PERMS["answer"], row)
        )
        # The rows are those in the user's scope: the state decides (no query a row).
        row.can_reassign = (
            may_reassign
            and campaign.status in services.FROM_STATUSES["reassign"]
            and row.status in services.UNIT_FROM_STATUSES["reassign"]
        )
        row.chosen_inspector = row.inspector_id
        if reassign and reassign[0] == row.pk:
            row.chosen_inspector = reassign[1]
        row.can_urge = (
            urgeable and row.status == CampaignUnit.Status.PENDING and row.last_urged_on != today
        )
        row.late = row.status == CampaignUnit.Status.PENDING and campaign.answer_due_on < today
    figures = None
    inspectors = None
    if user.has_perm("campaigns.urge_campaign_unit"):
        figures = progress.per_campaign(Campaign.objects.filter(pk=campaign.pk)).get()
        if cross and campaign.status != Campaign.Status.DRAFT:
            inspectors = list(progress.per_inspector(campaign))
    spot_checks = None
    if cross:
        spot_checks = (
            SpotCheckFinding.objects.restrict(user)
            .filter(campaign_unit__campaign=campaign)
            .select_related("campaign_unit__unit", "campaign_unit__inspector", "item")
        )
        if spot_form is None and user.has_perm(services.PERMS["spot_check"]):
            spot_form = _spot_check_form(campaign, user)
        if spot_form is not None and not spot_form.fields["campaign_unit"].queryset.exists():
            spot_form = None
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "items": campaign.items.select_related("process_stage"),
            "rows": rows,
            "figures": figures,
            "inspectors": inspectors,
            "reassignable": [row for row in rows if row.can_reassign],
            # The units an inspector may be chosen from, read once for every row's form.
            "inspector_choices": list(
                ReassignForm(user=user).fields["inspector"].queryset.values_list("pk", "name")
            )
            if may_reassign
            else [],
            "spot_checks": spot_checks,
            "spot_form": spot_form,
            "actions": services.available_actions(user, campaign),
            "error": error,
        },
        status=status,
    )


def _spot_check_form(campaign, user, data=None):
    """The spot-check form: the answered units in the user's scope, when the campaign takes
    spot checks (``services.FROM_STATUSES``)."""
    rows = CampaignUnit.objects.none()
    if campaign.status in services.FROM_STATUSES["spot_check"]:
        rows = (
            CampaignUnit.objects.restrict(user)
            .filter(campaign=campaign, status__in=services.UNIT_FROM_STATUSES["spot_check"])
            .select_related("unit")
            .order_by("unit__path")
        )
    return SpotCheckForm(data, campaign=campaign, rows=rows)


@login_required
@require_GET
def campaign_detail(request, pk):
    return _detail(request, _campaign(request, pk))


def _act(request, pk, act, done, *, then=None):
    """``act(campaign)`` (a service call): on success ``done`` is shown on the campaign's page (or
    on the page named ``then``); a refusal is shown on the campaign's page with its status."""
    campaign = _campaign(request, pk)
    try:
        act(campaign)
    except DomainError as refusal:
        return _detail(request, campaign, error=refusal.message, status=refusal.status_code)
    messages.success(request, done)
    if then is not None:
        return redirect(then)
    return redirect("campaigns:detail", campaign.pk)


@login_required
@require_POST
def campaign_launch(request, pk):
    return _act(
        request,
        pk,
        lambda c: services.campaign_launch(campaign=c, actor=request.user),
        _("The campaign is launched: the units are told."),
    )


@login_required
@require_POST
def campaign_close(request, pk):
    return _act(
        request,
        pk,
        lambda c: services.campaign_close(campaign=c, actor=request.user),
        _("The campaign is closed."),
    )


@login_required
@require_POST
def campaign_urge(request, pk):
    unit = request.POST.get("unit", "")

    def urge(campaign):
        units = None
        if unit.isdigit():
            units = list(
                CampaignUnit.objects.restrict(request.user).filter(campaign=campaign, pk=int(unit))
            )
        return services.campaign_urge(campaign=campaign, actor=request.user, units=units)

    return _act(request, pk, urge, _("The units that have not answered are urged."))


@login_required
@require_POST
def campaign_unit_reassign(request, pk):
    """Staff give a cross-inspected unit not yet answered another inspector (in a draft: pair it
    by hand)."""
    row = scoped_object_or_404(
        CampaignUnit.objects.select_related("campaign", "unit"), request.user, pk=pk
    )
    require_permission(request.user, services.PERMS["reassign"])
    campaign = _campaign(request, row.campaign_id)
    form = ReassignForm(request.POST, user=request.user)
    if not form.is_valid():
        return _detail(
            request, campaign, error=_("Choose the inspector unit from the list."), status=400
        )
    try:
        services.inspector_reassign(
            campaign_unit=row, actor=request.user, inspector=form.cleaned_data["inspector"]
        )
    except DomainError as refusal:
        return _detail(
            request,
            campaign,
            error=refusal.message,
            status=refusal.status_code,
            reassign=(row.pk, form.cleaned_data["inspector"].pk),
        )
    done = _("The inspector is changed: its officers are told.")
    if campaign.status == Campaign.Status.DRAFT:
        done = _("The pair is set; the units not paired by hand are paired in turn at launch.")
    messages.success(request, done)
    return redirect("campaigns:detail", campaign.pk)


@login_required
@require_POST
def campaign_spot_check(request, pk):
    """Staff record what a spot check found on a unit a cross-inspection answered for."""
    campaign = _campaign(request, pk)
    require_permission(request.user, services.PERMS["spot_check"])
    form = _spot_check_form(campaign, request.user, request.POST)
    if not form.is_valid():
        return _detail(
            request,
            campaign,
            error=_("Check the spot-check form."),
            status=400,
            spot_form=form,
        )
    data = form.cleaned_data
    try:
        services.spot_check_record(
            campaign_unit=data["campaign_unit"],
            actor=request.user,
            item=data["item"],
            finding=data["finding"],
            missed=data["missed"],
        )
    except DomainError as refusal:
        status = refuse_in_form(form, refusal)
        return _detail(request, campaign, error=refusal.message, status=status, spot_form=form)
    messages.success(request, _("The spot check is recorded: the unit's list has a new item."))
    return redirect("campaigns:detail", campaign.pk)


def _answer_forms(campaign_unit, data=None):
    saved = {a.item_id: a for a in campaign_unit.answers.all()}
    forms = []
    for item in campaign_unit.campaign.items.select_related("process_stage"):
        answer = saved.get(item.pk)
        initial = {}
        if answer is not None:
            initial = {"found": "yes" if answer.found else "no", "finding": answer.finding}
        form = AnswerItemForm(data, prefix=f"item-{item.pk}", initial=initial)
        form.item = item
        form.answer = answer
        forms.append(form)
    return forms


@login_required
@require_http_methods(["GET", "POST"])
def campaign_unit_answer(request, pk):
    campaign_unit = scoped_object_or_404(
        progress.with_list_visible(
            CampaignUnit.objects.select_related("campaign", "unit", "inspector"), request.user
        ),
        request.user,
        pk=pk,
    )
    cross = campaign_unit.campaign.mode == Campaign.Mode.CROSS
    status = 200
    error = None
    team_form = None
    if request.method == "POST":
        forms = _answer_forms(campaign_unit, request.POST)
        if cross:
            team_form = TeamForm(request.POST)
        status = 400
        if all(form.is_valid() for form in forms) and (team_form is None or team_form.is_valid()):
            lines = [
                services.AnswerLine(
                    form.item, form.cleaned_data["found"] == "yes", form.cleaned_data["finding"]
                )
                for form in forms
                if form.cleaned_data["found"]
            ]
            submit = "submit" in request.POST
            act = services.answers_submit if submit else services.answers_save
            team = team_form.cleaned_data["team"] if team_form is not None else None
            try:
                act(campaign_unit=campaign_unit, actor=request.user, answers=lines, team=team)
            except DomainError as refusal:
                error = refusal.message
                status = refusal.status_code
            else:
                if submit:
                    messages.success(request, _("Your answers are submitted."))
                    return redirect("campaigns:detail", campaign_unit.campaign_id)
                messages.success(request, _("Your answers are saved as a draft."))
                return redirect("campaigns:answer", campaign_unit.pk)
    else:
        forms = _answer_forms(campaign_unit)
        if cross:
            team_form = TeamForm(initial={"team": campaign_unit.team})
    return render(
        request,
        "campaigns/campaign_answer.html",
        {
            "campaign_unit": campaign_unit,
            "campaign": campaign_unit.campaign,
            "forms": forms,
            "team_form": team_form,
            "error": error,
            "editable": "answer" in services.available_actions(request.user, campaign_unit),
        },
        status=status,
    )
