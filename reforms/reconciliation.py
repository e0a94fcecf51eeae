"""Reconciliation rounds (定期对账销号): one function per transition.

A round:  open ──(every row confirmed)──▶ closed
A row:    pending ──answer──▶ answered ──confirm──▶ confirmed
                               ▲    │ (the unit may change its answer until it is confirmed)
                               └────┘

Staff open a round for a recommendation, a unit and its subunits, or the units of a sector within a
unit's subtree, as of a date: the round
freezes a row per measure in scope that is open or was signed off in the
``ReconciliationRound.RECENT_SIGNOFF_DAYS`` before that date (its status, due date and colour
then). The unit's officer answers each row: still in progress (with the latest state), completed
(which asks for sign-off of a measure in progress, as ``measure_request_signoff`` does) or
disputed (with the reason). Staff confirm each answer — agreed, or returned with the reason — and
close the round once every row is confirmed. The unit's officers are told when a round opens and
closes, the staff who opened it when every row is answered (``workflow``).

Every function checks the ``rules`` permission (``rules.py``), the round's and the row's states
(the tables below, which ``available_actions`` reads too), runs in one transaction, and refuses
with a ``DomainError``.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Sector
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
from recommendations.models import Recommendation

from . import calendar, workflow
from . import services as measure_services
from .models import Measure, ReconciliationRound, ReconciliationRow, open_q

RoundStatus = ReconciliationRound.Status
RowStatus = ReconciliationRow.Status
Answer = ReconciliationRow.Answer
Confirmation = ReconciliationRow.Confirmation
Scope = ReconciliationRound.Scope

# The states each action starts from: the services enforce them, ``available_actions`` reads them.
ROUND_FROM_STATUSES = {"close": frozenset({RoundStatus.OPEN})}
ROW_FROM_STATUSES = {
    "answer": frozenset({RowStatus.PENDING, RowStatus.ANSWERED}),
    "confirm": frozenset({RowStatus.ANSWERED}),
}
PERMS = {
    "open": "reforms.open_reconciliation",
    "close": "reforms.close_reconciliation",
    "answer": "reforms.answer_reconciliation_row",
    "confirm": "reforms.confirm_reconciliation_row",
}


# The unit has this many working days to answer, unless staff choose otherwise (the open form's
# default and a schedule's when it names none).
ANSWER_WORKING_DAYS = 10


def default_answer_due_on(as_of: datetime.date | None = None) -> datetime.date:
    """``ANSWER_WORKING_DAYS`` working days after ``as_of`` (today), by the working calendar."""
    return calendar.add_workdays(as_of or shanghai_today(), ANSWER_WORKING_DAYS)


def available_actions(user, obj, *, scoped: bool = False) -> frozenset[str]:
    """What ``user`` may do to a round ("close") or a row ("answer", "confirm") now.

    A row is acted on only while its round is open; a round is closed only once every row is
    confirmed. ``scoped=True`` says the object was read through ``restrict(user)``, so the
    permission is checked at model level and a page of rows costs no query per row.
    """
    target = None if scoped else obj
    if isinstance(obj, ReconciliationRound):
        if (
            obj.status in ROUND_FROM_STATUSES["close"]
            and user.has_perm(PERMS["close"], target)
            and not obj.rows.exclude(status=RowStatus.CONFIRMED).exists()
        ):
            return frozenset({"close"})
        return frozenset()
    if obj.round.status != RoundStatus.OPEN:
        return frozenset()
    return frozenset(
        name
        for name, states in ROW_FROM_STATUSES.items()
        if obj.status in states and user.has_perm(PERMS[name], target)
    )


def measures_in_scope(
    *, actor, recommendation=None, unit=None, sector: str = "", as_of: datetime.date
):
    """The measures a round would freeze: in the actor's jurisdiction and the scope (a letter, a
    unit's subtree, or that subtree's units of a sector), open or signed off in the
    ``RECENT_SIGNOFF_DAYS`` before ``as_of``."""
    since = as_of - datetime.timedelta(days=ReconciliationRound.RECENT_SIGNOFF_DAYS)
    measures = Measure.objects.restrict(actor).filter(
        open_q() | Q(status=Measure.Status.SIGNED_OFF, signed_off_on__gte=since)
    )
    if recommendation is not None:
        measures = measures.filter(item__recommendation=recommendation)
    else:
        measures = measures.filter(unit__path__startswith=unit.path)
    if sector:
        measures = measures.filter(unit__sector=sector)
    return measures.order_by("item__recommendation", "item", "pk")


def _check_note(text: str, field: str) -> None:
    limit = max_length_of(ReconciliationRow, field)
    if len(text) > limit:
        message = _("The note is at most %(limit)d characters.") % {"limit": limit}
        raise InvalidInput(message, errors={"note": [message]})


def _scope_of(actor, recommendation, unit, sector: str):
    """The round's scope, its unit and the open rounds of the same scope (locked, checked to be
    in the actor's jurisdiction)."""
    if (recommendation is None) == (unit is None) or (sector and recommendation is not None):
        raise TransitionRefused(_("Choose either a recommendation or a unit to reconcile."))
    if recommendation is not None:
        if not Recommendation.objects.restrict(actor).filter(pk=recommendation.pk).exists():
            raise PermissionRefused()
        lock_for_update(recommendation)
        already = ReconciliationRound.objects.open().filter(
            scope=Scope.RECOMMENDATION, recommendation=recommendation
        )
        return Scope.RECOMMENDATION, recommendation.recipient_unit, already
    if not OrgUnit.objects.restrict(actor).filter(pk=unit.pk).exists():
        raise PermissionRefused()
    if sector and sector not in Sector.values:
        message = _("Choose a sector from the list.")
        raise TransitionRefused(message, errors={"sector": [message]})
    lock_for_update(unit)
    scope = Scope.SECTOR if sector else Scope.UNIT
    already = ReconciliationRound.objects.open().filter(scope=scope, unit=unit, sector=sector)
    return scope, unit, already


@transaction.atomic
def open_round(
    *,
    actor,
    as_of: datetime.date | None = None,
    answer_due_on: datetime.date,
    recommendation: Recommendation | None = None,
    unit: OrgUnit | None = None,
    sector: str = "",
    schedule=None,
) -> ReconciliationRound:
    """Staff open a round for one recommendation, a unit and its subunits, or the units of a
    sector within a unit's subtree (``sector``), and freeze its rows.

    ``as_of`` (today when not given) cannot be in the future: the snapshot is what stands now,
    its colours read on that date. The unit's answers are due on ``answer_due_on``. A round
    opened by a ``ReconciliationSchedule`` records it (``schedule``).
    """
    require_perm(actor, PERMS["open"])
    today = shanghai_today()
    as_of = as_of or today
    if as_of > today:
        message = _("A reconciliation round cannot be dated in the future.")
        raise TransitionRefused(message, errors={"as_of": [message]})
    if answer_due_on < today:
        message = _("The answers cannot be due before today.")
        raise TransitionRefused(message, errors={"answer_due_on": [message]})
    scope, target_unit, already = _scope_of(actor, recommendation, unit, sector)
    if already.exists():
        raise TransitionRefused(
            _("A reconciliation round is already open for this scope: close it first."),
            code="invalid_state",
        )
    measures = list(
        measures_in_scope(
            actor=actor, recommendation=recommendation, unit=unit, sector=sector, as_of=as_of
        )
    )
    if not measures:
        raise TransitionRefused(
            _("There is nothing to reconcile: no open or recently signed-off measure in scope.")
        )
    round_ = ReconciliationRound.objects.create(
        scope=scope,
        recommendation=recommendation,
        unit=target_unit,
        sector=sector,
        schedule=schedule,
        as_of=as_of,
        answer_due_on=answer_due_on,
        opened_by=actor,
    )
    ReconciliationRow.objects.bulk_create(
        ReconciliationRow(
            round=round_,
            measure=measure,
            snapshot_status=measure.status,
            snapshot_due_on=measure.deadline,
            snapshot_signal=measure.signal(today=as_of),
        )
        for measure in measures
    )
    workflow.reconciliation_opened(round_, {m.unit_id for m in measures}, actor=actor)
    return round_


def _require_round_open(round_: ReconciliationRound) -> None:
    require_status(
        round_,
        {RoundStatus.OPEN},
        _("This reconciliation round is closed: its rows can no longer change."),
    )


@transaction.atomic
def answer_row(*, row: ReconciliationRow, actor, answer: str, note: str = "") -> ReconciliationRow:
    """The unit's officer answers a row: still in progress (the latest state required), completed
    (a measure in progress is put up for sign-off, which needs its evidence) or disputed (the
    reason required). The answer may be changed until staff confirm it."""
    require_perm(actor, PERMS["answer"], row)
    # The round first, as ``close_round`` does: a row never changes while its round closes.
    lock_for_update(row.round)
    lock_for_update(row)
    _require_round_open(row.round)
    require_status(
        row,
        ROW_FROM_STATUSES["answer"],
        _("This row is already confirmed: its answer can no longer change."),
    )
    if answer not in Answer.values:
        message = _("Choose your answer: in progress, completed or disputed.")
        raise TransitionRefused(message, errors={"answer": [message]})
    note = note.strip()
    if answer == Answer.IN_PROGRESS and not note:
        message = _("Describe where the measure stands now.")
        raise TransitionRefused(message, errors={"note": [message]})
    if answer == Answer.DISPUTED and not note:
        message = _("Give the reason for disputing this row.")
        raise TransitionRefused(message, errors={"note": [message]})
    _check_note(note, "answer_note")
    if answer == Answer.COMPLETED:
        _ask_for_sign_off(row.measure, actor=actor, note=note)
    row.status = RowStatus.ANSWERED
    row.answer = answer
    row.answer_note = note
    row.answered_by = actor
    row.answered_at = timezone.now()
    row.save()
    round_ = row.round
    if not round_.rows.filter(status=RowStatus.PENDING).exists():
        workflow.reconciliation_answered(round_, actor=actor)
    return row


def _ask_for_sign_off(measure: Measure, *, actor, note: str) -> None:
    """ "Completed" puts a measure in progress up for sign-off; one awaiting or signed off is
    already there; one not started, or returned without new work, cannot be completed yet."""
    Status = Measure.Status
    lock_for_update(measure)
    if measure.status in {Status.AWAITING_SIGNOFF, Status.SIGNED_OFF}:
        return
    if measure.status == Status.RETURNED:
        raise TransitionRefused(measure_services.RETURNED_NEEDS_NEW_WORK, code="invalid_state")
    if measure.status == Status.NOT_STARTED:
        raise TransitionRefused(
            _("Report progress and upload evidence before answering that it is completed."),
            code="invalid_state",
        )
    measure_services.measure_request_signoff(measure=measure, actor=actor, note=note)


@transaction.atomic
def confirm_row(
    *, row: ReconciliationRow, actor, confirmation: str, note: str = ""
) -> ReconciliationRow:
    """Staff confirm the unit's answer: agreed, or returned (the reason required)."""
    require_perm(actor, PERMS["confirm"], row)
    lock_for_update(row.round)
    lock_for_update(row)
    _require_round_open(row.round)
    if row.status == RowStatus.PENDING:
        raise TransitionRefused(_("The unit has not answered this row yet."), code="invalid_state")
    require_status(row, ROW_FROM_STATUSES["confirm"], _("This row is already confirmed."))
    if confirmation not in Confirmation.values:
        message = _("Choose whether you agree with the unit's answer or return it.")
        raise TransitionRefused(message, errors={"confirmation": [message]})
    note = note.strip()
    if confirmation == Confirmation.RETURNED and not note:
        message = _("Give the reason for returning this row.")
        raise TransitionRefused(message, errors={"note": [message]})
    _check_note(note, "confirmation_note")
    row.status = RowStatus.CONFIRMED
    row.confirmation = confirmation
    row.confirmation_note = note
    row.confirmed_by = actor
    row.confirmed_at = timezone.now()
    row.save()
    return row


@transaction.atomic
def close_round(*, round_: ReconciliationRound, actor) -> ReconciliationRound:
    """Staff close the round once every row is confirmed; the unit's officers are told."""
    require_perm(actor, PERMS["close"], round_)
    lock_for_update(round_)
    require_status(
        round_, ROUND_FROM_STATUSES["close"], _("This reconciliation round is already closed.")
    )
    left = round_.rows.exclude(status=RowStatus.CONFIRMED).count()
    if left:
        raise TransitionRefused(
            _("Confirm every row before closing the round (%(count)d left).") % {"count": left},
            code="invalid_state",
        )
    round_.status = RoundStatus.CLOSED
    round_.closed_by = actor
    round_.closed_at = timezone.now()
    round_.save()
    workflow.reconciliation_closed(round_, actor=actor)
    return round_
