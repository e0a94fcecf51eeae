"""The letters' items counted by recipient unit, drafts apart (``ItemTally``, kept by the
triggers of migration ``0010``), checked against the items.

The nightly ``reforms.tasks.roll_tally`` calls ``check``: a drift (there should be none) is
repaired at once and reported to the system administrators.
"""

import logging

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from .models import ItemTally, RecommendationItem

logger = logging.getLogger(__name__)

DRAFT = Q(recommendation__status="draft")


def recount() -> dict[tuple[int, bool], int]:
    """``{(unit, draft): items}`` counted from the items."""
    rows = (
        RecommendationItem.objects.order_by()
        .annotate(draft=ExpressionWrapper(DRAFT, output_field=BooleanField()))
        .values_list("recommendation__recipient_unit", "draft")
        .annotate(n=Count("pk"))
    )
    return {(unit, draft): n for unit, draft, n in rows}


def kept() -> dict[tuple[int, bool], int]:
    """``{(unit, draft): items}`` as the tally holds it (empty rows left out)."""
    rows = ItemTally.objects.exclude(n=0).values_list("unit", "draft", "n")
    return {(unit, draft): n for unit, draft, n in rows}


def drift(expected: dict, held: dict) -> list[dict]:
    """Each key whose kept count differs from the items."""
    return [
        {"unit": key[0], "draft": key[1], "kept": held.get(key, 0), "counted": n}
        for key in sorted(expected.keys() | held.keys())
        if (n := expected.get(key, 0)) != held.get(key, 0)
    ]


def check() -> list[dict]:
    """Compare the tally with a recount while item and letter writes wait; repair what differs."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE recommendations_recommendationitem, "
                    "recommendations_recommendation IN SHARE MODE"
                )
        found = drift(recount(), kept())
        for row in found:
            ItemTally.objects.update_or_create(
                unit_id=row["unit"], draft=row["draft"], defaults={"n": row["counted"]}
            )
    if found:
        logger.error("The item tally drifted from the items: %s", found[:20])
    return found
