"""The letters' items counted by recipient unit, drafts apart (``ItemTally``, kept by the
triggers of migration ``0010``), checked against the items.

The nightly ``reforms.tasks.roll_tally`` calls ``ITEMS.check``: a drift (there should be none) is
repaired at once and reported to the system administrators.
"""

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from core.tallies import Tally

from .models import ItemTally, RecommendationItem

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


ITEMS = Tally(
    ItemTally,
    ("unit", "draft"),
    recount,
    ("recommendations_recommendationitem", "recommendations_recommendation"),
)
