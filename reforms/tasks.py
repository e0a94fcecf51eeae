"""Celery tasks: thin — each calls the domain and leaves the rules to it.

Schedules live in the database (django-celery-beat, editable in the back office); the defaults
are created by migration ``reforms.0005``: the deadline scan daily at 08:30 and the weekly report
on Mondays at 09:00 (Asia/Shanghai), and the outbox sweep every minute.
"""

import logging

from celery import shared_task
from django.db import transaction

from accounts import delivery
from core.domain import shanghai_today

from . import reminders, reports

logger = logging.getLogger(__name__)


def _hand_out(digest_ids) -> None:
    """Queue one delivery per digest once the rows are committed; a broker that is down only
    delays them (the sweep hands them out again)."""

    def enqueue():
        for digest_id in digest_ids:
            try:
                deliver_digest.delay(digest_id)
            except Exception:  # the broker is down: the outbox keeps the row
                logger.warning("Could not queue digest %s; the sweep will.", digest_id)
                return

    transaction.on_commit(enqueue)


@shared_task
def scan_deadlines() -> dict:
    """The daily scan: reminders and urging notices, then each recipient's digest of the day."""
    result = reminders.scan()
    if not result.skipped:
        _hand_out(delivery.digests_prepare(shanghai_today()))
    return vars(result)


@shared_task
def deliver_digest(digest_id: int) -> str:
    return delivery.digest_deliver(digest_id)


@shared_task
def sweep_outbox() -> int:
    """Every minute: retries whose backoff has passed, and digests a dead worker left behind."""
    due = delivery.outbox_sweep()
    _hand_out(due)
    return len(due)


@shared_task
def send_weekly_reports() -> int:
    """Mondays: each supervisor's overdue report for their jurisdiction."""
    digests = reports.weekly_reports(shanghai_today())
    _hand_out(digests)
    return len(digests)
