"""成效统计: what the rectification of a scope produced, counted the way the lists count it.

A scope (``oversight.filters.StatisticsScope``) is any mix of a unit with its subunits
(``unit``), a sector (``sector``), one letter (``recommendation``) and a period
(``period_after``, ``period_before``: from, to, both days included). Each figure is taken from
the model's own FilterSet with the scope's parameters over ``restrict(user)``, and carries the
address of the list that shows exactly its rows — the API's lists for the API, the pages' lists
for the statistics page (``link``) — so a number and the list behind it can never disagree.

Which date puts a record in the period (each list's ``period_after``/``period_before``):

- cases: the day opened (立案, ``Case.opened_on``);
- problems: the day recorded (``Problem.created_at``, Beijing date);
- letters: the date of issue (发文日期, ``Recommendation.issued_on``; drafts are in no period);
- items and measures: their letter's date of issue — a period's measures are those answering
  the letters issued in it, whenever they were written; their states and colours are today's;
- extension requests: the day requested (``requested_at``, Beijing date);
- rule changes (立改废释): the effective date, or the day recorded when it has none;
- activities: the day held (``Activity.held_on``);
- negative lists (负面清单): the day published (``NegativeList.published_on``; drafts are in no
  figure, a list withdrawn since is), a letter's being those written as a measure of its items;
- rebounds (整改反弹): measures a follow-up review reopened, as measures (their letter's date of
  issue); possible rebounds, the day the new problem was flagged (``ReboundFlag.flagged_at``).

A scope of units alone (a unit's subtree, a sector) reads the measures', the items' and the
problems' figures from the counts kept by database triggers (``reforms/tally.py``,
``recommendations.ItemTally``, ``cases.ProblemTally``); any other scope counts the rows.

A sector is the unit's sector (the recipient unit for letters and items, the measure's unit for
extension requests), except for cases, which carry their own (``Case.sector``).
"""

from collections import Counter

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import OrgUnit
from accounts.scoping import subtree_q
from cases.filters import CaseFilter, ProblemFilter
from cases.models import Case, Problem, ProblemTally, ProcessStage
from core.domain import shanghai_today
from core.pages import with_query
from negativelists.filters import NegativeListFilter
from negativelists.models import NegativeList
from recommendations.filters import RecommendationFilter, RecommendationItemFilter
from recommendations.models import ItemTally, Recommendation, RecommendationItem
from reforms import tally
from reforms.filters import (
    ActivityFilter,
    ExtensionRequestFilter,
    MeasureFilter,
    ReboundFlagFilter,
    RuleChangeFilter,
)
from reforms.models import (
    Activity,
    ExtensionRequest,
    Measure,
    ReboundFlag,
    RuleChange,
    Signal,
)


def api_link(name: str, params: dict) -> str | None:
    """The API list of the records named ``name`` (its router basename) with ``params``."""
    if name == "item":  # a letter's items are read with the letter: no list of their own
        return None
    return with_query(reverse(f"api:{name}-list"), params)


def _rows(filterset_class, model, scope: dict, request):
    """The model's rows in the scope, exactly as its list filters them."""
    queryset = model.objects.restrict(request.user)
    return filterset_class(scope, queryset=queryset, request=request).qs


def _by_choice(rows, field: str, choices, list_name: str, scope: dict, link, **sums) -> list[dict]:
    counted = {
        row[field]: row
        for row in rows.order_by().values(field).annotate(count=Count("pk", distinct=True), **sums)
    }
    return [
        {
            "key": str(value),
            "label": str(label),
            "count": counted.get(value, {}).get("count", 0),
            "url": link(list_name, {**scope, field: value}),
            **{name: counted.get(value, {}).get(name) or 0 for name in sums},
        }
        for value, label in choices
    ]


# A scope of units alone is counted from the tallies kept by triggers: the measures'
# (``reforms/tally.py``, when current), the items' (``recommendations.ItemTally``) and the
# problems' (``cases.ProblemTally``).
UNIT_SCOPE = frozenset({"unit", "sector"})


def _units_of(scope: dict) -> Q:
    """The scope's units (``UNIT_SCOPE``) as a condition on a tally's ``unit``."""
    where = Q()
    if "unit" in scope:
        where &= subtree_q("unit", OrgUnit.objects.get(pk=scope["unit"]).path)
    if "sector" in scope:
        where &= Q(unit__sector=scope["sector"])
    return where


def _problem_groups(scope: dict, request):
    """How many problems of the scope are in each (category, stage) group."""
    if scope.keys() <= UNIT_SCOPE:
        kept = ProblemTally.objects.restrict(request.user).filter(_units_of(scope))
        return kept.order_by().values("category", "process_stage").annotate(count=Sum("n"))
    rows = _rows(ProblemFilter, Problem, scope, request)
    # Distinct when the scope's joins repeat rows.
    return (
        rows.order_by()
        .values("category", "process_stage")
        .annotate(count=Count("pk", distinct=rows.query.distinct))
    )


def _problems(scope: dict, request, link) -> dict:
    # One pass: each problem is in one (category, stage) group, so the groups' counts add up to
    # the total and to each category's and stage's.
    groups = list(_problem_groups(scope, request))
    by_category, by_stage = Counter(), Counter()
    for group in groups:
        by_category[group["category"]] += group["count"]
        by_stage[group["process_stage"]] += group["count"]
    return {
        "total": by_category.total(),
        "url": link("problem", scope),
        "by_category": [
            {
                "key": str(category),
                "label": str(label),
                "count": by_category[category],
                "url": link("problem", {**scope, "category": category}),
            }
            for category, label in Problem.Category.choices
        ],
        "by_stage": [
            {
                "key": str(stage.pk),
                "label": stage.name,
                "count": by_stage[stage.pk],
                "url": link("problem", {**scope, "process_stage": stage.pk}),
            }
            for stage in ProcessStage.objects.all()
        ],
    }


def _measure_numbers(scope: dict, request, today) -> tally.Source:
    if scope.keys() <= UNIT_SCOPE:
        return tally.source(request.user, today, _units_of(scope))
    return tally.counted(_rows(MeasureFilter, Measure, scope, request), today)


def _item_count(scope: dict, request) -> int:
    if scope.keys() <= UNIT_SCOPE:
        kept = ItemTally.objects.restrict(request.user).filter(_units_of(scope))
        return kept.aggregate(n=Coalesce(Sum("n"), 0))["n"]
    return _rows(RecommendationItemFilter, RecommendationItem, scope, request).count()


def _measures(scope: dict, request, link) -> dict:
    today = shanghai_today()
    numbers = _measure_numbers(scope, request, today)
    due_by_today = {"due_before": today.isoformat()}
    totals, by_status = numbers.by_status()
    signals = {
        Signal.RED: totals["overdue"],
        Signal.YELLOW: totals["due_soon"],
        Signal.BLUE: totals["standing"],
    }
    # Green is the rest: signed off, or open and on schedule.
    signals[Signal.GREEN] = totals["total"] - sum(signals.values())
    return {
        "total": totals["total"],
        "url": link("measure", scope),
        "by_status": [
            {
                "key": str(status),
                "label": str(label),
                "count": by_status.get(status, 0),
                "url": link("measure", {**scope, "status": status}),
            }
            for status, label in Measure.Status.choices
        ],
        "by_signal": [
            {
                "key": str(signal),
                "label": str(signal.label),
                "count": signals[signal],
                "url": link("measure", {**scope, "signal": signal}),
            }
            for signal in Signal
        ],
        "signoff_rate": totals["due_signed"] / totals["due"] if totals["due"] else None,
        # The rate's denominator (not standing, due by today) and numerator (… signed off).
        "due": {
            "count": totals["due"],
            "url": link("measure", {**scope, **due_by_today}),
        },
        "due_signed": {
            "count": totals["due_signed"],
            "url": link("measure", {**scope, **due_by_today, "status": Measure.Status.SIGNED_OFF}),
        },
    }


def _rebounds(scope: dict, request, link) -> dict:
    """Rebounds in the scope: measures reopened by a follow-up review, and possible rebounds."""
    reopened_scope = {**scope, "reopened": "true"}
    reopened = _rows(MeasureFilter, Measure, reopened_scope, request)
    flagged = _rows(ReboundFlagFilter, ReboundFlag, scope, request)
    return {
        "reopened": {"count": reopened.count(), "url": link("measure", reopened_scope)},
        "flagged": {"count": flagged.count(), "url": link("reboundflag", scope)},
    }


# The negative lists counted: those published at some time (NegativeListFilter.published).
PUBLISHED_LISTS = {"published": "yes"}
# A published list is in force or, replaced or no longer applying, withdrawn.
PUBLISHED_STATUSES = [
    (NegativeList.Status.PUBLISHED.value, gettext_lazy("In force")),
    (NegativeList.Status.WITHDRAWN.value, NegativeList.Status.WITHDRAWN.label),
]


def _negative_lists(scope: dict, request, link) -> dict:
    published = scope | PUBLISHED_LISTS
    lists = _rows(NegativeListFilter, NegativeList, published, request)
    return {
        "total": lists.count(),
        "url": link("negativelist", published),
        "by_tier": _by_choice(
            lists, "tier", NegativeList.Tier.choices, "negativelist", published, link
        ),
        "by_status": _by_choice(
            lists, "status", PUBLISHED_STATUSES, "negativelist", published, link
        ),
    }


def outcome_statistics(request, scope: dict, link=api_link) -> dict:
    """The figures of ``scope`` (``StatisticsScope.chosen``: ids and ISO dates by name), each
    with ``link(list name, params)``: the address of the list of its rows (``api_link``)."""
    cases = _rows(CaseFilter, Case, scope, request)
    letter_scope = {key: value for key, value in scope.items() if key != "recommendation"}
    letters = _rows(RecommendationFilter, Recommendation, letter_scope, request)
    if scope.get("recommendation"):
        letters = letters.filter(pk=scope["recommendation"])
    extensions = _rows(ExtensionRequestFilter, ExtensionRequest, scope, request)
    rule_changes = _rows(RuleChangeFilter, RuleChange, scope, request)
    activities = _rows(ActivityFilter, Activity, scope, request)
    return {
        "cases": {"total": cases.count(), "url": link("case", scope)},
        "problems": _problems(scope, request, link),
        "recommendations": {
            "total": letters.count(),
            # One letter is its own scope: no list to show it among others.
            "url": None if scope.get("recommendation") else link("recommendation", letter_scope),
        },
        "items": {"total": _item_count(scope, request), "url": link("item", scope)},
        "measures": _measures(scope, request, link),
        "rebounds": _rebounds(scope, request, link),
        "extensions": {
            "total": extensions.count(),
            "url": link("extensionrequest", scope),
            "by_status": _by_choice(
                extensions,
                "status",
                ExtensionRequest.Status.choices,
                "extensionrequest",
                scope,
                link,
            ),
        },
        "rule_changes": {
            "total": rule_changes.count(),
            "url": link("rulechange", scope),
            "by_kind": _by_choice(
                rule_changes, "kind", RuleChange.Kind.choices, "rulechange", scope, link
            ),
        },
        "activities": {
            "total": activities.count(),
            "participants": activities.aggregate(n=Sum("participant_count"))["n"] or 0,
            "url": link("activity", scope),
            "by_kind": _by_choice(
                activities,
                "kind",
                Activity.Kind.choices,
                "activity",
                scope,
                link,
                participants=Sum("participant_count"),
            ),
        },
        "negative_lists": _negative_lists(scope, request, link),
    }
