"""The supervisors' dashboard: what is open and late, where, and how it moves week by week.

Every number is an aggregate over ``Measure.objects.restrict(user)`` (or the recommendations and
measure history in the same jurisdiction), so the page runs the same handful of queries whatever
the data holds. Overdue, due soon and aging come from ``MeasureQuerySet`` and ``reforms.filters``;
nothing here restates those rules. Each number carries the query string of the measure list (or
recommendation list) that shows exactly the rows behind it, where those lists can express it.
"""

import datetime
import functools
import sys
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from operator import itemgetter
from types import MappingProxyType

from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import render
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.dateformat import format as format_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import OrgUnit, Sector
from campaigns import progress as campaign_progress
from campaigns.models import Campaign
from core.db import reads_from_replica, replica_configured
from core.domain import SHANGHAI, shanghai_today
from core.pages import permission_required_or, with_query
from recommendations.models import Evaluation, Recommendation
from reforms import tally
from reforms.filters import AGING_CHOICES
from reforms.models import (
    Measure,
    MeasureTransition,
    ReboundFlag,
    ReconciliationRound,
    ReconciliationRow,
    Signal,
)

Status = Measure.Status
TREND_WEEKS = 12
AGING_SHORT = {"1-7": "1–7", "8-30": "8–30", "31-90": "31–90", "90+": ">90"}
LATE_REPLIES_SHOWN = 10
UNIT_ROWS_SHOWN = 50
UNIT_FIELDS = ("name", "path", "sector")  # a unit's, on each row of ``unit_numbers``
LAST_CHARACTER = chr(sys.maxunicode)  # after every character of a path
COLOURS = {
    Signal.GREEN: "#198754",
    Signal.YELLOW: "#e0a800",
    Signal.RED: "#dc3545",
    Signal.BLUE: "#0d6efd",
}


@functools.cache
def _reversed(name: str, prefix: str, urlconf) -> str:
    """``reverse(name)`` once per script prefix and URLconf (the arguments: the cache's key): a
    province's dashboard links to its lists hundreds of times."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _url(name: str, **params) -> str:
    """The page's URL with ``params`` as its query string; empty if the page does not exist yet."""
    base = _reversed(name, get_script_prefix(), get_urlconf())
    if not base:
        return ""
    return with_query(base, params)


def measures_url(**params) -> str:
    return _url("reforms:measure_list", **params)


# --- Counts by unit and sector -----------------------------------------------------------------

COUNTS = ("total", "open", "overdue", "due_soon", "standing", "signed_off", "due", "due_signed")


@dataclass
class Counts:
    """The numbers of one row (a unit with its subunits, a sector, or everything)."""

    total: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    standing: int = 0  # open standing measures (blue)
    signed_off: int = 0
    due: int = 0  # not standing and due by today: the sign-off rate's denominator
    due_signed: int = 0  # … of which signed off: its numerator
    filters: dict = field(default_factory=dict)

    @classmethod
    def sum_of(cls, rows: list[dict], **fields) -> "Counts":
        """The sum of ``rows`` (``unit_numbers``: a province's thousands of units)."""
        return cls(**column_sums(rows, COUNTS), **fields)

    @property
    def on_schedule(self) -> int:
        """Open, not standing, neither overdue nor due soon (green but still open)."""
        return self.open - self.overdue - self.due_soon - self.standing

    @property
    def signoff_rate(self) -> float | None:
        return self.due_signed / self.due if self.due else None

    @property
    def signoff_percent(self) -> int | None:
        rate = self.signoff_rate
        return None if rate is None else round(rate * 100)

    def urls(self, today: datetime.date) -> dict:
        """The measure list of each figure: the row's filters, then the figure's own."""
        base = measures_url()
        if not base:
            return dict.fromkeys(_figure_queries(today), "")
        row = urlencode(self.filters)
        return {
            figure: with_query(base, row, own) for figure, own in _figure_queries(today).items()
        }


@functools.lru_cache(maxsize=4)
def _figure_queries(today: datetime.date) -> MappingProxyType:
    """Each figure's filters on the measure list, encoded once a day: a dashboard links each of
    its rows to the same nine lists, and encoding them row by row was a fifth of its time."""
    due_by_today = {"due_before": today.isoformat()}
    figures = {
        "total": {},
        "open": {"is_open": "true", "ordering": "-days_overdue"},
        "overdue": {"overdue": "current"},
        "due_soon": {"signal": Signal.YELLOW},
        "standing": {"signal": Signal.BLUE},
        "on_schedule": {"signal": Signal.GREEN},
        "signed_off": {"status": Status.SIGNED_OFF},
        "due": due_by_today,
        "due_signed": {"status": Status.SIGNED_OFF, **due_by_today},
    }
    return MappingProxyType({figure: urlencode(params) for figure, params in figures.items()})


def column_sums(rows: list[dict], names) -> dict:
    """``{name: the sum of row[name] over rows}`` (summed in C: ~4,600 rows a province)."""
    return {name: sum(map(itemgetter(name), rows)) for name in names}


def unit_numbers(user, today: datetime.date) -> list[dict]:
    """Each unit's own numbers (``reforms.tally.COUNTS``) in the user's jurisdiction, with its
    ``unit`` (pk), ``name``, ``path`` and ``sector``: counted over the tally when it is current,
    else over the measures."""
    return tally.source(user, today).unit_rows(*UNIT_FIELDS)


def unit_rows(numbers: list[dict], limit: int | None = None) -> list[dict]:
    """One row per unit holding measures, counting its subunits too (as the unit filter does);
    with ``limit``, only the rows of the ``limit`` units with the most open measures (a province
    has thousands of units; the measure list holds the rest). In tree order.

    In path order a unit's subtree is a run of units, so its counts are the difference of two
    running totals: linear in the units, whatever the tree's depth.
    """
    numbers = sorted(numbers, key=itemgetter("path"))
    paths = [row["path"] for row in numbers]
    running = {name: list(accumulate(map(itemgetter(name), numbers), initial=0)) for name in COUNTS}
    # Past the last unit under each one.
    ends = [bisect_left(paths, path + LAST_CHARACTER, first) for first, path in enumerate(paths)]
    chosen = range(len(numbers))
    if limit is not None and len(numbers) > limit:
        opened = running["open"]
        chosen = sorted(sorted(chosen, key=lambda i: opened[i] - opened[ends[i]])[:limit])
    held = set(paths)
    step = OrgUnit.steplen
    rows = []
    for first in chosen:
        unit = {
            "pk": numbers[first]["unit"],
            **{name: numbers[first][name] for name in UNIT_FIELDS},
        }
        end = ends[first]
        counts = Counts(
            **{name: column[end] - column[first] for name, column in running.items()},
            filters={"unit": unit["pk"]},
        )
        # Indented under the rows above it that are its ancestors.
        path = unit["path"]
        depth = sum(1 for cut in range(step, len(path), step) if path[:cut] in held)
        rows.append({"unit": unit, "counts": counts, "depth": depth, "linked": True})
    return rows


def sector_rows(numbers: list[dict]) -> list[dict]:
    """One row per sector of the units holding measures; units without a sector last."""
    by_sector: dict[str, list] = {}
    for row in numbers:
        by_sector.setdefault(row["sector"], []).append(row)
    labels = dict(Sector.choices)
    order = list(labels)
    rows = [
        {
            "sector": sector,
            "label": labels.get(sector, _("No sector")),
            "counts": Counts.sum_of(many, filters={"sector": sector} if sector else {}),
            # The list cannot select units without a sector: no drill-down for that row.
            "linked": bool(sector),
        }
        for sector, many in by_sector.items()
    ]
    return sorted(rows, key=lambda row: order.index(row["sector"]) if row["sector"] else 99)


# --- Rebounds (整改反弹) -------------------------------------------------------------------------


def rebounds_url(**params) -> str:
    """The list of possible rebounds (a list of 成效统计) with ``params``."""
    try:
        base = reverse("statistics:records", args=["rebounds"])
    except NoReverseMatch:
        return ""
    return with_query(base, params)


def rebounds(user) -> dict:
    """Rebounds counted against each unit (with its subunits, as the lists filter) and sector:
    measures a follow-up review reopened, and new problems flagged as possible rebounds."""
    own: dict[int, dict] = {}
    sectors: dict[str, dict] = {}
    counted = (
        ("reopened", Measure.objects.restrict(user).reopened(), "unit__sector"),
        ("flagged", ReboundFlag.objects.restrict(user), "problem__case__sector"),
    )
    for key, queryset, sector_field in counted:
        # One query each: by unit and sector together (a flag's sector is its case's).
        for row in (
            queryset.values("unit", "unit__name", "unit__path", sector_field)
            .annotate(n=Count("pk"))
            .order_by()
        ):
            unit = own.setdefault(
                row["unit"],
                {"pk": row["unit"], "name": row["unit__name"], "path": row["unit__path"]},
            )
            unit[key] = unit.get(key, 0) + row["n"]
            sector = sectors.setdefault(row[sector_field] or "", {})
            sector[key] = sector.get(key, 0) + row["n"]
    units = sorted(own.values(), key=lambda unit: unit["path"])
    rows = []
    for unit in units:
        subtree = [other for other in units if other["path"].startswith(unit["path"])]
        rows.append(
            {
                "unit": unit,
                "depth": sum(1 for other in units if unit["path"].startswith(other["path"])) - 1,
                "reopened": sum(other.get("reopened", 0) for other in subtree),
                "flagged": sum(other.get("flagged", 0) for other in subtree),
                "reopened_url": measures_url(unit=unit["pk"], reopened="true"),
                "flagged_url": rebounds_url(unit=unit["pk"]),
            }
        )
    labels = dict(Sector.choices)
    sector_rows = [
        {
            "sector": sector,
            "label": labels.get(sector, _("No sector")),
            "reopened": counts.get("reopened", 0),
            "flagged": counts.get("flagged", 0),
            "reopened_url": measures_url(sector=sector, reopened="true") if sector else "",
            "flagged_url": rebounds_url(sector=sector) if sector else "",
        }
        for sector, counts in sectors.items()
    ]
    order = list(labels)
    sector_rows.sort(key=lambda row: order.index(row["sector"]) if row["sector"] in order else 99)
    return {
        "reopened": sum(unit.get("reopened", 0) for unit in units),
        "flagged": sum(unit.get("flagged", 0) for unit in units),
        "reopened_url": measures_url(reopened="true"),
        "flagged_url": rebounds_url(),
        "units": rows,
        "sectors": sector_rows,
    }


# --- Reconciliation rounds (对账销号) ------------------------------------------------------------


def reconciliations(user, today: datetime.date) -> dict:
    """Each unit's last reconciliation and what is outstanding in its open rounds, by the units
    of the rows' measures (a unit's or a sector's round reaches into subunits). One query (with
    the jurisdiction's): the rows in jurisdiction grouped by unit; ``UNIT_ROWS_SHOWN`` are shown."""
    in_open = Q(round__status=ReconciliationRound.Status.OPEN)
    RowStatus = ReconciliationRow.Status
    grouped = (
        ReconciliationRow.objects.restrict(user)
        .values("measure__unit", "measure__unit__name", "measure__unit__path")
        .annotate(
            last_as_of=Max("round__as_of"),
            last_round=Max("round"),
            open_round=Max("round", filter=in_open),
            answers_due=Min("round__answer_due_on", filter=in_open),
            unanswered=Count("pk", filter=in_open & Q(status=RowStatus.PENDING)),
            unconfirmed=Count("pk", filter=in_open & Q(status=RowStatus.ANSWERED)),
        )
        .order_by("measure__unit__path")
    )
    units = [
        {
            "unit": {"pk": row["measure__unit"], "name": row["measure__unit__name"]},
            "last_as_of": row["last_as_of"],
            "is_open": row["open_round"] is not None,
            "url": reverse(
                "reforms:reconciliation_detail", args=[row["open_round"] or row["last_round"]]
            ),
            "answers_due": row["answers_due"],
            "late": bool(row["unanswered"] and row["answers_due"] and row["answers_due"] < today),
            "unanswered": row["unanswered"],
            "unconfirmed": row["unconfirmed"],
        }
        for row in grouped
    ]
    return {
        "units": units[:UNIT_ROWS_SHOWN],
        "more": max(len(units) - UNIT_ROWS_SHOWN, 0),
        "unanswered": sum(unit["unanswered"] for unit in units),
        "unconfirmed": sum(unit["unconfirmed"] for unit in units),
        "list_url": reverse("reforms:reconciliation_list"),
    }


def campaigns(user) -> dict:
    """The launched self-inspection campaigns (举一反三) in jurisdiction with their figures: units
    targeted and answered, units that found problems, problems found, the measures planned on the
    units' self-inspection lists open and overdue, units not answered past the deadline. One
    query (``campaigns.progress.per_campaign``)."""
    rows = list(
        campaign_progress.per_campaign(Campaign.objects.restrict(user).launched())
        .select_related("unit")
        .order_by("answer_due_on", "pk")
    )
    return {
        "rows": rows,
        "list_url": reverse("campaigns:list"),
        "late": sum(row.late for row in rows),
    }


# --- Aging, late replies, weekly trend ---------------------------------------------------------


def aging_buckets(rows: list[dict]) -> list[dict]:
    """Overdue measures by days past their current due date (the list's ``aging`` buckets)."""
    sums = column_sums(rows, [f"aged_{key}" for key, _label in AGING_CHOICES])
    return [
        {"key": key, "label": label, "n": sums[f"aged_{key}"], "url": measures_url(aging=key)}
        for key, label in AGING_CHOICES
    ]


def late_replies(user, today: datetime.date) -> dict:
    """Issued recommendations whose reply deadline has passed without a reply."""
    late = (
        Recommendation.objects.restrict(user)
        .filter(status__in=Recommendation.AWAITING_REPLY, reply_due_on__lt=today)
        .select_related("recipient_unit")
        .order_by("reply_due_on", "pk")
    )
    count = late.count()
    rows = list(late[:LATE_REPLIES_SHOWN])
    for recommendation in rows:
        recommendation.days_late = (today - recommendation.reply_due_on).days
        recommendation.unit_url = _url(
            "recommendations:list", unit=recommendation.recipient_unit_id
        )
    return {"count": count, "rows": rows, "more": count - len(rows)}


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weekly_trend(user, today: datetime.date) -> list[dict]:
    """The last 12 ISO weeks (this one last): measures signed off, and measures that fell overdue.

    Signed off: measures with a transition to ``signed_off`` in the week (Shanghai dates).
    Fell overdue: not standing, the day after the current due date falls in the week (and is
    not after today), and not signed off by the due date. An extension moves the due date and
    so the week; history before it is not replayed.
    """
    first = _monday(today) - datetime.timedelta(weeks=TREND_WEEKS - 1)
    weeks = [first + datetime.timedelta(weeks=i) for i in range(TREND_WEEKS)]
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=SHANGHAI)
    end = datetime.datetime.combine(
        weeks[-1] + datetime.timedelta(days=7), datetime.time(), tzinfo=SHANGHAI
    )
    signed_by_day = (
        MeasureTransition.objects.restrict(user)
        .filter(to_status=Status.SIGNED_OFF, at__gte=start, at__lt=end)
        .annotate(day=TruncDate("at", tzinfo=SHANGHAI))
        .values("day")
        .annotate(n=Count("measure", distinct=True))
        .order_by()
    )
    last_due = today - datetime.timedelta(days=1)  # due yesterday: overdue from today on
    fell_overdue_by_due_date = (
        Measure.objects.restrict(user)
        .filter(
            is_standing=False,
            due_on__gte=first - datetime.timedelta(days=1),
            due_on__lte=last_due,
        )
        .filter(Q(signed_off_on__isnull=True) | Q(signed_off_on__gt=F("due_on")))
        .values("due_on")
        # COUNT(*), not of the id: read from measure_fell_overdue alone (an index-only scan).
        .annotate(n=Count("*"))
        .order_by()
    )
    signed = dict.fromkeys(weeks, 0)
    for row in signed_by_day:
        signed[_monday(row["day"])] += row["n"]
    overdue = dict.fromkeys(weeks, 0)
    for row in fell_overdue_by_due_date:
        overdue[_monday(row["due_on"] + datetime.timedelta(days=1))] += row["n"]
    trend = []
    for monday in weeks:
        sunday = monday + datetime.timedelta(days=6)
        year, week, _day = monday.isocalendar()
        due_from = monday - datetime.timedelta(days=1)
        due_to = min(sunday - datetime.timedelta(days=1), last_due)
        trend.append(
            {
                "label": f"{year}-W{week:02d}",  # the week's key (tests, data-week), not shown
                # People read a week by its Monday, e.g. 9月15日 ("Sep 15"), never "2026-W38".
                "shown": format_date(monday, _("M j")),
                "span": f"{format_date(monday, _('M j'))}–{format_date(sunday, _('M j'))}",
                "monday": monday,
                "sunday": sunday,
                "signed_off": signed[monday],
                "fell_overdue": overdue[monday],
                "signed_off_url": measures_url(
                    status=Status.SIGNED_OFF,
                    signed_off_after=monday.isoformat(),
                    signed_off_before=sunday.isoformat(),
                ),
                # Measures whose due date makes them fall overdue this week.
                "fell_overdue_url": measures_url(
                    due_after=due_from.isoformat(),
                    due_before=due_to.isoformat(),
                )
                if due_to >= due_from
                else "",
            }
        )
    return trend


# --- The page -----------------------------------------------------------------------------------


# --- Evaluation ranking (质效评估) ----------------------------------------------------------------


def _mean(total: int, count: int) -> Decimal:
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ranked(rows: list[dict]) -> list[dict]:
    """Best mean first (ties by name); equal means share a rank (1, 1, 3)."""
    rows.sort(key=lambda row: (-row["mean"], str(row["label"])))
    for index, row in enumerate(rows):
        same = index and rows[index - 1]["mean"] == row["mean"]
        row["rank"] = rows[index - 1]["rank"] if same else index + 1
    return rows


def evaluation_period(params, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """``evaluated_from`` and ``evaluated_to`` (YYYY-MM-DD) of the query, this calendar year when
    not given or not dates."""

    def day(name, default):
        try:
            return datetime.date.fromisoformat(params.get(name, ""))
        except ValueError:
            return default

    start = day("evaluated_from", datetime.date(today.year, 1, 1))
    end = day("evaluated_to", datetime.date(today.year, 12, 31))
    return (start, end) if start <= end else (end, start)


def evaluation_ranking(user, start: datetime.date, end: datetime.date) -> dict:
    """Units (the recipients of the letters) and sectors ranked by the mean score of the
    evaluations (written or on site) recorded from ``start`` to ``end``, in the user's
    jurisdiction; one query."""
    evaluations = Evaluation.objects.restrict(user).filter(evaluated_on__range=(start, end))
    unit = "recommendation__recipient_unit"
    totals = {"total": Sum("score"), "n": Count("pk"), "low": Min("score"), "high": Max("score")}
    rows = list(
        evaluations.values(unit, f"{unit}__name", f"{unit}__sector").annotate(**totals).order_by()
    )
    units = [
        {
            "pk": row[unit],
            "label": row[f"{unit}__name"],
            "sector": row[f"{unit}__sector"],
            "mean": _mean(row["total"], row["n"]),
            "count": row["n"],
            "low": row["low"],
            "high": row["high"],
        }
        for row in rows
    ]
    by_sector: dict[str, dict] = {}
    for row in rows:  # a sector's mean is over its evaluations, not over its units' means
        sector = by_sector.setdefault(row[f"{unit}__sector"], {"total": 0, "n": 0, "scores": []})
        sector["total"] += row["total"]
        sector["n"] += row["n"]
        sector["scores"] += [row["low"], row["high"]]
    labels = dict(Sector.choices)
    sectors = [
        {
            "sector": key,
            "label": labels.get(key, _("No sector")),
            "mean": _mean(sums["total"], sums["n"]),
            "count": sums["n"],
            "low": min(sums["scores"]),
            "high": max(sums["scores"]),
        }
        for key, sums in by_sector.items()
    ]
    return {"start": start, "end": end, "units": _ranked(units), "sectors": _ranked(sectors)}


def dashboard_data(
    user, today: datetime.date | None = None, *, period: tuple | None = None
) -> dict:
    """Everything the dashboard shows; ``period`` (start, end) bounds the evaluation ranking
    (this calendar year by default)."""
    today = today or shanghai_today()
    numbers = unit_numbers(user, today)
    total = Counts.sum_of(numbers)
    shown = unit_rows(numbers, limit=UNIT_ROWS_SHOWN)
    sectors = sector_rows(numbers)
    for row in [*shown, *sectors]:
        row["urls"] = row["counts"].urls(today)
    return {
        "today": today,
        "total": total,
        "total_urls": total.urls(today),
        "units": shown,
        "units_not_shown": len(numbers) - len(shown),
        "sectors": sectors,
        "aging": aging_buckets(numbers),
        "late": late_replies(user, today),
        "trend": weekly_trend(user, today),
        "rebounds": rebounds(user),
        "evaluations": evaluation_ranking(user, *(period or evaluation_period({}, today))),
        "reconciliations": reconciliations(user, today),
        "campaigns": campaigns(user),
    }


def _bars(rows, label) -> dict:
    """Stacked bars of open measures by colour, with each segment's drill-down URL."""
    series = {
        Signal.RED: ("overdue", _("Overdue")),
        Signal.YELLOW: ("due_soon", _("Due soon")),
        Signal.GREEN: ("on_schedule", _("On schedule")),
        Signal.BLUE: ("standing", _("Standing")),
    }
    return {
        "categories": [label(row) for row in rows],
        "series": [
            {
                "name": name,
                "color": COLOURS[signal],
                "data": [getattr(row["counts"], key) for row in rows],
                "urls": [row["urls"][key] if row.get("linked", True) else "" for row in rows],
            }
            for signal, (key, name) in series.items()
        ],
    }


def chart_data(data: dict) -> dict:
    return {
        "units": _bars(data["units"], lambda row: row["unit"]["name"]),
        "sectors": _bars(data["sectors"], lambda row: str(row["label"])),
        "aging": {
            "categories": [AGING_SHORT[bucket["key"]] for bucket in data["aging"]],
            "series": [
                {
                    "name": _("Overdue"),
                    "color": COLOURS[Signal.RED],
                    "data": [bucket["n"] for bucket in data["aging"]],
                    "urls": [bucket["url"] for bucket in data["aging"]],
                }
            ],
        },
        "trend": {
            "categories": [week["shown"] for week in data["trend"]],
            "series": [
                {
                    "name": _("Signed off"),
                    "color": COLOURS[Signal.GREEN],
                    "data": [week["signed_off"] for week in data["trend"]],
                    "urls": [week["signed_off_url"] for week in data["trend"]],
                },
                {
                    "name": _("Fell overdue"),
                    "color": COLOURS[Signal.RED],
                    "data": [week["fell_overdue"] for week in data["trend"]],
                    "urls": [week["fell_overdue_url"] for week in data["trend"]],
                },
            ],
        },
    }


@permission_required_or(403, "oversight.view_dashboard")
@require_GET
@reads_from_replica
def index(request):
    data = dashboard_data(request.user, period=evaluation_period(request.GET, shanghai_today()))
    context = {**data, "charts": chart_data(data), "from_replica": replica_configured()}
    return render(request, "dashboard/index.html", context)
