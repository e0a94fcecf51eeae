"""Celery tasks of the deadlines: thin — each calls the domain and leaves the rules to it.

Schedules live in the database (django-celery-beat, editable in the back office); the defaults
are created by migration ``reforms.0005``: the deadline scan daily at 08:30 (Asia/Shanghai); and by
``reforms.0011``: the scheduled reconciliation rounds daily at 08:00, before the scan.
"""

from celery import shared_task

from core.domain import shanghai_today
from notifications import delivery
from notifications.tasks import hand_out

from . import reconciliation_schedules, reminders


@shared_task
def scan_deadlines() -> dict:
    """The daily scan: reminders and urging notices, then each recipient's digest of the day."""
    result = reminders.scan()
    if not result.skipped:
        hand_out(delivery.digests_prepare(shanghai_today()))
    return vars(result)


@shared_task
def open_scheduled_reconciliations() -> dict:
    """定期对账: open this period's round of every schedule that has none yet."""
    return vars(reconciliation_schedules.open_due_rounds())
