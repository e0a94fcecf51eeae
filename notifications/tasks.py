"""Celery tasks of the outbox: one delivery per digest, and the sweep that retries (every minute,
scheduled by migrations ``reforms.0005`` and ``0007``)."""

import logging

from celery import shared_task
from django.db import transaction

from . import delivery

logger = logging.getLogger(__name__)


def hand_out(digest_ids) -> None:
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
def deliver_digest(digest_id: int) -> str:
    return delivery.digest_deliver(digest_id)


@shared_task
def sweep_outbox() -> int:
    """Every minute: retries whose backoff has passed, and digests a dead worker left behind."""
    due = delivery.outbox_sweep()
    hand_out(due)
    return len(due)
