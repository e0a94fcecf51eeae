"""Cross-case analyses (类案分析): one function per action.

Staff of a jurisdiction create an analysis for their commission (or a unit in their
jurisdiction), choose its cases by criteria or by hand, write the findings (共性问题, 制度漏洞,
对策建议) and delete it; supervisors read it. The audit log records each change through its
signals. The figures are never stored: ``crosscase.tables`` computes them at every reading.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from cases.models import Case
from core.domain import InvalidInput, require_perm

from .models import CrossCaseAnalysis

PERMS = {
    "edit": "crosscase.change_crosscaseanalysis",
    "findings": "crosscase.change_crosscaseanalysis",
    "delete": "crosscase.delete_crosscaseanalysis",
}
# What the selection form and the API write (the criteria are cleared in mode "hand").
CRITERIA_FIELDS = (
    "sector",
    "process_stage",
    "violation_type",
    "opened_from",
    "opened_to",
    "case_unit",
    "typical_only",
)
WRITABLE_FIELDS = ("title", "unit", "mode", *CRITERIA_FIELDS)
FINDINGS_FIELDS = ("common_patterns", "institutional_gaps", "countermeasures")
# Case numbers typed by hand: separated by spaces, commas, 、, ； or new lines.
NUMBER_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_HAND_PICKED = 500


def available_actions(user, analysis: CrossCaseAnalysis) -> frozenset[str]:
    """What ``user`` may do to the analysis now: "edit", "findings", "delete"."""
    return frozenset(action for action, perm in PERMS.items() if user.has_perm(perm, analysis))


def split_numbers(text: str) -> list[str]:
    """Case numbers as typed, each once, in their order."""
    return list(dict.fromkeys(part for part in NUMBER_SEPARATORS.split(text or "") if part))


def cases_by_number(actor, numbers: Iterable[str]) -> list[Case]:
    """The cases the actor sees with those numbers; refused, naming them, if any is unknown."""
    numbers = list(numbers)
    found = {case.number: case for case in Case.objects.restrict(actor).filter(number__in=numbers)}
    unknown = [number for number in numbers if number not in found]
    if unknown:
        message = _("No case you can see has the number: %(numbers)s.") % {
            "numbers": "、".join(unknown)
        }
        raise InvalidInput(message, errors={"case_numbers": [message]})
    return [found[number] for number in numbers]


def _refuse(field: str, message: str):
    raise InvalidInput(message, errors={field: [message]})


def _check_selection(actor, analysis: CrossCaseAnalysis, cases) -> list[Case] | None:
    """The checks of the whole selection; returns the hand-picked cases to keep (None: keep)."""
    if not OrgUnit.objects.restrict(actor).filter(pk=analysis.unit_id).exists():
        _refuse("unit", _("Choose a commission or unit in your jurisdiction."))
    if analysis.case_unit_id and not (
        OrgUnit.objects.restrict(actor).filter(pk=analysis.case_unit_id).exists()
    ):
        _refuse("case_unit", _("Choose a unit in your jurisdiction."))
    if analysis.by_hand:
        for name in CRITERIA_FIELDS:
            setattr(analysis, name, CrossCaseAnalysis._meta.get_field(name).get_default())
        if cases is None:
            return None
        cases = list(cases)
        visible = set(
            Case.objects.restrict(actor)
            .filter(pk__in=[case.pk for case in cases])
            .values_list("pk", flat=True)
        )
        if any(case.pk not in visible for case in cases):
            _refuse("cases", _("Choose cases in your jurisdiction."))
        if not cases:
            _refuse("case_numbers", _("Pick at least one case."))
        if len(cases) > MAX_HAND_PICKED:
            _refuse("case_numbers", _("Pick at most %(max)d cases.") % {"max": MAX_HAND_PICKED})
        return cases
    return []


def _validated(analysis: CrossCaseAnalysis) -> None:
    try:
        analysis.full_clean(exclude=["created_by"])
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from error


@transaction.atomic
def analysis_create(
    *,
    actor,
    title: str,
    mode: str,
    unit: OrgUnit | None = None,
    cases: Iterable[Case] | None = None,
    **criteria,
) -> CrossCaseAnalysis:
    """Staff open an analysis for their commission (or ``unit`` in their jurisdiction)."""
    require_perm(actor, "crosscase.add_crosscaseanalysis")
    unknown = set(criteria) - set(CRITERIA_FIELDS)
    if unknown:
        raise TypeError(f"unknown criteria: {sorted(unknown)}")
    analysis = CrossCaseAnalysis(
        title=(title or "").strip(),
        mode=mode,
        unit=unit or actor.org_unit,
        created_by=actor,
        **criteria,
    )
    if analysis.unit is None:
        _refuse("unit", _("Choose a commission or unit in your jurisdiction."))
    chosen = _check_selection(actor, analysis, cases if cases is not None else [])
    _validated(analysis)
    analysis.save()
    analysis.cases.set(chosen or [])
    return analysis


@transaction.atomic
def analysis_update(
    *, analysis: CrossCaseAnalysis, actor, cases: Iterable[Case] | None = None, **fields
) -> CrossCaseAnalysis:
    """Staff change the title, the unit or the selection (the findings stay as written).
    ``cases`` left None keeps the hand-picked cases; criteria are cleared in mode "hand" and
    the hand-picked cases in mode "criteria"."""
    require_perm(actor, PERMS["edit"], analysis)
    unknown = set(fields) - set(WRITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not writable: {sorted(unknown)}")
    analysis = CrossCaseAnalysis.objects.select_for_update().get(pk=analysis.pk)
    for name, value in fields.items():
        setattr(analysis, name, value.strip() if name == "title" else value)
    if analysis.by_hand and cases is None and not analysis.cases.exists():
        _refuse("case_numbers", _("Pick at least one case."))
    chosen = _check_selection(actor, analysis, cases)
    _validated(analysis)
    analysis.save()
    if not analysis.by_hand:
        analysis.cases.clear()
    elif chosen is not None:
        analysis.cases.set(chosen)
    return analysis


@transaction.atomic
def analysis_write_findings(
    *,
    analysis: CrossCaseAnalysis,
    actor,
    common_patterns: str = "",
    institutional_gaps: str = "",
    countermeasures: str = "",
) -> CrossCaseAnalysis:
    """Staff write the findings: 共性问题, 制度漏洞, 对策建议 (each may be left empty)."""
    require_perm(actor, PERMS["findings"], analysis)
    analysis = CrossCaseAnalysis.objects.select_for_update().get(pk=analysis.pk)
    analysis.common_patterns = (common_patterns or "").strip()
    analysis.institutional_gaps = (institutional_gaps or "").strip()
    analysis.countermeasures = (countermeasures or "").strip()
    _validated(analysis)
    analysis.save()
    return analysis


@transaction.atomic
def analysis_delete(*, analysis: CrossCaseAnalysis, actor) -> None:
    """Staff delete an analysis of their jurisdiction (its cases are untouched)."""
    require_perm(actor, PERMS["delete"], analysis)
    analysis.delete()
