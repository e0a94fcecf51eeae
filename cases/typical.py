"""Typical cases (典型案例): one function per transition.

A case:   not typical ──mark──▶ typical ──unmark──▶ withdrawn ──mark──▶ typical …

Staff of the jurisdiction mark a concluded (closed) case as typical for warning education
(警示教育), with why (行业适配, 典型性, 警示性: at least one) and for whom (sectors, cadre
levels), and withdraw
the selection with a reason. The selection is one ``TypicalCase`` row per case, kept when withdrawn;
the audit log records each change through its signals. ``Case.objects.typical()`` and the case
filter's ``typical`` read it, for the typical-cases page and for later cross-case analyses.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Sector
from core.domain import InvalidInput, TransitionRefused, max_length_of, require_perm

from .models import Case, TypicalCase, TypicalReason

# The case states each action starts from: the services enforce them, ``available_actions`` too.
FROM_STATUSES = {"mark": frozenset({Case.Status.CLOSED}), "unmark": frozenset(Case.Status)}
PERMS = {"mark": "cases.mark_typical_case", "unmark": "cases.unmark_typical_case"}


def current_selection(case: Case) -> TypicalCase | None:
    """The case's selection in force, if any (read from a prefetched ``typical`` when there)."""
    try:
        selection = case.typical
    except TypicalCase.DoesNotExist:
        return None
    return selection if selection.in_force else None


def available_actions(user, case: Case) -> frozenset[str]:
    """What ``user`` may do to the case's selection now: "mark" or "unmark"."""
    typical = current_selection(case) is not None
    wanted = "unmark" if typical else "mark"
    if case.status in FROM_STATUSES[wanted] and user.has_perm(PERMS[wanted], case):
        return frozenset({wanted})
    return frozenset()


def _codes(values: Iterable[str], choices, field: str, message: str) -> list[str]:
    """The chosen codes, each once and in the choices' order; refused if one is unknown."""
    chosen = set(values or ())
    unknown = chosen - set(choices.values)
    if unknown:
        raise InvalidInput(message, errors={field: [message]})
    return [code for code in choices.values if code in chosen]


def _check_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    limit = max_length_of(TypicalCase, "note")
    if len(note) > limit:
        message = _("Keep it within %(limit)d characters.") % {"limit": limit}
        raise InvalidInput(message, errors={field: [message]})
    return note


@transaction.atomic
def case_mark_typical(
    *,
    case: Case,
    actor,
    reasons: Iterable[str],
    audience_sectors: Iterable[str] = (),
    audience_levels: Iterable[str] = (),
    note: str = "",
) -> TypicalCase:
    """Staff mark a closed case of their jurisdiction as typical, with at least one reason."""
    require_perm(actor, PERMS["mark"], case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in FROM_STATUSES["mark"]:
        raise TransitionRefused(
            _("Only a closed case can be chosen as a typical case."), code="invalid_state"
        )
    selection = TypicalCase.objects.filter(case=case).first()
    if selection is not None and selection.in_force:
        raise TransitionRefused(_("This case is already a typical case."), code="invalid_state")
    reasons = _codes(
        reasons, TypicalReason, "reasons", _("Choose the reasons from the list given.")
    )
    if not reasons:
        message = _("Give at least one reason for choosing the case.")
        raise InvalidInput(message, errors={"reasons": [message]})
    selection = selection or TypicalCase(case=case)
    selection.reasons = reasons
    selection.audience_sectors = _codes(
        audience_sectors, Sector, "audience_sectors", _("Choose the sectors from the list given.")
    )
    selection.audience_levels = _codes(
        audience_levels,
        Case.Level,
        "audience_levels",
        _("Choose the cadre levels from the list given."),
    )
    selection.note = _check_note(note)
    selection.marked_by, selection.marked_at = actor, timezone.now()
    selection.withdrawn_by = selection.withdrawn_at = None
    selection.save()
    return selection


@transaction.atomic
def case_unmark_typical(*, case: Case, actor, reason: str) -> TypicalCase:
    """Staff withdraw a case's selection, saying why (the reason replaces the note)."""
    require_perm(actor, PERMS["unmark"], case)
    selection = TypicalCase.objects.select_for_update().filter(case=case).first()
    if selection is None or not selection.in_force:
        raise TransitionRefused(_("This case is not a typical case."), code="invalid_state")
    reason = _check_note(reason, field="reason")
    if not reason:
        message = _("Say why the case is no longer a typical case.")
        raise InvalidInput(message, errors={"reason": [message]})
    selection.note = reason
    selection.withdrawn_by, selection.withdrawn_at = actor, timezone.now()
    selection.save()
    return selection
