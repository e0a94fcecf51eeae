"""Self-inspection campaigns (举一反三): one function per transition.

Campaign:  draft ──launch──▶ launched ──close──▶ closed
Unit:      pending ──submit──▶ answered

Staff in scope draft a campaign (a checklist of category × process stage × what to check, a
sector or chosen units of their jurisdiction, an answer deadline), edit or delete the draft, and
launch it: the sector's units in the staff's jurisdiction (or the chosen units) each get a
``CampaignUnit`` and their officers are told. The unit's officer answers item by item (saved as
drafts) and submits: every item answered, a finding's text when found. Submitting creates the
unit's self-inspection rectification list
(``recommendations.services.self_inspection_list_create``: a recommendation of kind
``self_inspection``, acknowledged, one item per finding), on which the unit plans measures like
on any letter. Staff and supervisors in scope urge the units that have not answered (once a unit
a day); staff close the campaign.

A cross-inspection (交叉检查, ``Campaign.Mode.CROSS``) is launched the same way but each unit is
given a peer unit as its inspector (``assign_inspectors``: a rotation over the units in tree
order) whose officer answers for it with the team's names; staff in scope may reassign the
inspector of a unit not yet answered. The findings still become the inspected unit's list. Staff
then spot-check answered units (机动督查组随机抽查, ``spot_check_record``): each finding is one more
item on the inspected unit's list, and one the inspection should have found (应发现未发现) is
notified to the inspector unit's officers and counts against it (``progress.per_inspector``).

Every function checks the ``rules`` permission, the states (the tables below, which
``available_actions`` reads too), runs in one transaction and refuses with a ``DomainError``.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Sector
from cases.models import Problem, ProcessStage
from core.domain import (
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    lock_for_update,
    max_length_of,
    require_perm,
    require_status,
    shanghai_today,
)
from crosscase.models import CrossCaseAnalysis
from recommendations import services as recommendation_services
from recommendations.models import Recommendation

from . import workflow
from .models import Campaign, CampaignAnswer, CampaignItem, CampaignUnit, SpotCheckFinding

Status = Campaign.Status
Mode = Campaign.Mode
UnitStatus = CampaignUnit.Status

FROM_STATUSES = {
    "edit": frozenset({Status.DRAFT}),
    "delete": frozenset({Status.DRAFT}),
    "launch": frozenset({Status.DRAFT}),
    "urge": frozenset({Status.LAUNCHED}),
    "close": frozenset({Status.LAUNCHED}),
    "reassign": frozenset({Status.DRAFT, Status.LAUNCHED}),
    "spot_check": frozenset({Status.LAUNCHED, Status.CLOSED}),
}
UNIT_FROM_STATUSES = {
    "answer": frozenset({UnitStatus.PENDING}),
    "reassign": frozenset({UnitStatus.PENDING}),
    "spot_check": frozenset({UnitStatus.ANSWERED}),
}
PERMS = {
    "create": "campaigns.add_campaign",
    "edit": "campaigns.change_campaign",
    "delete": "campaigns.delete_campaign",
    "launch": "campaigns.launch_campaign",
    "urge": "campaigns.urge_campaign_unit",
    "close": "campaigns.close_campaign",
    "answer": "campaigns.answer_campaign_unit",
    "reassign": "campaigns.reassign_inspector",
    "spot_check": "campaigns.add_spotcheckfinding",
}
# The unit's self-inspection list is due this many days after it is submitted.
RECTIFICATION_DAYS = 90


@dataclass(frozen=True)
class ChecklistLine:
    category: str
    process_stage: ProcessStage | None
    text: str


@dataclass(frozen=True)
class AnswerLine:
    item: CampaignItem
    found: bool
    finding: str = ""


def available_actions(user, obj) -> frozenset[str]:
    """What ``user`` may do now to a campaign ("edit", "delete", "launch", "urge", "close") or to a
    campaign unit ("answer", "urge"; in a cross-inspection "reassign", "spot_check")."""
    if isinstance(obj, CampaignUnit):
        actions = set()
        campaign = obj.campaign
        if campaign.status == Status.LAUNCHED and obj.status == UnitStatus.PENDING:
            if user.has_perm(PERMS["answer"], obj):
                actions.add("answer")
            if obj.last_urged_on != shanghai_today() and user.has_perm(PERMS["urge"], obj):
                actions.add("urge")
        if campaign.mode == Mode.CROSS:
            actions.update(
                name
                for name in ("reassign", "spot_check")
                if campaign.status in FROM_STATUSES[name]
                and obj.status in UNIT_FROM_STATUSES[name]
                and user.has_perm(PERMS[name], obj)
            )
        return frozenset(actions)
    actions = {
        name
        for name in ("edit", "delete", "launch", "close")
        if obj.status in FROM_STATUSES[name] and user.has_perm(PERMS[name], obj)
    }
    if obj.status in FROM_STATUSES["urge"] and user.has_perm(PERMS["urge"]):
        actions.add("urge")
    return frozenset(actions)


def _refuse(field: str, message: str):
    raise InvalidInput(message, errors={field: [message]})


def _checked_lines(lines) -> list[ChecklistLine]:
    lines = list(lines)
    if not lines:
        _refuse("items", _("A checklist needs at least one item."))
    limit = max_length_of(CampaignItem, "text")
    for line in lines:
        if line.category not in Problem.Category.values:
            _refuse("items", _("Choose each item's category from the list."))
        if not line.text.strip():
            _refuse("items", _("Say what to check for each item."))
        if len(line.text) > limit:
            _refuse("items", _("An item is at most %(limit)d characters.") % {"limit": limit})
    return lines


def _checked_fields(
    actor, *, unit, sector, units, source_recommendation, answer_due_on, source_analysis=None
):
    if unit is None:
        unit = actor.org_unit
    if unit is None or unit.kind not in {OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP}:
        _refuse("unit", _("A campaign is issued by a commission or a dispatched group."))
    in_scope = OrgUnit.objects.restrict(actor)
    if not in_scope.filter(pk=unit.pk).exists():
        raise PermissionRefused()
    if sector and sector not in Sector.values:
        _refuse("sector", _("Choose a sector from the list."))
    units = list(units or [])
    if sector and units:
        _refuse("units", _("Choose either a sector or units, not both."))
    if not sector and not units:
        _refuse("units", _("Choose a sector or the units to inspect."))
    ids = {u.pk for u in units}
    if in_scope.filter(pk__in=ids, kind=OrgUnit.Kind.UNIT).count() != len(ids):
        raise PermissionRefused(_("Some of the chosen units are outside your jurisdiction."))
    if (
        source_recommendation is not None
        and not Recommendation.objects.restrict(actor).filter(pk=source_recommendation.pk).exists()
    ):
        raise PermissionRefused()
    if (
        source_analysis is not None
        and not CrossCaseAnalysis.objects.restrict(actor).filter(pk=source_analysis.pk).exists()
    ):
        raise PermissionRefused()
    if answer_due_on < shanghai_today():
        _refuse("answer_due_on", _("The answers cannot be due before today."))
    return unit, units


def _check_mode(mode: str) -> None:
    if mode not in Mode.values:
        _refuse("mode", _("Choose self-inspection or cross-inspection."))


def _related(a: OrgUnit, b: OrgUnit) -> bool:
    """One unit is the other, or above or below it in the tree."""
    return a.path.startswith(b.path) or b.path.startswith(a.path)


def assign_inspectors(rows: list[CampaignUnit]) -> None:
    """交叉检查's rotation: with the units in tree order, unit i is inspected by unit i+k (cyclic),
    k the smallest step that pairs no unit with itself, its superior or a subordinate and — with
    three units or more — no two units with each other (k ≠ n/2). Sets the inspector of each row
    not paired by hand in the draft (``inspector_reassign``); those keep theirs."""
    count = len(rows)
    if count < 2:
        raise TransitionRefused(
            _("A cross-inspection needs at least two units: each is inspected by another.")
        )
    unpaired = [i for i, row in enumerate(rows) if row.inspector_id is None]
    if not unpaired:
        return
    for step in range(1, count):
        if count > 2 and 2 * step == count:
            continue
        pairs = [(rows[i], rows[(i + step) % count].unit) for i in unpaired]
        if not any(_related(row.unit, inspector) for row, inspector in pairs):
            for row, inspector in pairs:
                row.inspector = inspector
            return
    raise TransitionRefused(
        _(
            "The units cannot inspect one another in turn: too many of them are above or below "
            "each other. Pair them by hand in the draft, or choose units that are not each "
            "other's superiors."
        )
    )


def _write_checklist(campaign, lines) -> None:
    campaign.items.all().delete()
    CampaignItem.objects.bulk_create(
        CampaignItem(
            campaign=campaign,
            number=number,
            category=line.category,
            process_stage=line.process_stage,
            text=line.text,
        )
        for number, line in enumerate(lines, start=1)
    )


def _write_units(campaign, units) -> None:
    """The draft's rows become those of ``units``: a unit still chosen keeps its row (and the
    inspector paired with it by hand), the others' rows go."""
    chosen = {unit.pk: unit for unit in units}
    campaign.units.exclude(unit__in=list(chosen)).delete()
    kept = set(campaign.units.values_list("unit", flat=True))
    CampaignUnit.objects.bulk_create(
        CampaignUnit(campaign=campaign, unit=unit) for pk, unit in chosen.items() if pk not in kept
    )


@transaction.atomic
def campaign_create(
    *,
    actor,
    title: str,
    answer_due_on: datetime.date,
    items,
    instructions: str = "",
    unit: OrgUnit | None = None,
    sector: str = "",
    units=(),
    source_recommendation: Recommendation | None = None,
    source_analysis: CrossCaseAnalysis | None = None,
    mode: str = Mode.SELF,
) -> Campaign:
    """Staff draft a campaign with its checklist (``ChecklistLine``s), for a sector's units in
    their jurisdiction or chosen units, as a self-inspection or a cross-inspection (``mode``).
    Also the entry point of an analysis that proposes one."""
    require_perm(actor, PERMS["create"])
    if not title.strip():
        _refuse("title", _("The campaign needs a title."))
    _check_mode(mode)
    lines = _checked_lines(items)
    unit, units = _checked_fields(
        actor,
        unit=unit,
        sector=sector,
        units=units,
        source_recommendation=source_recommendation,
        source_analysis=source_analysis,
        answer_due_on=answer_due_on,
    )
    campaign = Campaign.objects.create(
        title=title,
        instructions=instructions,
        unit=unit,
        sector=sector,
        source_recommendation=source_recommendation,
        source_analysis=source_analysis,
        answer_due_on=answer_due_on,
        mode=mode,
        created_by=actor,
    )
    _write_checklist(campaign, lines)
    _write_units(campaign, units)
    return campaign


def require_editable(campaign: Campaign) -> None:
    require_status(campaign, FROM_STATUSES["edit"], _("Only a draft campaign can be edited."))


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    actor,
    title: str,
    answer_due_on: datetime.date,
    items,
    instructions: str = "",
    sector: str = "",
    units=(),
    mode: str | None = None,
) -> Campaign:
    """Staff edit a draft: its fields, checklist and targets are replaced; its mode too when
    ``mode`` is given."""
    require_perm(actor, PERMS["edit"], campaign)
    lock_for_update(campaign)
    require_editable(campaign)
    if not title.strip():
        _refuse("title", _("The campaign needs a title."))
    if mode is not None:
        _check_mode(mode)
    lines = _checked_lines(items)
    units = _checked_fields(
        actor,
        unit=campaign.unit,
        sector=sector,
        units=units,
        source_recommendation=None,
        answer_due_on=answer_due_on,
    )[1]
    campaign.title = title
    campaign.instructions = instructions
    campaign.sector = sector
    campaign.answer_due_on = answer_due_on
    if mode is not None:
        campaign.mode = mode
    campaign.save()
    _write_checklist(campaign, lines)
    _write_units(campaign, units)
    if campaign.mode != Mode.CROSS:
        campaign.units.update(inspector=None)  # pairs by hand belong to a cross-inspection
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, actor) -> None:
    """Staff delete a draft they will not launch, with its checklist and chosen units (no unit
    has been told of a draft)."""
    require_perm(actor, PERMS["delete"], campaign)
    lock_for_update(campaign)
    require_status(campaign, FROM_STATUSES["delete"], _("Only a draft campaign can be deleted."))
    campaign.delete()


def sector_units(actor, sector: str):
    """The units (kind UNIT) of a sector in the actor's jurisdiction: a sector's targets."""
    return OrgUnit.objects.restrict(actor).filter(kind=OrgUnit.Kind.UNIT, sector=sector)


@transaction.atomic
def campaign_launch(*, campaign: Campaign, actor) -> Campaign:
    """Staff launch a draft: a sector's units are resolved now; every target's officers are told."""
    require_perm(actor, PERMS["launch"], campaign)
    lock_for_update(campaign)
    require_status(campaign, FROM_STATUSES["launch"], _("Only a draft campaign can be launched."))
    if campaign.answer_due_on < shanghai_today():
        _refuse("answer_due_on", _("The answers cannot be due before today."))
    if not campaign.items.exists():
        raise TransitionRefused(_("A checklist needs at least one item."))
    if campaign.sector:
        _write_units(campaign, sector_units(actor, campaign.sector).order_by("path"))
    rows = list(campaign.units.select_related("unit").order_by("unit__path"))
    if not rows:
        raise TransitionRefused(_("No unit of this sector is in your jurisdiction."))
    if campaign.mode == Mode.CROSS:
        assign_inspectors(rows)
        CampaignUnit.objects.bulk_update(rows, ["inspector"])
    campaign.status = Status.LAUNCHED
    campaign.launched_at = timezone.now()
    campaign.save(update_fields=["status", "launched_at", "updated_at"])
    if campaign.mode == Mode.CROSS:
        workflow.cross_launched(campaign, rows, actor=actor)
    else:
        workflow.launched(campaign, [row.unit_id for row in rows], actor=actor)
    return campaign


@transaction.atomic
def inspector_reassign(*, campaign_unit: CampaignUnit, actor, inspector: OrgUnit) -> CampaignUnit:
    """Staff in scope give a cross-inspected unit not yet answered another inspector: a unit
    (kind ``unit``) of their jurisdiction, neither the unit nor above or below it. In a draft
    with chosen units this pairs them by hand (the rotation at launch pairs the rest, and nobody
    is told before the launch); once launched, the new inspector's officers are told, and answers
    saved as drafts stay for them to review."""
    require_perm(actor, PERMS["reassign"], campaign_unit)
    lock_for_update(campaign_unit)
    campaign = campaign_unit.campaign
    if campaign.mode != Mode.CROSS:
        raise TransitionRefused(_("Only a cross-inspected unit has an inspector."))
    if campaign.status not in FROM_STATUSES["reassign"]:
        raise TransitionRefused(_("The campaign is not open for answers."), code="invalid_state")
    require_status(
        campaign_unit,
        UNIT_FROM_STATUSES["reassign"],
        _("The unit's inspection is already submitted: its inspector can no longer change."),
    )
    if inspector is None or inspector.kind != OrgUnit.Kind.UNIT:
        _refuse("inspector", _("The inspector is a unit, not a commission or a group."))
    if not OrgUnit.objects.restrict(actor).filter(pk=inspector.pk).exists():
        raise PermissionRefused(_("The inspector unit is outside your jurisdiction."))
    if _related(campaign_unit.unit, inspector):
        _refuse(
            "inspector",
            _("A unit cannot be inspected by itself, its superior or a unit under it."),
        )
    if inspector.pk == campaign_unit.inspector_id:
        _refuse("inspector", _("This unit already inspects it."))
    campaign_unit.inspector = inspector
    campaign_unit.save(update_fields=["inspector"])
    if campaign.status == Status.LAUNCHED:
        workflow.inspector_assigned(campaign_unit, actor=actor)
    return campaign_unit


def _answerable(campaign_unit: CampaignUnit, actor) -> None:
    require_perm(actor, PERMS["answer"], campaign_unit)
    lock_for_update(campaign_unit)
    if campaign_unit.campaign.status != Status.LAUNCHED:
        raise TransitionRefused(_("The campaign is not open for answers."), code="invalid_state")
    require_status(
        campaign_unit,
        UNIT_FROM_STATUSES["answer"],
        _("Your unit has already submitted its answers."),
    )


def _save(campaign_unit: CampaignUnit, answers, team: str | None = None) -> None:
    if team is not None:
        team = team.strip()
        limit = max_length_of(CampaignUnit, "team")
        if len(team) > limit:
            _refuse("team", _("The team is at most %(limit)d characters.") % {"limit": limit})
        if team != campaign_unit.team:
            campaign_unit.team = team
            campaign_unit.save(update_fields=["team"])
    limit = max_length_of(CampaignAnswer, "finding")
    for line in answers:
        if line.item.campaign_id != campaign_unit.campaign_id:
            _refuse("item", _("This item is not on the campaign's checklist."))
        finding = line.finding.strip() if line.found else ""
        if len(finding) > limit:
            _refuse("finding", _("A finding is at most %(limit)d characters.") % {"limit": limit})
        if line.found and not finding:
            _refuse(
                "finding",
                _("Item %(number)d: say what was found.") % {"number": line.item.number},
            )
        CampaignAnswer.objects.update_or_create(
            campaign_unit=campaign_unit,
            item=line.item,
            defaults={"found": line.found, "finding": finding},
        )


def _list_title(campaign_unit: CampaignUnit) -> str:
    campaign = campaign_unit.campaign
    if campaign.mode == Mode.CROSS:
        title = _("Cross-inspection rectification (inspected by %(inspector)s): %(title)s") % {
            "inspector": campaign_unit.inspector.name if campaign_unit.inspector else "—",
            "title": campaign.title,
        }
    else:
        title = _("Self-inspection rectification: %(title)s") % {"title": campaign.title}
    return title[: max_length_of(Recommendation, "title")]


def _list_create(campaign_unit: CampaignUnit, actor, findings: list[str], today):
    """The unit's rectification list (``recommendations.services.self_inspection_list_create``),
    its title saying whether a self- or a cross-inspection found the problems."""
    campaign = campaign_unit.campaign
    return recommendation_services.self_inspection_list_create(
        actor=actor,
        title=_list_title(campaign_unit),
        issuer=campaign.unit,
        recipient_unit=campaign_unit.unit,
        findings=findings,
        followed_by=campaign.created_by,
        issued_on=today,
        reply_due_on=today + datetime.timedelta(days=RECTIFICATION_DAYS),
    )


@transaction.atomic
def answers_save(
    *, campaign_unit: CampaignUnit, actor, answers, team: str | None = None
) -> CampaignUnit:
    """The answering officer (the unit's, or its inspector's in a cross-inspection) saves
    answers (``AnswerLine``s) as a draft, some items or all, and the inspection team's names
    (``team``, None: unchanged)."""
    _answerable(campaign_unit, actor)
    _save(campaign_unit, answers, team)
    return campaign_unit


@transaction.atomic
def answers_submit(
    *, campaign_unit: CampaignUnit, actor, answers=(), team: str | None = None
) -> CampaignUnit:
    """The answering officer submits (after saving ``answers`` and ``team`` if given): every
    item answered.

    What was found becomes the (inspected) unit's rectification list, one item per finding,
    each answer linked to its item; the campaign's creator is told, and in a cross-inspection
    the inspected unit's officers.
    """
    _answerable(campaign_unit, actor)
    _save(campaign_unit, answers, team)
    campaign = campaign_unit.campaign
    missing = list(
        campaign.items.exclude(answers__campaign_unit=campaign_unit).values_list(
            "number", flat=True
        )
    )
    if missing:
        raise TransitionRefused(
            _("Items %(numbers)s are not answered yet.")
            % {"numbers": "、".join(str(number) for number in missing)}
        )
    found = list(
        campaign_unit.answers.filter(found=True).select_related("item").order_by("item__number")
    )
    today = shanghai_today()
    if found:
        rectification, items = _list_create(
            campaign_unit, actor, [answer.finding for answer in found], today
        )
        for answer, item in zip(found, items, strict=True):
            answer.rectification_item = item
        CampaignAnswer.objects.bulk_update(found, ["rectification_item"])
        campaign_unit.rectification = rectification
    campaign_unit.status = UnitStatus.ANSWERED
    campaign_unit.answered_at = timezone.now()
    campaign_unit.answered_by = actor
    campaign_unit.save()
    workflow.answered(campaign_unit, actor=actor)
    return campaign_unit


@transaction.atomic
def campaign_urge(*, campaign: Campaign, actor, units=None) -> list[CampaignUnit]:
    """Staff or a supervisor urge the units in their scope that have not answered (all of them,
    or ``units`` among them), each at most once a day; the count and the date are recorded.
    Returns the units urged."""
    require_perm(actor, PERMS["urge"])
    if not Campaign.objects.restrict(actor).filter(pk=campaign.pk).exists():
        raise PermissionRefused()
    lock_for_update(campaign)
    require_status(
        campaign, FROM_STATUSES["urge"], _("Only a launched campaign's units can be urged.")
    )
    today = shanghai_today()
    targets = CampaignUnit.objects.restrict(actor).filter(
        campaign=campaign, status=UnitStatus.PENDING
    )
    if units is not None:
        targets = targets.filter(pk__in=[u.pk for u in units])
    targets = list(
        targets.exclude(last_urged_on=today)
        .select_related("unit")
        .select_for_update(of=("self",))
        .order_by("unit__path")
    )
    if not targets:
        raise TransitionRefused(
            _("No unit is left to urge today: every unit has answered or was urged today.")
        )
    CampaignUnit.objects.filter(pk__in=[t.pk for t in targets]).update(
        urged_count=F("urged_count") + 1, last_urged_on=today
    )
    workflow.urged(campaign, targets, actor=actor, on=today)
    return targets


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor) -> Campaign:
    """Staff close a launched campaign: no more answers; the lists already made go on."""
    require_perm(actor, PERMS["close"], campaign)
    lock_for_update(campaign)
    require_status(campaign, FROM_STATUSES["close"], _("Only a launched campaign can be closed."))
    campaign.status = Status.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated_at"])
    return campaign


@transaction.atomic
def spot_check_record(
    *,
    campaign_unit: CampaignUnit,
    actor,
    finding: str,
    missed: bool,
    item: CampaignItem | None = None,
) -> SpotCheckFinding:
    """机动督查组随机抽查: staff in scope record what a spot check found on a unit a
    cross-inspection answered for. The finding is one more item on the inspected unit's
    rectification list (made now if the inspection found nothing) and its officers are told;
    one the inspection missed (应发现未发现) is notified to the inspector unit's officers (通报)."""
    require_perm(actor, PERMS["spot_check"], campaign_unit)
    lock_for_update(campaign_unit)
    campaign = campaign_unit.campaign
    if campaign.mode != Mode.CROSS:
        raise TransitionRefused(_("Spot checks follow a cross-inspection."))
    if campaign.status not in FROM_STATUSES["spot_check"]:
        raise TransitionRefused(
            _("Only a launched or closed campaign is spot-checked."), code="invalid_state"
        )
    require_status(
        campaign_unit,
        UNIT_FROM_STATUSES["spot_check"],
        _("Spot-check a unit once its inspection is submitted."),
    )
    finding = finding.strip()
    if not finding:
        _refuse("finding", _("Say what the spot check found."))
    limit = max_length_of(SpotCheckFinding, "finding")
    if len(finding) > limit:
        _refuse("finding", _("A finding is at most %(limit)d characters.") % {"limit": limit})
    if item is not None and item.campaign_id != campaign.pk:
        _refuse("item", _("This item is not on the campaign's checklist."))
    if campaign_unit.rectification_id is None:
        rectification, (rectification_item,) = _list_create(
            campaign_unit, actor, [finding], shanghai_today()
        )
        campaign_unit.rectification = rectification
        campaign_unit.save(update_fields=["rectification"])
    else:
        rectification_item = recommendation_services.self_inspection_item_add(
            recommendation=campaign_unit.rectification, content=finding
        )
    spot_check = SpotCheckFinding.objects.create(
        campaign_unit=campaign_unit,
        item=item,
        finding=finding,
        missed=missed,
        recorded_by=actor,
        rectification_item=rectification_item,
    )
    workflow.spot_checked(spot_check, actor=actor)
    return spot_check
