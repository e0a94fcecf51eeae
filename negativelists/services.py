"""Negative lists (负面清单): one function per write and per transition.

List:  draft ──publish──▶ published ──withdraw──▶ withdrawn
       (a draft may be deleted; a list once published stays on record)

The unit's officer or the discipline staff in scope draft a unit's list for one tier of cadres,
edit it and its entries while it is a draft, and publish it (at least one entry): the unit's list
of the same tier published before is withdrawn in the same transaction, the revised list
replacing the old, and the staff whose jurisdiction covers the unit are told. A published list is
withdrawn when it no longer applies. The staff in scope record supervision checks (监督检查) of a
published list; a check that found breaches tells the unit's officers.

Every function checks the ``rules`` permission and the states (the tables below, which
``available_actions`` reads too), runs in one transaction and refuses with a ``DomainError``.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from accounts.scoping import subtree_q
from cases.models import Case, ProcessStage
from core.domain import (
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    lock_for_update,
    max_length_of,
    max_value_of,
    require_perm,
    require_status,
    shanghai_today,
)
from reforms.models import Measure

from . import workflow
from .models import NegativeList, NegativeListCheck, NegativeListEntry

Status = NegativeList.Status

FROM_STATUSES = {
    "edit": frozenset({Status.DRAFT}),
    "delete": frozenset({Status.DRAFT}),
    "publish": frozenset({Status.DRAFT}),
    "withdraw": frozenset({Status.PUBLISHED}),
    "check": frozenset({Status.PUBLISHED}),
}
PERMS = {
    "create": "negativelists.add_negativelist",
    "edit": "negativelists.change_negativelist",
    "delete": "negativelists.delete_negativelist",
    "publish": "negativelists.publish_negativelist",
    "withdraw": "negativelists.withdraw_negativelist",
    "check": "negativelists.add_negativelistcheck",
}


def available_actions(user, negative_list: NegativeList) -> frozenset[str]:
    """What ``user`` may do now to a list: "edit" (the list and its entries), "delete",
    "publish", "withdraw", "check"."""
    return frozenset(
        name
        for name, states in FROM_STATUSES.items()
        if negative_list.status in states and user.has_perm(PERMS[name], negative_list)
    )


def _refuse(field: str, message: str):
    raise InvalidInput(message, errors={field: [message]})


def _checked_text(model, field: str, text: str, *, required: bool) -> str:
    text = (text or "").strip()
    label = model._meta.get_field(field).verbose_name
    if required and not text:
        _refuse(field, _("%(field)s is required.") % {"field": label})
    limit = max_length_of(model, field)
    if len(text) > limit:
        _refuse(
            field,
            _("%(field)s is at most %(limit)d characters.") % {"field": label, "limit": limit},
        )
    return text


def _checked_unit(actor, unit: OrgUnit | None) -> OrgUnit:
    """The case unit the list belongs to: a unit (not a commission) in the actor's scope; an
    officer's own unit when none is given."""
    unit = unit or actor.org_unit
    if unit is None or unit.kind != OrgUnit.Kind.UNIT:
        _refuse("unit", _("A negative list belongs to a unit, not to a commission or a region."))
    if not OrgUnit.objects.restrict(actor).filter(pk=unit.pk).exists():
        raise PermissionRefused(_("This unit is outside your jurisdiction."))
    return unit


def _checked_sources(actor, unit: OrgUnit, source_cases, measure: Measure | None):
    """The cases a list is drawn from are its unit's (or its subunits'), and the actor's to read;
    the measure it fulfils is one of the unit's."""
    cases = list(source_cases or [])
    ids = {case.pk for case in cases}
    visible = Case.objects.restrict(actor).filter(pk__in=ids)
    if visible.count() != len(ids):
        raise PermissionRefused(_("Some of the chosen cases are outside your jurisdiction."))
    if visible.filter(subtree_q("case_unit", unit.path)).count() != len(ids):
        _refuse("source_cases", _("Choose cases of the list's unit."))
    if measure is not None and not (
        Measure.objects.restrict(actor).filter(pk=measure.pk, unit=unit).exists()
    ):
        _refuse("measure", _("Choose a rectification measure of the list's unit."))
    return cases


@transaction.atomic
def list_create(
    *,
    actor,
    tier: str,
    title: str,
    unit: OrgUnit | None = None,
    source_cases=(),
    measure: Measure | None = None,
) -> NegativeList:
    """The unit's officer or staff in scope draft a unit's list for one tier of cadres."""
    require_perm(actor, PERMS["create"])
    unit = _checked_unit(actor, unit)
    if tier not in NegativeList.Tier.values:
        _refuse("tier", _("Choose the tier of cadres from the list."))
    title = _checked_text(NegativeList, "title", title, required=True)
    cases = _checked_sources(actor, unit, source_cases, measure)
    negative_list = NegativeList.objects.create(
        unit=unit, tier=tier, title=title, measure=measure, created_by=actor
    )
    negative_list.source_cases.set(cases)
    return negative_list


def require_draft(negative_list: NegativeList) -> None:
    """Refuse unless the list may still change (its edit pages ask before showing a form)."""
    require_status(
        negative_list, FROM_STATUSES["edit"], _("Only a draft negative list can be edited.")
    )


def _begin(action: str, negative_list: NegativeList, actor, refusal) -> None:
    """How a transition of a list starts: the actor may take ``action`` on it, the list is locked
    and in a state ``action`` starts from (``refusal`` says otherwise)."""
    require_perm(actor, PERMS[action], negative_list)
    lock_for_update(negative_list)
    require_status(negative_list, FROM_STATUSES[action], refusal)


def _editable(negative_list: NegativeList, actor) -> None:
    require_perm(actor, PERMS["edit"], negative_list)
    lock_for_update(negative_list)
    require_draft(negative_list)


@transaction.atomic
def list_update(
    *,
    negative_list: NegativeList,
    actor,
    tier: str,
    title: str,
    source_cases=None,
    measure: Measure | None = None,
) -> NegativeList:
    """Edit a draft's tier, title and sources. ``source_cases`` None keeps them: an officer, who
    reads no case, edits a list without touching the cases staff linked to it."""
    _editable(negative_list, actor)
    if tier not in NegativeList.Tier.values:
        _refuse("tier", _("Choose the tier of cadres from the list."))
    negative_list.title = _checked_text(NegativeList, "title", title, required=True)
    negative_list.tier = tier
    cases = _checked_sources(actor, negative_list.unit, source_cases, measure)
    negative_list.measure = measure
    negative_list.save()
    if source_cases is not None:
        negative_list.source_cases.set(cases)
    return negative_list


def _entry_fields(risk_point: str, requirement: str, kind: str, process_stage) -> dict:
    if kind not in NegativeListEntry.Kind.values:
        _refuse("kind", _("Choose whether the requirement is preventive or prohibitive."))
    if process_stage is not None and not isinstance(process_stage, ProcessStage):
        _refuse("process_stage", _("Choose the process stage from the list."))
    return {
        "risk_point": _checked_text(NegativeListEntry, "risk_point", risk_point, required=False),
        "requirement": _checked_text(NegativeListEntry, "requirement", requirement, required=True),
        "kind": kind,
        "process_stage": process_stage,
    }


@transaction.atomic
def entry_add(
    *,
    negative_list: NegativeList,
    actor,
    requirement: str,
    kind: str = NegativeListEntry.Kind.PROHIBITIVE,
    risk_point: str = "",
    process_stage: ProcessStage | None = None,
) -> NegativeListEntry:
    """Add an entry at the end of a draft list."""
    _editable(negative_list, actor)
    fields = _entry_fields(risk_point, requirement, kind, process_stage)
    last = negative_list.entries.aggregate(last=Max("number"))["last"] or 0
    return NegativeListEntry.objects.create(negative_list=negative_list, number=last + 1, **fields)


@transaction.atomic
def entry_update(
    *,
    entry: NegativeListEntry,
    actor,
    requirement: str,
    kind: str,
    risk_point: str = "",
    process_stage: ProcessStage | None = None,
) -> NegativeListEntry:
    """Edit an entry of a draft list."""
    _editable(entry.negative_list, actor)
    for name, value in _entry_fields(risk_point, requirement, kind, process_stage).items():
        setattr(entry, name, value)
    entry.save()
    return entry


@transaction.atomic
def entry_delete(*, entry: NegativeListEntry, actor) -> None:
    """Delete an entry of a draft list; the entries after it move up, so numbers stay 1…n."""
    negative_list = entry.negative_list
    _editable(negative_list, actor)
    entry.delete()
    # In increasing order each entry takes the number the one before it has just left.
    for number, later in enumerate(negative_list.entries.order_by("number"), start=1):
        if later.number != number:
            later.number = number
            later.save(update_fields=["number"])


@transaction.atomic
def list_delete(*, negative_list: NegativeList, actor) -> None:
    """Delete a draft the unit will not publish, with its entries."""
    _begin("delete", negative_list, actor, _("Only a draft negative list can be deleted."))
    negative_list.delete()


@transaction.atomic
def list_publish(*, negative_list: NegativeList, actor) -> NegativeList:
    """Publish a draft with at least one entry. The unit's list of the same tier published before
    is withdrawn (the revised list replaces it); the staff covering the unit are told."""
    _begin("publish", negative_list, actor, _("Only a draft negative list can be published."))
    if not negative_list.entries.exists():
        raise TransitionRefused(_("A negative list needs at least one entry to be published."))
    today = shanghai_today()
    replaced = list(
        NegativeList.objects.published()
        .filter(unit=negative_list.unit_id, tier=negative_list.tier)
        .select_for_update()
    )
    for old in replaced:
        old.status = Status.WITHDRAWN
        old.withdrawn_on = today
        old.save(update_fields=["status", "withdrawn_on", "updated_at"])
    negative_list.status = Status.PUBLISHED
    negative_list.published_on = today
    negative_list.save(update_fields=["status", "published_on", "updated_at"])
    workflow.published(negative_list, replaced=replaced, actor=actor)
    return negative_list


@transaction.atomic
def list_withdraw(*, negative_list: NegativeList, actor) -> NegativeList:
    """Withdraw a published list that no longer applies; its checks stay on record."""
    _begin("withdraw", negative_list, actor, _("Only a published negative list can be withdrawn."))
    negative_list.status = Status.WITHDRAWN
    negative_list.withdrawn_on = shanghai_today()
    negative_list.save(update_fields=["status", "withdrawn_on", "updated_at"])
    return negative_list


@transaction.atomic
def check_record(
    *,
    negative_list: NegativeList,
    actor,
    checked_on: datetime.date,
    finding: str,
    breaches: int = 0,
) -> NegativeListCheck:
    """Staff in scope record a supervision check of a published list's execution: the day (not
    before the list was published nor in the future), what they found, how many breaches. A check
    with breaches tells the unit's officers."""
    _begin(
        "check",
        negative_list,
        actor,
        _("Only a published negative list's execution can be checked."),
    )
    if checked_on > shanghai_today():
        _refuse("checked_on", _("A check cannot be dated in the future."))
    if checked_on < negative_list.published_on:
        _refuse("checked_on", _("A check cannot be dated before the list was published."))
    if breaches is None or breaches < 0:
        _refuse("breaches", _("The number of breaches cannot be negative."))
    if breaches > max_value_of(NegativeListCheck, "breaches"):
        _refuse("breaches", _("The number of breaches is too large."))
    check = NegativeListCheck.objects.create(
        negative_list=negative_list,
        checked_on=checked_on,
        checked_by=actor,
        finding=_checked_text(NegativeListCheck, "finding", finding, required=True),
        breaches=breaches,
    )
    if breaches:
        workflow.breaches_found(check, actor=actor)
    return check
