"""整改反弹: a new problem that looks like one already rectified.

When a problem is recorded (``cases.signals.problem_recorded``), it is compared with the problems
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
from cases.signals import problem_recorded
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


def detect(problem: Problem) -> list[ReboundFlag]:
    """Flag ``problem`` against the earlier problems it matches; its old flags are replaced."""
    case = problem.case
    # A sector's cases handled by the same commission (a province's whole sector would flag a
    # problem against hundreds); 其他 is no sector: its cases share nothing but the word.
    same_sector = (
        Q()
        if case.sector == Sector.OTHER
        else Q(case__sector=case.sector, case__commission_id=case.commission_id)
    )
    matches = (
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
    Match = ReboundFlag.Match
    flags: dict[int, ReboundFlag] = {}
    for earlier_pk, unit_id, measure_pk in matches:
        if earlier_pk in flags:
            continue  # the latest sign-off stands for the earlier problem
        flags[earlier_pk] = ReboundFlag(
            problem=problem,
            earlier_problem_id=earlier_pk,
            measure_id=measure_pk,
            unit_id=problem.unit_id,
            match=Match.UNIT if unit_id == problem.unit_id else Match.SECTOR,
        )
    ReboundFlag.objects.filter(problem=problem).delete()
    created = ReboundFlag.objects.bulk_create(flags.values())
    workflow.rebound_flagged(created, case)
    return created


@receiver(problem_recorded, dispatch_uid="reforms.rebounds.detect")
def _problem_recorded(sender, problem, **kwargs):
    detect(problem)
