"""Self-inspection campaigns (举一反三): one function per transition.

Campaign:  draft ──launch──▶ launched ──close──▶ closed
Unit:      pending ──submit──▶ answered

Staff in scope draft a campaign (a checklist of category × process stage × what to check, a
sector or chosen units of their jurisdiction, an answer deadline) and launch it: the sector's
units in the staff's jurisdiction (or the chosen units) each get a ``CampaignUnit`` and their
officers are told. The unit's officer answers item by item (saved as drafts) and submits: every
item answered, a finding's text when found. Submitting creates the unit's self-inspection
rectification list (``recommendations.services.self_inspection_list_create``: a recommendation of
kind ``self_inspection``, acknowledged, one item per finding), on which the unit plans measures
like on any letter. Staff and supervisors in scope urge the units that have not answered (once a
unit a day); staff close the campaign.

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
from .models import Campaign, CampaignAnswer, CampaignItem, CampaignUnit

Status = Campaign.Status
UnitStatus = CampaignUnit.Status

FROM_STATUSES = {
    "edit": frozenset({Status.DRAFT}),
    "launch": frozenset({Status.DRAFT}),
    "urge": frozenset({Status.LAUNCHED}),
    "close": frozenset({Status.LAUNCHED}),
}
UNIT_FROM_STATUSES = {"answer": frozenset({UnitStatus.PENDING})}
PERMS = {
    "create": "campaigns.add_campaign",
    "edit": "campaigns.change_campaign",
    "launch": "campaigns.launch_campaign",
    "urge": "campaigns.urge_campaign_unit",
    "close": "campaigns.close_campaign",
    "answer": "campaigns.answer_campaign_unit",
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
    """What ``user`` may do now to a campaign ("edit", "launch", "urge", "close") or to a
    campaign unit ("answer", "urge")."""
    if isinstance(obj, CampaignUnit):
        actions = set()
        if obj.campaign.status == Status.LAUNCHED and obj.status == UnitStatus.PENDING:
            if user.has_perm(PERMS["answer"], obj):
                actions.add("answer")
            if obj.last_urged_on != shanghai_today() and user.has_perm(PERMS["urge"], obj):
                actions.add("urge")
        return frozenset(actions)
    actions = {
        name
        for name in ("edit", "launch", "close")
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
    campaign.units.all().delete()
    CampaignUnit.objects.bulk_create(CampaignUnit(campaign=campaign, unit=u) for u in units)


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
) -> Campaign:
    """Staff draft a campaign with its checklist (``ChecklistLine``s), for a sector's units in
    their jurisdiction or chosen units. Also the entry point of an analysis that proposes one."""
    require_perm(actor, PERMS["create"])
    if not title.strip():
        _refuse("title", _("The campaign needs a title."))
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
        created_by=actor,
    )
    _write_checklist(campaign, lines)
    _write_units(campaign, units)
    return campaign


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
) -> Campaign:
    """Staff edit a draft: its fields, checklist and targets are replaced."""
    require_perm(actor, PERMS["edit"], campaign)
    lock_for_update(campaign)
    require_status(campaign, FROM_STATUSES["edit"], _("Only a draft campaign can be edited."))
    if not title.strip():
        _refuse("title", _("The campaign needs a title."))
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
    campaign.save()
    _write_checklist(campaign, lines)
    _write_units(campaign, units)
    return campaign


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
    unit_ids = list(campaign.units.values_list("unit_id", flat=True))
    if not unit_ids:
        raise TransitionRefused(_("No unit of this sector is in your jurisdiction."))
    campaign.status = Status.LAUNCHED
    campaign.launched_at = timezone.now()
    campaign.save(update_fields=["status", "launched_at", "updated_at"])
    workflow.launched(campaign, unit_ids, actor=actor)
    return campaign


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


def _save(campaign_unit: CampaignUnit, answers) -> None:
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


@transaction.atomic
def answers_save(*, campaign_unit: CampaignUnit, actor, answers) -> CampaignUnit:
    """The unit's officer saves answers (``AnswerLine``s) as a draft, some items or all."""
    _answerable(campaign_unit, actor)
    _save(campaign_unit, answers)
    return campaign_unit


@transaction.atomic
def answers_submit(*, campaign_unit: CampaignUnit, actor, answers=()) -> CampaignUnit:
    """The unit's officer submits (after saving ``answers`` if given): every item answered.

    What was found becomes the unit's self-inspection rectification list, one item per finding,
    each answer linked to its item; the campaign's creator is told.
    """
    _answerable(campaign_unit, actor)
    _save(campaign_unit, answers)
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
        rectification, items = recommendation_services.self_inspection_list_create(
            actor=actor,
            title=(_("Self-inspection rectification: %(title)s") % {"title": campaign.title})[:200],
            issuer=campaign.unit,
            recipient_unit=campaign_unit.unit,
            findings=[answer.finding for answer in found],
            followed_by=campaign.created_by,
            issued_on=today,
            reply_due_on=today + datetime.timedelta(days=RECTIFICATION_DAYS),
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
    targets = list(targets.exclude(last_urged_on=today).select_for_update())
    if not targets:
        raise TransitionRefused(
            _("No unit is left to urge today: every unit has answered or was urged today.")
        )
    CampaignUnit.objects.filter(pk__in=[t.pk for t in targets]).update(
        urged_count=F("urged_count") + 1, last_urged_on=today
    )
    workflow.urged(campaign, [t.unit_id for t in targets], actor=actor, on=today)
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
