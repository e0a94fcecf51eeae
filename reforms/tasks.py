"""Celery tasks of the deadlines: thin — each calls the domain and leaves the rules to it.

Schedules live in the database (django-celery-beat, editable in the back office); the defaults
are created by migration ``reforms.0005``: the deadline scan daily at 08:30 (Asia/Shanghai); and by
``reforms.0011``: the scheduled reconciliation rounds daily at 08:00, before the scan; and by
``reforms.0014``: the measure tally's roll to the new day at 00:01 (with the checks of the
item and problem counts, ``recommendations.tally`` and ``cases.tally``).
"""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from cases.tally import PROBLEMS
from core.domain import shanghai_today
from notifications import delivery
from notifications.tasks import hand_out
from recommendations.tally import ITEMS

from . import reconciliation_schedules, reminders, tally


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


@shared_task
def roll_tally() -> dict:
    """Just after midnight: check the measure tally against the measures, then count it for the
    new day, and check the item and problem counts (``recommendations.tally.ITEMS``,
    ``cases.tally.PROBLEMS``); a drift is told to every active system administrator."""
    result = tally.roll(shanghai_today())
    item_drift = ITEMS.check()
    problem_drift = PROBLEMS.check()
    with translation.override(settings.LANGUAGE_CODE):
        if result.drift:
            _alert_drift(
                _("The measure counts drifted from the measures"),
                _(
                    "%(n)d counts kept for %(day)s differed from a recount (of the measures, "
                    "or of the tally for a unit's row); they have been counted again. The "
                    "first: %(first)s"
                )
                % {"n": len(result.drift), "day": result.previous, "first": result.drift[0]},
                f"tally-drift:{result.as_of}",
            )
        counted_apart = (
            (
                "item",
                item_drift,
                _("The item counts drifted from the items"),
                _(
                    "%(n)d item counts differed from the items; they have been counted again. "
                    "The first: %(first)s"
                ),
            ),
            (
                "problem",
                problem_drift,
                _("The problem counts drifted from the problems"),
                _(
                    "%(n)d problem counts differed from the problems; they have been counted "
                    "again. The first: %(first)s"
                ),
            ),
        )
        for kind, found, title, body in counted_apart:
            if found:
                _alert_drift(
                    title,
                    body % {"n": len(found), "first": found[0]},
                    f"{kind}-tally-drift:{result.as_of}",
                )
    return {
        "as_of": str(result.as_of),
        "rows": result.rows,
        "drift": len(result.drift),
        "item_drift": len(item_drift),
        "problem_drift": len(problem_drift),
    }


def _alert_drift(title, body: str, dedupe_key: str) -> None:
    delivery.alert(
        User.objects.system_admins(),
        title=str(title),
        body=body,
        link=reverse("admin:index"),
        dedupe_key=dedupe_key,
    )
