"""整改反弹: a new problem that looks like one already rectified.

When problems are recorded (``cases.signals.problems_recorded``), each is compared with the problems
that signed-off measures addressed (through their items) within ``REBOUND_LOOKBACK_YEARS``: the
same category and process stage, in the same unit or in a case of the same sector handled by the
same commission (其他 is no sector), and from another case. Each match is a ``ReboundFlag``
linking the two problems and the measure; a problem corrected later is compared afresh. The flags
show on the case page, in the dashboard and in the statistics, and the commission's staff who
may read a flag are told (``workflow.rebound_flagged``).
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.dispatch import receiver

from accounts.models import Sector
from cases.models import Problem
from cases.signals import problems_recorded
from core.domain import shanghai_today

from . import workflow
from .models import Measure, ReboundFlag


def lookback_start(today: datetime.date | None = None) -> datetime.date:
    """The first sign-off day still within ``REBOUND_LOOKBACK_YEARS`` of today."""
    today = today or shanghai_today()
    years = settings.REBOUND_LOOKBACK_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def detect(problems: list[Problem], *, new: bool = False) -> list[ReboundFlag]:
    """Flag each of ``problems`` against the earlier problems it matches; their old flags are
    replaced (``new`` problems have none). Problems alike (the same case, unit, category and
    stage: most of a case's list) are matched by one query, and the flags written together."""
    matches_of: dict[tuple, list] = {}
    flags: list[ReboundFlag] = []
    for problem in problems:
        key = (problem.case_id, problem.unit_id, problem.category, problem.process_stage_id)
        if key not in matches_of:
            matches_of[key] = _matches(problem)
        flags += _flags(problem, matches_of[key])
    if not new:
        ReboundFlag.objects.filter(problem__in=problems).delete()
    created = ReboundFlag.objects.bulk_create(flags)
    for case, flagged in _by_case(problems, created):
        workflow.rebound_flagged(flagged, case)
    return created


def _matches(problem: Problem) -> list[tuple[int, int, int]]:
    """The earlier problems ``problem`` matches, as (problem, unit, measure) ids: the latest
    sign-off stands for each."""
    case = problem.case
    # A sector's cases handled by the same commission (a province's whole sector would flag a
    # problem against hundreds); 其他 is no sector: its cases share nothing but the word.
    same_sector = (
        Q()
        if case.sector == Sector.OTHER
        else Q(case__sector=case.sector, case__commission_id=case.commission_id)
    )
    rows = (
        Problem.objects.filter(
            Q(unit_id=problem.unit_id) | same_sector,
            category=problem.category,
            process_stage_id=problem.process_stage_id,
            recommendation_items__measures__status=Measure.Status.SIGNED_OFF,
            recommendation_items__measures__signed_off_on__gte=lookback_start(),
        )
        .exclude(case_id=case.pk)
        .values_list("pk", "unit_id", "recommendation_items__measures__pk")
        .order_by("pk", "-recommendation_items__measures__signed_off_on")
    )
    latest: dict[int, tuple[int, int, int]] = {}
    for earlier_pk, unit_id, measure_pk in rows:
        latest.setdefault(earlier_pk, (earlier_pk, unit_id, measure_pk))
    return list(latest.values())


def _flags(problem: Problem, matches) -> list[ReboundFlag]:
    Match = ReboundFlag.Match
    return [
        ReboundFlag(
            problem=problem,
            earlier_problem_id=earlier_pk,
            measure_id=measure_pk,
            unit_id=problem.unit_id,
            match=Match.UNIT if unit_id == problem.unit_id else Match.SECTOR,
        )
        for earlier_pk, unit_id, measure_pk in matches
    ]


def _by_case(problems, flags) -> list[tuple]:
    """``flags`` grouped by the case of their new problem, as (case, flags)."""
    case_of = {problem.pk: problem.case for problem in problems}
    grouped: dict[int, tuple] = {}
    for flag in flags:
        case = case_of[flag.problem_id]
        grouped.setdefault(case.pk, (case, []))[1].append(flag)
    return list(grouped.values())


@receiver(problems_recorded, dispatch_uid="reforms.rebounds.detect")
def _problems_recorded(sender, problems, created, **kwargs):
    detect(problems, new=created)
