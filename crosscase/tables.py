"""The computed side of a cross-case analysis: its case set and every table over it.

Each figure is one aggregate query over the case set (a subquery of case ids), so the number of
queries a page or the API makes does not grow with the number of cases. The case set is resolved
at every reading: criteria through the case list's own ``CaseFilter``, hand-picked cases by id,
both inside the analysis's jurisdiction and the reader's (``restrict``).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import subtree_q
from cases.filters import CaseFilter
from cases.models import Case, CaseAnalysis, Problem, Subject, ViolationType
from recommendations.models import Recommendation
from reforms.models import Measure, ReboundFlag, overdue_q

from .models import CrossCaseAnalysis

# Amount bands (涉案金额, yuan): (code, label, lowest included, highest excluded).
WAN = Decimal(10_000)
AMOUNT_BANDS = (
    ("under_10w", _("Under 100,000 yuan"), None, 10 * WAN),
    ("10w_50w", _("100,000 to 500,000 yuan"), 10 * WAN, 50 * WAN),
    ("50w_100w", _("500,000 to 1 million yuan"), 50 * WAN, 100 * WAN),
    ("100w_1000w", _("1 million to 10 million yuan"), 100 * WAN, 1000 * WAN),
    ("over_1000w", _("10 million yuan and more"), 1000 * WAN, None),
)


def _jurisdiction_of(analysis: CrossCaseAnalysis) -> Q:
    """Cases whose unit is in the analysis's unit's jurisdiction (a group's posts too)."""
    unit = analysis.unit
    paths = [unit.path, *unit.posted_to.values_list("path", flat=True)]
    return reduce(or_, (subtree_q("case_unit", path) for path in paths))


def criteria_data(analysis: CrossCaseAnalysis) -> dict:
    """The analysis's criteria as the case list's filter takes them (its query string)."""
    data = {}
    if analysis.sector:
        data["sector"] = analysis.sector
    if analysis.case_unit_id:
        data["unit"] = str(analysis.case_unit_id)
    if analysis.violation_type_id:
        data["violation_type"] = str(analysis.violation_type_id)
    if analysis.opened_from:
        data["opened_after"] = analysis.opened_from.isoformat()
    if analysis.opened_to:
        data["opened_before"] = analysis.opened_to.isoformat()
    if analysis.typical_only:
        data["typical"] = "true"
    return data


def case_set(analysis: CrossCaseAnalysis, user):
    """The analysis's cases as ``user`` reads them now (a queryset, not evaluated; resolved once
    per analysis object and reader, so the tables share its few validation queries)."""
    resolved = analysis.__dict__.setdefault("_case_sets", {})
    if user.pk not in resolved:
        resolved[user.pk] = _resolve(analysis, user)
    return resolved[user.pk]


def _resolve(analysis: CrossCaseAnalysis, user):
    cases = Case.objects.restrict(user).filter(_jurisdiction_of(analysis))
    if analysis.by_hand:
        return cases.filter(pk__in=analysis.cases.values("pk"))
    case_filter = CaseFilter(
        criteria_data(analysis), queryset=cases, request=SimpleNamespace(user=user)
    )
    if not case_filter.is_valid():
        # A criterion the reader may not use (a unit outside their jurisdiction): nothing, never
        # the wider set a skipped filter would give.
        return Case.objects.none()
    cases = case_filter.qs
    if analysis.process_stage_id:
        stage = Problem.objects.filter(process_stage_id=analysis.process_stage_id)
        cases = cases.filter(pk__in=stage.values("case"))
    return cases


def _ids(analysis, user):
    return case_set(analysis, user).order_by().values("pk")


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def overview(analysis, user) -> dict:
    """One aggregate (cases, cadre levels, 一把手) and the amounts, summed here: they are sealed."""
    leaders = Subject.objects.filter(case=OuterRef("pk"), is_top_leader=True)
    aggregates = {
        "count": Count("pk"),
        "closed": Count("pk", filter=Q(status=Case.Status.CLOSED)),
        "top_leader": Count("pk", filter=Q(Exists(leaders))),
    }
    for code in Case.Level.values:
        aggregates[f"level_{code}"] = Count("pk", filter=Q(level=code))
    cases = Case.objects.filter(pk__in=_ids(analysis, user))
    figures = cases.aggregate(**aggregates)
    count = figures["count"]
    return {
        "count": count,
        "closed": figures["closed"],
        **_amounts(list(cases.values_list("amount", flat=True))),
        "top_leader": figures["top_leader"],
        "top_leader_rate": _rate(figures["top_leader"], count),
        "levels": [
            {"code": code, "label": label, "count": figures[f"level_{code}"]}
            for code, label in Case.Level.choices
        ],
    }


def _amounts(amounts: list[Decimal]) -> dict:
    """Total, mean, largest and the count in each band of the cases' amounts."""
    total = sum(amounts, Decimal("0.00"))
    return {
        "amount_total": total,
        "amount_mean": (total / len(amounts)).quantize(Decimal("0.01")) if amounts else None,
        "amount_max": max(amounts, default=None),
        "amount_bands": [
            {
                "code": code,
                "label": label,
                "count": sum(
                    1
                    for amount in amounts
                    if (low is None or amount >= low) and (high is None or amount < high)
                ),
            }
            for code, label, low, high in AMOUNT_BANDS
        ],
    }


def violation_types(analysis, user) -> list[dict]:
    """违纪违法类型: how many of the cases show each type, most frequent first."""
    rows = (
        ViolationType.objects.filter(cases__in=_ids(analysis, user))
        .values("pk", "name", "position")
        .annotate(count=Count("cases", distinct=True))
        .order_by("-count", "position", "name")
    )
    return [{"id": row["pk"], "name": row["name"], "count": row["count"]} for row in rows]


@dataclass
class Matrix:
    """Problems by category (rows) × process stage (columns), with totals.

    ``stages``: the columns, the stages where a problem sits, in the taxonomy's order (each
    with its ``total``);
    ``rows``: one per category, its ``cells`` (a count per column) and ``total``;
    ``column_totals`` and ``total``.
    """

    stages: list[dict]
    rows: list[dict]
    column_totals: list[int]
    total: int

    def as_dict(self) -> dict:
        return {
            "stages": self.stages,
            "rows": self.rows,
            "column_totals": self.column_totals,
            "total": self.total,
        }


def problem_matrix(analysis, user) -> Matrix:
    """问题分布: one grouped query; each cell is what ``cell_problems`` lists."""
    grouped = (
        Problem.objects.restrict(user)
        .filter(case__in=_ids(analysis, user))
        .values("category", "process_stage", "process_stage__name", "process_stage__position")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts, stages = {}, {}
    for row in grouped:
        counts[(row["category"], row["process_stage"])] = row["count"]
        stages[row["process_stage"]] = (row["process_stage__position"], row["process_stage__name"])
    columns = [
        {"id": pk, "name": name}
        for pk, (_position, name) in sorted(stages.items(), key=lambda item: (item[1], item[0]))
    ]
    rows = []
    for code, label in Problem.Category.choices:
        cells = [counts.get((code, column["id"]), 0) for column in columns]
        rows.append(
            {
                "category": code,
                "label": label,
                "cells": [
                    {"stage": column["id"], "count": count}
                    for column, count in zip(columns, cells, strict=True)
                ],
                "total": sum(cells),
            }
        )
    column_totals = [
        sum(counts.get((code, column["id"]), 0) for code in Problem.Category.values)
        for column in columns
    ]
    for column, total in zip(columns, column_totals, strict=True):
        column["total"] = total
    return Matrix(columns, rows, column_totals, sum(column_totals))


def cell_problems(analysis, user, *, category: str | None = None, stage: int | None = None):
    """The problems behind one figure of the matrix: a cell (both), a row's total (the
    category), a column's total (the stage) or the whole (neither), with their cases."""
    problems = Problem.objects.restrict(user).filter(case__in=_ids(analysis, user))
    if category:
        problems = problems.filter(category=category)
    if stage:
        problems = problems.filter(process_stage_id=stage)
    return problems.select_related("case", "process_stage", "unit").order_by(
        "-case__opened_on", "case_id", "pk"
    )


def case_analyses(analysis, user):
    """Each case's 案件剖析 (root causes and loopholes), newest case first: paginate it."""
    return (
        CaseAnalysis.objects.restrict(user)
        .filter(case__in=_ids(analysis, user))
        .select_related("case")
        .order_by("-case__opened_on", "-case_id")
    )


def cases_listed(analysis, user):
    """The case set with what a row of its list shows, newest first: paginate it."""
    return (
        case_set(analysis, user)
        .select_related("case_unit")
        .annotate(problem_count=Count("problems"))
        .order_by("-opened_on", "-pk")
    )


def rectification(analysis, user, today: datetime.date | None = None) -> dict:
    """整改情况: the letters citing the cases, and how their measures fared."""
    cited = Recommendation.cases.through.objects.filter(case__in=_ids(analysis, user))
    letters = Recommendation.objects.restrict(user).filter(pk__in=cited.values("recommendation"))
    measures = Measure.objects.restrict(user).filter(item__recommendation__in=letters.values("pk"))
    figures = measures.aggregate(
        total=Count("pk"),
        signed_off=Count("pk", filter=Q(status=Measure.Status.SIGNED_OFF)),
        overdue=Count("pk", filter=overdue_q(today)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
    )
    return {
        "recommendations": letters.count(),
        "measures": figures["total"],
        "signed_off": figures["signed_off"],
        "signoff_rate": _rate(figures["signed_off"], figures["total"]),
        "overdue": figures["overdue"],
        "reopened": figures["reopened"],
        "rebound_flags": ReboundFlag.objects.restrict(user)
        .filter(measure__in=measures.values("pk"))
        .count(),
    }


def tables(analysis, user, today: datetime.date | None = None) -> dict:
    """Every table of the analysis (the page, the report, the spreadsheet and the API)."""
    return {
        "overview": overview(analysis, user),
        "violation_types": violation_types(analysis, user),
        "matrix": problem_matrix(analysis, user),
        "rectification": rectification(analysis, user, today),
    }


def criteria_labels(analysis: CrossCaseAnalysis) -> list[tuple[str, str]]:
    """The selection in words: (what, value) for each criterion set, or the hand-picked count."""
    field = CrossCaseAnalysis._meta.get_field
    if analysis.by_hand:
        return [(str(field("mode").verbose_name), str(analysis.get_mode_display()))]
    shown = []
    if analysis.sector:
        shown.append((field("sector").verbose_name, analysis.get_sector_display()))
    if analysis.process_stage_id:
        shown.append((field("process_stage").verbose_name, analysis.process_stage.name))
    if analysis.violation_type_id:
        shown.append((field("violation_type").verbose_name, analysis.violation_type.name))
    if analysis.opened_from:
        shown.append((field("opened_from").verbose_name, analysis.opened_from.isoformat()))
    if analysis.opened_to:
        shown.append((field("opened_to").verbose_name, analysis.opened_to.isoformat()))
    if analysis.case_unit_id:
        shown.append((field("case_unit").verbose_name, analysis.case_unit.name))
    if analysis.typical_only:
        shown.append((field("typical_only").verbose_name, _("Yes")))
    return [(str(label), str(value)) for label, value in shown]
