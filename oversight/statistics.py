"""成效统计: what the rectification of a scope produced, counted the way the lists count it.

A scope is a unit with its subunits, one letter, or both (``unit``, ``recommendation``). Each
figure is taken from the model's own FilterSet with the scope's parameters over
``restrict(user)``, and carries the address of the API list that shows exactly its rows, so a
number and the list behind it can never disagree.
"""

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.http import urlencode

from cases.filters import CaseFilter, ProblemFilter
from cases.models import Case, Problem, ProcessStage
from core.domain import shanghai_today
from recommendations.filters import RecommendationFilter
from recommendations.models import Recommendation, RecommendationItem
from reforms.filters import ActivityFilter, ExtensionRequestFilter, MeasureFilter, RuleChangeFilter
from reforms.models import (
    Activity,
    ExtensionRequest,
    Measure,
    RuleChange,
    Signal,
    due_soon_q,
    open_q,
    overdue_q,
)


def _list_url(name: str, scope: dict, **more) -> str:
    params = {key: value for key, value in {**scope, **more}.items() if value not in (None, "")}
    base = reverse(f"api:{name}-list")
    return f"{base}?{urlencode(params)}" if params else base


def _rows(filterset_class, model, scope: dict, request):
    """The model's rows in the scope, exactly as its list filters them."""
    queryset = model.objects.restrict(request.user)
    return filterset_class(scope, queryset=queryset, request=request).qs


def _by_choice(rows, field: str, choices, list_name: str, scope: dict, **sums) -> list[dict]:
    counted = {
        row[field]: row
        for row in rows.order_by().values(field).annotate(count=Count("pk", distinct=True), **sums)
    }
    return [
        {
            "key": str(value),
            "label": str(label),
            "count": counted.get(value, {}).get("count", 0),
            "url": _list_url(list_name, scope, **{field: value}),
            **{name: counted.get(value, {}).get(name) or 0 for name in sums},
        }
        for value, label in choices
    ]


def _problems(scope: dict, request) -> dict:
    rows = _rows(ProblemFilter, Problem, scope, request)
    by_stage = {
        row["process_stage"]: row["count"]
        for row in rows.order_by()
        .values("process_stage")
        .annotate(count=Count("pk", distinct=True))
    }
    return {
        "total": rows.count(),
        "url": _list_url("problem", scope),
        "by_category": _by_choice(rows, "category", Problem.Category.choices, "problem", scope),
        "by_stage": [
            {
                "key": str(stage.pk),
                "label": stage.name,
                "count": by_stage.get(stage.pk, 0),
                "url": _list_url("problem", scope, process_stage=stage.pk),
            }
            for stage in ProcessStage.objects.all()
        ],
    }


def _measures(scope: dict, request) -> dict:
    rows = _rows(MeasureFilter, Measure, scope, request)
    today = shanghai_today()
    due = Q(is_standing=False, due_on__lte=today)
    totals = rows.aggregate(
        total=Count("pk"),
        due=Count("pk", filter=due),
        due_signed=Count("pk", filter=due & Q(status=Measure.Status.SIGNED_OFF)),
        red=Count("pk", filter=overdue_q(today)),
        yellow=Count("pk", filter=due_soon_q(today)),
        blue=Count("pk", filter=open_q() & Q(is_standing=True)),
        open=Count("pk", filter=open_q()),
    )
    signals = {
        Signal.RED: totals["red"],
        Signal.YELLOW: totals["yellow"],
        Signal.BLUE: totals["blue"],
        # Green is the rest: signed off, or open and on schedule.
        Signal.GREEN: totals["total"] - totals["red"] - totals["yellow"] - totals["blue"],
    }
    return {
        "total": totals["total"],
        "url": _list_url("measure", scope),
        "by_status": _by_choice(rows, "status", Measure.Status.choices, "measure", scope),
        "by_signal": [
            {
                "key": str(signal),
                "label": str(signal.label),
                "count": signals[signal],
                "url": _list_url("measure", scope, signal=signal),
            }
            for signal in Signal
        ],
        "signoff_rate": totals["due_signed"] / totals["due"] if totals["due"] else None,
    }


def outcome_statistics(request, scope: dict) -> dict:
    """The figures of ``scope`` (``{"unit": id, "recommendation": id}``, either or both)."""
    cases = _rows(CaseFilter, Case, scope, request)
    letters = _rows(RecommendationFilter, Recommendation, {"unit": scope.get("unit")}, request)
    if scope.get("recommendation"):
        letters = letters.filter(pk=scope["recommendation"])
    items = RecommendationItem.objects.restrict(request.user).filter(recommendation__in=letters)
    extensions = _rows(ExtensionRequestFilter, ExtensionRequest, scope, request)
    rule_changes = _rows(RuleChangeFilter, RuleChange, scope, request)
    activities = _rows(ActivityFilter, Activity, scope, request)
    return {
        "cases": {"total": cases.count(), "url": _list_url("case", scope)},
        "problems": _problems(scope, request),
        "recommendations": {
            "total": letters.count(),
            # One letter is its own scope: no list to show it among others.
            "url": None
            if scope.get("recommendation")
            else _list_url("recommendation", {"unit": scope.get("unit")}),
        },
        "items": {"total": items.count()},
        "measures": _measures(scope, request),
        "extensions": {
            "total": extensions.count(),
            "url": _list_url("extensionrequest", scope),
            "by_status": _by_choice(
                extensions,
                "status",
                ExtensionRequest.Status.choices,
                "extensionrequest",
                scope,
            ),
        },
        "rule_changes": {
            "total": rule_changes.count(),
            "url": _list_url("rulechange", scope),
            "by_kind": _by_choice(
                rule_changes, "kind", RuleChange.Kind.choices, "rulechange", scope
            ),
        },
        "activities": {
            "total": activities.count(),
            "participants": activities.aggregate(n=Sum("participant_count"))["n"] or 0,
            "url": _list_url("activity", scope),
            "by_kind": _by_choice(
                activities,
                "kind",
                Activity.Kind.choices,
                "activity",
                scope,
                participants=Sum("participant_count"),
            ),
        },
    }
