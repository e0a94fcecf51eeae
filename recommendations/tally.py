"""The letters' items counted by recipient unit, drafts apart (``ItemTally``, kept by the
triggers of migration ``0010``), checked against the items.

The nightly ``reforms.tasks.roll_tally`` calls ``check``: a drift (there should be none) is
repaired at once and reported to the system administrators.
"""

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from core import tallies

from .models import ItemTally, RecommendationItem

KEY = ("unit", "draft")
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
    return tallies.kept(ItemTally, KEY)


def drift(expected: dict, held: dict) -> list[dict]:
    """Each key whose kept count differs from the items."""
    return tallies.drift(expected, held, KEY)


def check() -> list[dict]:
    """Compare the tally with a recount while item and letter writes wait; repair what differs."""
    return tallies.check(
        ItemTally,
        KEY,
        recount,
        ("recommendations_recommendationitem", "recommendations_recommendation"),
    )
