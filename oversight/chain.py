"""The case-to-reform chain (以案促改 闭环): case → problem → item → measure → evidence → check.

One page traces every link and marks which are closed and which are still open, with what is
missing. The links counted in "N of M links closed" are:

- case → problem: the case has at least one problem identified;
- problem → item: the problem is cited by at least one recommendation item;
- item → measure: the item has at least one measure planned;
- measure → evidence: the measure has at least one evidence file;
- evidence → verification: the measure is signed off (销号).

Overdue is shown on the measure (``Measure.signal``, ``days_overdue``), not as a link of its own.
Unit officers see the recommendations issued to their unit without the confidential case: no
case node, only the cited problems' categories (their descriptions are case content), and no
problem links counted.

A letter may hold a thousand measures, so the page shows each item with its measures counted by
state and by colour (one aggregate query for all items, ``item_counts``), and an item's measures,
with their evidence and verification, come on demand a page at a time (``item_measures``, an
htmx fragment, or a page of its own without JavaScript). A case's hundreds of problems are
counted too, and only the few shown are fetched (``case_problems``, ``item_problems``: a window
per case and per item). Everything is prefetched or aggregated,
so a page runs the same number of queries whatever it holds.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Window,
)
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from accounts.confidentiality import can_read_case_content
from cases.models import Case, Problem
from core.domain import shanghai_today
from core.pages import paginate, scoped_object_or_404
from recommendations.models import Recommendation, RecommendationItem
from reforms.models import (
    Evidence,
    Measure,
    MeasureTransition,
    Signal,
    due_soon_q,
    open_q,
    overdue_q,
)

MeasureStatus = Measure.Status
VERIFICATIONS = [MeasureStatus.SIGNED_OFF, MeasureStatus.RETURNED]

# How an open node is drawn: red when something is late or missing, yellow when under way.
RED, YELLOW, GREEN, BLUE = Signal.RED, Signal.YELLOW, Signal.GREEN, Signal.BLUE
# An item's measures counted by state, in the order of their life; and by colour, worst first.
STATES = [
    MeasureStatus.NOT_STARTED,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.AWAITING_SIGNOFF,
    MeasureStatus.RETURNED,
    MeasureStatus.SIGNED_OFF,
]
COLOURS = [RED, YELLOW, BLUE, GREEN]
MEASURES_PER_PAGE = 25
# A real case exposes hundreds of problems (seed 000: 723): the chain shows a case's problems not
# yet cited first and up to this many in all, an item's first few, and links to the full lists.
CASE_PROBLEMS_SHOWN = 20
ITEM_PROBLEMS_SHOWN = 5


@dataclass
class Node:
    """One node of the chain: closed (green check) or open with what is missing."""

    obj: object
    closed: bool
    colour: str = GREEN
    missing: list = field(default_factory=list)
    children: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


# --- Prefetches -----------------------------------------------------------------------------------


def _measures(user):
    return (
        Measure.objects.restrict(user)
        .order_by("pk")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.restrict(user).select_related("uploaded_by"),
            ),
            Prefetch(
                "transitions",
                queryset=MeasureTransition.objects.restrict(user)
                .filter(to_status__in=VERIFICATIONS)
                .select_related("actor")
                .order_by("at", "pk"),
                to_attr="verifications",
            ),
        )
    )


def recommendation_prefetches(user, *, with_cases: bool) -> list:
    """What the chain of a recommendation needs; ``with_cases`` adds its cases (readers only).
    The problems come apart (``case_problems``, ``item_problems``): a real case has hundreds."""
    items = RecommendationItem.objects.restrict(user).order_by("number")
    prefetches = [Prefetch("items", queryset=items)]
    if with_cases and can_read_case_content(user):
        cases = Case.objects.restrict(user).order_by("number")
        prefetches.append(Prefetch("cases", queryset=cases))
    return prefetches


def _cited(user, case_ids: list[int]) -> Q:
    """The cases' problems cited by an item in ``user``'s scope: one semi-join (a per-problem
    EXISTS costs a probe of every item's scope for each of hundreds of problems)."""
    citations = RecommendationItem.problems.through.objects.filter(
        recommendationitem__in=RecommendationItem.objects.restrict(user),
        problem__case__in=case_ids,
    )
    return Q(pk__in=citations.values("problem_id"))


def case_problems(user, case_ids: list[int]) -> dict[int, dict]:
    """Each case's problems counted (all, cited by an item) and the first ``CASE_PROBLEMS_SHOWN``
    of them, not yet cited first, with the items citing them: two queries and a prefetch
    whatever the cases hold. ``{case_id: {"total": …, "cited": …, "shown": [Problem…]}}``."""
    problems = Problem.objects.restrict(user).filter(case__in=case_ids)
    cited = _cited(user, case_ids)
    figures = {
        row["case"]: {"total": row["total"], "cited": row["cited"], "shown": []}
        for row in problems.order_by()
        .values("case")
        .annotate(total=Count("pk"), cited=Count("pk", filter=cited))
    }
    shown = (
        problems.annotate(
            is_cited=ExpressionWrapper(cited, output_field=BooleanField()),
            rank=Window(RowNumber(), partition_by=F("case"), order_by=["is_cited", "pk"]),
        )
        .filter(rank__lte=CASE_PROBLEMS_SHOWN)
        .select_related("process_stage")
        .prefetch_related(
            Prefetch(
                "recommendation_items",
                queryset=RecommendationItem.objects.restrict(user)
                .select_related("recommendation")
                .order_by("recommendation_id", "number"),
            )
        )
        .order_by("case", "rank")
    )
    for problem in shown:
        figures[problem.case_id]["shown"].append(problem)
    return figures


def item_problems(user, item_ids: list[int]) -> dict[int, dict]:
    """Each item's cited problems counted and the first ``ITEM_PROBLEMS_SHOWN`` of them:
    ``{item_id: {"total": …, "shown": [Problem…]}}``. Readers of case content see the problems in
    their scope; an officer sees only the categories of the problems their letter cites."""
    citations = RecommendationItem.problems.through.objects.filter(recommendationitem__in=item_ids)
    related = ["problem"]
    if can_read_case_content(user):
        citations = citations.filter(problem__in=Problem.objects.restrict(user))
        related += ["problem__case", "problem__process_stage"]
    figures = {
        row["recommendationitem"]: {"total": row["total"], "shown": []}
        for row in citations.order_by().values("recommendationitem").annotate(total=Count("pk"))
    }
    first = (
        citations.annotate(
            rank=Window(RowNumber(), partition_by=F("recommendationitem"), order_by="problem_id")
        )
        .filter(rank__lte=ITEM_PROBLEMS_SHOWN)
        .select_related(*related)
        .order_by("recommendationitem", "rank")
    )
    for citation in first:
        figures[citation.recommendationitem_id]["shown"].append(citation.problem)
    return figures


def item_counts(user, recommendations, today: datetime.date) -> dict[int, dict]:
    """The measures of the recommendations' items counted by state and by colour (the rules of
    ``Measure.signal``: ``overdue_q``, ``due_soon_q``), with evidence, in one query:
    ``{item_id: {"total": …, "evidenced": …, "red": …, "signed_off": …}}``."""
    with_evidence = Exists(Evidence.objects.restrict(user).filter(measure=OuterRef("pk")))
    rows = (
        Measure.objects.restrict(user)
        .filter(item__recommendation__in=recommendations)
        .order_by()
        .values("item")
        .annotate(
            total=Count("pk"),
            evidenced=Count("pk", filter=with_evidence),
            red=Count("pk", filter=overdue_q(today)),
            yellow=Count("pk", filter=due_soon_q(today)),
            blue=Count("pk", filter=open_q() & Q(is_standing=True)),
            **{state: Count("pk", filter=Q(status=state)) for state in STATES},
        )
    )
    counts = {}
    for row in rows:
        row["green"] = row["total"] - row["red"] - row["yellow"] - row["blue"]
        counts[row.pop("item")] = row
    return counts


# --- Building the chain ---------------------------------------------------------------------------


def _problem_node(problem) -> Node:
    cited_by = list(problem.recommendation_items.all())
    node = Node(problem, closed=bool(cited_by), extra={"cited_by": cited_by})
    if not cited_by:
        node.colour = RED
        node.missing.append(_("Not cited by any recommendation item"))
    return node


def case_node(case, problems: dict | None) -> Node:
    """A case with its problems counted (``case_problems``) and the first few shown."""
    problems = problems or {"total": 0, "cited": 0, "shown": []}
    node = Node(case, closed=bool(problems["total"]), extra=dict(problems))
    node.extra["shown"] = [_problem_node(problem) for problem in problems["shown"]]
    node.extra["more"] = problems["total"] - len(problems["shown"])
    if not problems["total"]:
        node.colour = RED
        node.missing.append(_("No problems identified"))
    return node


def _verification_node(measure) -> Node:
    history = measure.verifications
    if measure.status == MeasureStatus.SIGNED_OFF:
        return Node(history[-1] if history else None, closed=True, extra={"history": history})
    node = Node(None, closed=False, extra={"history": history})
    if measure.status == MeasureStatus.AWAITING_SIGNOFF:
        node.colour = YELLOW
        node.missing.append(_("Awaiting verification"))
    elif measure.status == MeasureStatus.RETURNED:
        node.colour = RED
        node.obj = history[-1] if history else None
        node.missing.append(_("Returned; not yet requested again"))
    else:
        node.colour = YELLOW
        node.missing.append(_("Sign-off not yet requested"))
    return node


def measure_node(measure, today: datetime.date) -> Node:
    files = list(measure.evidence.all())
    evidence = Node(files, closed=bool(files))
    if not files:
        evidence.colour = RED if measure.status != MeasureStatus.NOT_STARTED else YELLOW
        evidence.missing.append(_("No evidence uploaded"))
    verification = _verification_node(measure)
    signal = measure.signal(today=today)
    days = measure.days_overdue(today=today)
    node = Node(
        measure,
        closed=verification.closed,
        colour=GREEN if verification.closed else (RED if days else YELLOW),
        children=[evidence, verification],
        extra={"signal": signal, "days_overdue": days},
    )
    if not files:
        node.missing.append(_("no evidence"))
    if not verification.closed:
        node.missing.append(
            _("not signed off (%(status)s)") % {"status": measure.get_status_display()}
        )
    if days:
        node.missing.append(
            ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days}
        )
    return node


def item_node(item, counts: dict | None, problems: dict | None) -> Node:
    """An item with its measures counted (``item_counts``) and its problems' first few
    (``item_problems``); the measures come on demand."""
    counts = counts or {"total": 0, "evidenced": 0, MeasureStatus.SIGNED_OFF: 0}
    problems = problems or {"total": 0, "shown": []}
    total = counts["total"]
    node = Node(item, closed=bool(total), extra={"counts": counts})
    node.extra["problems_shown"] = problems["shown"]
    node.extra["more_problems"] = problems["total"] - len(problems["shown"])
    node.extra["all_done"] = bool(total) and counts[MeasureStatus.SIGNED_OFF] == total
    node.extra["by_colour"] = [
        (Signal(colour), counts[colour], counts[colour] * 100 / total)
        for colour in COLOURS
        if counts.get(colour)
    ]
    node.extra["by_state"] = [
        (MeasureStatus(state), counts[state]) for state in STATES if counts.get(state)
    ]
    node.extra["without_evidence"] = total - counts["evidenced"]
    if not total:
        node.colour = RED
        node.missing.append(_("No measures planned"))
    if not problems["total"]:
        node.extra["warning"] = _("Cites no problem")
    return node


def recommendation_node(recommendation, counts: dict[int, dict], problems: dict[int, dict]) -> Node:
    items = [
        item_node(item, counts.get(item.pk), problems.get(item.pk))
        for item in recommendation.items.all()
    ]
    node = Node(recommendation, closed=bool(items), children=items)
    if not items:
        node.colour = RED
        node.missing.append(_("No items"))
    return node


def summarise(cases: list[Node], recommendations: list[Node]) -> dict:
    """Every link of the chain, closed or not: ``{"closed": N, "total": M, "percent": …}``."""
    closed = total = 0
    for case in cases:
        # The case's own link, then each problem's link to an item.
        closed += case.closed + case.extra["cited"]
        total += 1 + case.extra["total"]
    for recommendation in recommendations:
        for item in recommendation.children:
            counts = item.extra["counts"]
            # The item's own link, then each measure's evidence and verification links.
            closed += item.closed + counts["evidenced"] + counts[MeasureStatus.SIGNED_OFF]
            total += 1 + 2 * counts["total"]
    return {
        "closed": closed,
        "total": total,
        "open": total - closed,
        "percent": round(closed * 100 / total) if total else 100,
    }


def _recommendation_nodes(user, recommendations: list, today: datetime.date) -> list[Node]:
    counts = item_counts(user, [r.pk for r in recommendations], today)
    problems = item_problems(user, [item.pk for r in recommendations for item in r.items.all()])
    return [recommendation_node(r, counts, problems) for r in recommendations]


def _case_nodes(user, cases: list) -> list[Node]:
    problems = case_problems(user, [case.pk for case in cases])
    return [case_node(case, problems.get(case.pk)) for case in cases]


def chain_for_recommendation(recommendation, user, today: datetime.date | None = None) -> dict:
    today = today or shanghai_today()
    with_cases = can_read_case_content(user)
    cases = _case_nodes(user, list(recommendation.cases.all())) if with_cases else []
    recommendations = _recommendation_nodes(user, [recommendation], today)
    return {
        "cases": cases,
        "recommendations": recommendations,
        "summary": summarise(cases, recommendations),
        "with_cases": with_cases,
        "on_page": {recommendation.pk},
        "today": today,
    }


def chain_for_case(case, user, today: datetime.date | None = None) -> dict:
    today = today or shanghai_today()
    recommendations = _recommendation_nodes(user, case.chain_recommendations, today)
    cases = _case_nodes(user, [case])
    return {
        "cases": cases,
        "recommendations": recommendations,
        "summary": summarise(cases, recommendations),
        "with_cases": True,
        "on_page": {node.obj.pk for node in recommendations},
        "today": today,
    }


# --- Views ---------------------------------------------------------------------------------------


@login_required
@require_GET
def recommendation_chain(request, pk):
    user = request.user
    queryset = Recommendation.objects.select_related("recipient_unit", "issuer").prefetch_related(
        *recommendation_prefetches(user, with_cases=can_read_case_content(user))
    )
    recommendation = scoped_object_or_404(queryset, user, pk=pk)
    context = chain_for_recommendation(recommendation, user)
    return render(
        request,
        "chain/chain.html",
        {**context, "subject": recommendation, "kind": "recommendation"},
    )


@login_required
@require_GET
def case_chain(request, pk):
    user = request.user
    queryset = Case.objects.prefetch_related(
        Prefetch(
            "recommendations",
            queryset=Recommendation.objects.restrict(user)
            .select_related("recipient_unit", "issuer")
            .prefetch_related(*recommendation_prefetches(user, with_cases=False))
            .order_by(F("issued_on").asc(nulls_last=True), "pk"),
            to_attr="chain_recommendations",
        )
    )
    case = scoped_object_or_404(queryset, user, pk=pk)
    context = chain_for_case(case, user)
    return render(request, "chain/chain.html", {**context, "subject": case, "kind": "case"})


@login_required
@require_GET
def item_measures(request, pk):
    """One page of an item's measures with their evidence and verification: the htmx fragment
    the chain opens under the item, or a page of its own for a browser without JavaScript.
    ``?show=open`` keeps the measures not yet signed off."""
    user = request.user
    item = scoped_object_or_404(
        RecommendationItem.objects.select_related("recommendation"), user, pk=pk
    )
    measures = _measures(user).filter(item=item)
    only_open = request.GET.get("show") == "open"
    if only_open:
        measures = measures.open()
    page = paginate(request, measures, per_page=MEASURES_PER_PAGE)
    today = shanghai_today()
    context = {
        "item": item,
        "page_obj": page,
        "page_range": list(
            page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
        ),
        "nodes": [measure_node(measure, today) for measure in page],
        "only_open": only_open,
        "fragment_url": reverse("chain:item_measures", args=[item.pk]),
    }
    if request.htmx:
        return render(request, "chain/_item_measures.html", context)
    return render(request, "chain/item_measures.html", context)
