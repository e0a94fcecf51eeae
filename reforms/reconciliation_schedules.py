"""定期对账: the daily job that opens the rounds of ``ReconciliationSchedule``s as they fall due.

A schedule opens one round a period (month or quarter), on the period's first working day the job
runs (a holiday waits for the next working day), in the name and jurisdiction of the staff who made
it, through ``reconciliation.open_round`` — so the round is refused, and the job goes on, when one
is still open for the same scope, when nothing is left to reconcile, or when its maker may no
longer open rounds. Running it again the same period opens nothing more: a round already opened
by the schedule since the period began is found first. The unit's officers are told when a round
opens (``workflow``) and as its answers fall due (``reminders``: the deadline scan's ladder).
"""

import dataclasses
import datetime
import logging

from core.domain import DomainError, shanghai_today

from . import calendar, reconciliation
from .models import ReconciliationSchedule

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class ScheduleRun:
    opened: int = 0
    already: int = 0
    refused: int = 0
    not_a_workday: bool = False


def open_due_rounds(today: datetime.date | None = None) -> ScheduleRun:
    """Open this period's round of every active schedule that has none yet."""
    today = today or shanghai_today()
    run = ScheduleRun()
    if not calendar.is_workday(today):
        run.not_a_workday = True
        return run
    schedules = ReconciliationSchedule.objects.active().select_related(
        "recommendation", "unit", "created_by"
    )
    for schedule in schedules.order_by("pk"):
        if schedule.rounds.filter(as_of__gte=schedule.period_start(today)).exists():
            run.already += 1
            continue
        try:
            open_scheduled_round(schedule, today)
        except DomainError as refusal:
            run.refused += 1
            logger.info("Reconciliation schedule %s: no round (%s)", schedule.pk, refusal.message)
        else:
            run.opened += 1
    logger.info("Reconciliation schedules on %s: %s", today, run)
    return run


def open_scheduled_round(schedule: ReconciliationSchedule, today: datetime.date):
    return reconciliation.open_round(
        actor=schedule.created_by,
        as_of=today,
        answer_due_on=calendar.add_workdays(today, schedule.answer_working_days),
        recommendation=schedule.recommendation,
        unit=None if schedule.recommendation_id else schedule.unit,
        sector=schedule.sector,
        schedule=schedule,
    )
