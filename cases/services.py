"""Writes to cases: logging and editing a case with its subjects and links, its analysis, and its
problem list.

Every function checks who may call it (``rules.py``), validates what the actor chose against their
jurisdiction, runs in one transaction and refuses with a ``DomainError`` fit to show the user. The
web pages, the API and the admin's future actions all write through here.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from core.domain import (
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    insert_together,
    require_perm,
)

from .models import Case, CaseAnalysis, Problem, ProcessStage, Subject, ViolationType
from .signals import problems_recorded

# The field contracts of the case services: what they write, by name. The case pages' forms edit
# exactly these fields and the API shows them (``forms.py``, ``api/serializers.py`` import them).

CASE_WRITABLE_FIELDS = (
    "number",
    "title",
    "commission",
    "case_unit",
    "sector",
    "violation_types",
    "level",
    "amount",
    "status",
    "opened_on",
    "closed_on",
    "summary",
    "linked_cases",
)
"""Everything ``case_create`` and ``case_update`` take about the case (in the form's order)."""

CASE_LINK_FIELDS = ("violation_types", "linked_cases")
"""The case's many-to-many links: their own arguments, each replaced as a whole."""

CASE_COLUMN_FIELDS = tuple(name for name in CASE_WRITABLE_FIELDS if name not in CASE_LINK_FIELDS)
"""The case's own columns: the ``**fields`` that ``case_update`` sets one by one."""

SUBJECT_FIELDS = ("name", "position", "is_top_leader", "disposition")
ANALYSIS_FIELDS = ("trajectory", "root_causes", "loopholes", "lessons", "completed_on")
PROBLEM_FIELDS = ("category", "process_stage", "unit", "description")


# ── Shared checks ────────────────────────────────────────────────────────────────────────────


def _full_clean(obj, exclude: Iterable[str] = ()) -> None:
    """The model's own validation (field choices, constraints, uniqueness) as a refusal."""
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from error


def _require_units_in_jurisdiction(actor, *units: OrgUnit) -> None:
    ids = {unit.pk for unit in units}
    if OrgUnit.objects.restrict(actor).filter(pk__in=ids).count() != len(ids):
        raise PermissionRefused(_("The chosen unit is outside your jurisdiction."))


def _check_case_units(actor, *, commission: OrgUnit, case_unit: OrgUnit, unchanged=()) -> None:
    """Both units are of the right kind, and the ones the actor chose are in their jurisdiction.

    A unit already on the case (``unchanged``) may stay even if the actor does not cover it, e.g.
    county staff editing a case of a county unit that the city commission handles.
    """
    chosen = [unit for unit in (commission, case_unit) if unit.pk not in unchanged]
    _require_units_in_jurisdiction(actor, *chosen)
    if commission.kind not in {OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP}:
        raise TransitionRefused(
            _("The handling commission must be a commission or a dispatched group.")
        )
    if case_unit.kind != OrgUnit.Kind.UNIT:
        raise TransitionRefused(_("The case unit must be a unit."))


def _visible_links(actor, case: Case | None, linked_cases: Iterable[Case]) -> list[Case]:
    linked = list(linked_cases)
    ids = {other.pk for other in linked}
    if case is not None and case.pk in ids:
        raise TransitionRefused(_("A case cannot be linked to itself."))
    if Case.objects.restrict(actor).filter(pk__in=ids).count() != len(ids):
        raise PermissionRefused(_("Some of the linked cases are outside your jurisdiction."))
    return linked


def _clean_subjects(subjects: Iterable[Mapping]) -> list[dict]:
    cleaned = []
    for subject in subjects:
        unknown = set(subject) - {"id", *SUBJECT_FIELDS}
        if unknown:
            raise TypeError(f"Unknown subject fields: {sorted(unknown)}")
        name = (subject.get("name") or "").strip()
        if not name:
            raise TransitionRefused(_("Every subject needs a name."))
        cleaned.append(
            {
                "id": subject.get("id"),
                "name": name,
                "position": (subject.get("position") or "").strip(),
                "is_top_leader": bool(subject.get("is_top_leader")),
                "disposition": (subject.get("disposition") or "").strip(),
            }
        )
    return cleaned


def _save_subjects(case: Case, subjects: list[dict]) -> None:
    """Make the case's subjects exactly ``subjects``: update those with an id, add the others,
    remove the ones left out."""
    existing = {subject.pk: subject for subject in case.subjects.all()}
    kept = {subject["id"] for subject in subjects if subject["id"] is not None}
    if not kept <= set(existing):
        raise TransitionRefused(_("A subject given belongs to another case."))
    case.subjects.exclude(pk__in=kept).delete()
    for data in subjects:
        fields = {name: data[name] for name in SUBJECT_FIELDS}
        if data["id"] is None:
            subject = Subject(case=case, **fields)
        else:
            subject = existing[data["id"]]
            for name, value in fields.items():
                setattr(subject, name, value)
        _full_clean(subject, exclude=["case"])
        subject.save()


def _set_links(actor, case: Case, linked: list[Case]) -> None:
    """Link ``case`` to ``linked``, keeping the links to cases the actor cannot see."""
    hidden = case.linked_cases.exclude(pk__in=Case.objects.restrict(actor).values("pk"))
    case.linked_cases.set([*linked, *hidden])


def _keep_typical_closed(case: Case) -> None:
    """A typical case (典型案例) was chosen as concluded: reopening it needs the selection
    withdrawn first, so the typical cases stay closed ones."""
    if case.status != Case.Status.CLOSED and Case.objects.typical().filter(pk=case.pk).exists():
        raise TransitionRefused(
            _("A typical case stays closed: withdraw it from the typical cases first."),
            code="invalid_state",
        )


# ── Cases ────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def case_create(
    *,
    actor,
    number: str,
    title: str,
    commission: OrgUnit,
    case_unit: OrgUnit,
    sector: str,
    level: str,
    opened_on: datetime.date,
    amount: Decimal = Decimal(0),
    status: str = Case.Status.OPENED,
    closed_on: datetime.date | None = None,
    summary: str = "",
    violation_types: Iterable[ViolationType] = (),
    linked_cases: Iterable[Case] = (),
    subjects: Iterable[Mapping] = (),
) -> Case:
    """Discipline staff log a case of a unit in their jurisdiction, with its subjects and links."""
    require_perm(actor, "cases.add_case")
    _check_case_units(actor, commission=commission, case_unit=case_unit)
    linked = _visible_links(actor, None, linked_cases)
    subjects = _clean_subjects(subjects)
    case = Case(
        number=number.strip(),
        title=title.strip(),
        commission=commission,
        case_unit=case_unit,
        sector=sector,
        level=level,
        opened_on=opened_on,
        amount=amount if amount is not None else Decimal(0),
        status=status,
        closed_on=closed_on,
        summary=summary,
        created_by=actor,
    )
    _full_clean(case)
    case.save()
    case.violation_types.set(violation_types)
    case.linked_cases.set(linked)
    _save_subjects(case, subjects)
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    actor,
    violation_types: Iterable[ViolationType] | None = None,
    linked_cases: Iterable[Case] | None = None,
    subjects: Iterable[Mapping] | None = None,
    **fields,
) -> Case:
    """Staff edit a case in their jurisdiction.

    ``fields`` are any of ``CASE_COLUMN_FIELDS``; ``subjects`` (when given) is the full list of the
    case's subjects — dicts of ``SUBJECT_FIELDS``, with ``id`` for the ones kept — and the ones left
    out are removed; ``linked_cases`` replaces the links the actor can see and keeps the others.
    """
    unknown = set(fields) - set(CASE_COLUMN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    require_perm(actor, "cases.change_case", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    unchanged = {case.commission_id, case.case_unit_id}
    for name, value in fields.items():
        setattr(case, name, value.strip() if name in {"number", "title"} else value)
    if case.amount is None:
        case.amount = Decimal(0)
    _check_case_units(
        actor, commission=case.commission, case_unit=case.case_unit, unchanged=unchanged
    )
    _keep_typical_closed(case)
    linked = None if linked_cases is None else _visible_links(actor, case, linked_cases)
    subjects = None if subjects is None else _clean_subjects(subjects)
    _full_clean(case)
    case.save()
    if violation_types is not None:
        case.violation_types.set(violation_types)
    if linked is not None:
        _set_links(actor, case, linked)
    if subjects is not None:
        _save_subjects(case, subjects)
    return case


# ── Analysis (案件剖析) ───────────────────────────────────────────────────────────────────────


@transaction.atomic
def analysis_save(
    *,
    case: Case,
    actor,
    trajectory: str = "",
    root_causes: str = "",
    loopholes: str = "",
    lessons: str = "",
    completed_on: datetime.date | None = None,
) -> CaseAnalysis:
    """Write the case's analysis (the first writer becomes its author)."""
    require_perm(actor, "cases.change_case", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    analysis = CaseAnalysis.objects.filter(case=case).first() or CaseAnalysis(
        case=case, author=actor
    )
    analysis.trajectory = trajectory
    analysis.root_causes = root_causes
    analysis.loopholes = loopholes
    analysis.lessons = lessons
    analysis.completed_on = completed_on
    if completed_on is not None and completed_on < case.opened_on:
        raise TransitionRefused(_("The analysis cannot be completed before the case was opened."))
    _full_clean(analysis, exclude=["case"])
    analysis.save()
    return analysis


# ── Problem list (问题清单) ────────────────────────────────────────────────────────────────────


def _check_problem(actor, *, case: Case, unit: OrgUnit, description: str, unchanged=()) -> str:
    if unit.pk not in unchanged:
        _require_units_in_jurisdiction(actor, unit)
    if not unit.path.startswith(case.case_unit.path):
        message = _("A problem sits in the case unit or one of its subunits.")
        raise InvalidInput(message, errors={"unit": [message]})
    description = (description or "").strip()
    if not description:
        raise TransitionRefused(_("The problem needs its description."))
    return description


class ProblemList:
    """Problems recorded together (a case's problem list: the bulk API, the spreadsheet), each
    checked as it is added and all inserted by one statement on ``save``
    (``core.domain.insert_together``), then told to the floors above at once
    (``signals.problems_recorded``). What ``add`` checked once (a case the actor may change, a unit
    in their jurisdiction, a record a field names) it does not ask the database again."""

    def __init__(self, actor):
        self.actor = actor
        self.problems: list[Problem] = []
        self._cases_checked: set[int] = set()
        self._units_checked: set[int] = set()
        self._related_checked: set[tuple[str, int]] = set()

    def add(
        self,
        *,
        case: Case,
        unit: OrgUnit,
        category: str,
        process_stage: ProcessStage,
        description: str,
    ) -> Problem:
        """A problem the case exposed, in a unit of the actor's jurisdiction, not yet saved."""
        require_perm(self.actor, "cases.add_problem")
        if case.pk not in self._cases_checked:
            require_perm(self.actor, "cases.change_case", case)
            self._cases_checked.add(case.pk)
        description = _check_problem(
            self.actor, case=case, unit=unit, description=description, unchanged=self._units_checked
        )
        self._units_checked.add(unit.pk)
        problem = Problem(
            case=case,
            unit=unit,
            category=category,
            process_stage=process_stage,
            description=description,
        )
        related = {("case", case.pk), ("unit", unit.pk), ("process_stage", process_stage.pk)}
        _full_clean(problem, exclude=[name for name, pk in related & self._related_checked])
        self._related_checked |= related
        self.problems.append(problem)
        return problem

    @transaction.atomic
    def save(self) -> list[Problem]:
        problems = insert_together(Problem, self.problems)
        problems_recorded.send(sender=Problem, problems=problems, created=True)
        return problems


def problem_add(*, actor, **fields) -> Problem:
    """Staff add a problem the case exposed: a list of one (``ProblemList.add``)."""
    problems = ProblemList(actor)
    problems.add(**fields)
    return problems.save()[0]


@transaction.atomic
def problem_update(*, problem: Problem, actor, **fields) -> Problem:
    """Staff correct a problem of a case in their jurisdiction; ``fields`` of ``PROBLEM_FIELDS``."""
    unknown = set(fields) - set(PROBLEM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown problem fields: {sorted(unknown)}")
    require_perm(actor, "cases.change_problem", problem)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    unchanged = {problem.unit_id}
    for name, value in fields.items():
        setattr(problem, name, value)
    problem.description = _check_problem(
        actor,
        case=problem.case,
        unit=problem.unit,
        description=problem.description,
        unchanged=unchanged,
    )
    _full_clean(problem)
    problem.save()
    problems_recorded.send(sender=Problem, problems=[problem], created=False)
    return problem
