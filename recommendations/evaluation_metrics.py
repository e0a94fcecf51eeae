"""The figures an evaluation panel reads next to its indicators, computed from the letter's data.

One function, ``figures(recommendation)``, answers every ``EvaluationIndicator.Metric`` for one
recommendation in a fixed number of queries (nine, whatever the letter's size): the panel scores,
the system only shows what the records say — how many measures were signed off on time, how
often sign-off was refused, how many extensions, how much evidence, what rebounded, and what the
letter produced (rules changed, activities held).

The figures are aggregates of the whole letter, read by whoever reads the session (counts carry
no case content).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q

from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUpMeasure,
    Measure,
    MeasureTransition,
    ReboundFlag,
    RuleChange,
)

from .models import EvaluationIndicator, Recommendation, RecommendationItem

Metric = EvaluationIndicator.Metric
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Figures:
    """What the records say about one letter; ``on_time_rate`` is None with no measure due."""

    items: int
    problems: int
    measures: int
    due_measures: int  # not standing: they have a deadline to meet
    signed_off: int
    signed_off_on_time: int
    returns: int
    extensions_requested: int
    extensions: int  # approved
    evidence: int
    rebounds: int
    rule_changes: int
    activities: int
    recurrences: int

    @property
    def on_time_rate(self) -> Decimal | None:
        """Measures with a deadline signed off by their current due date, in percent."""
        if not self.due_measures:
            return None
        rate = Decimal(100 * self.signed_off_on_time) / Decimal(self.due_measures)
        return rate.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)

    @property
    def evidence_per_measure(self) -> Decimal | None:
        if not self.measures:
            return None
        return (Decimal(self.evidence) / Decimal(self.measures)).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP
        )

    def value(self, metric: str):
        """The figure an indicator's ``metric`` names (None for an indicator without one)."""
        if not metric:
            return None
        return getattr(self, metric)

    def shown(self, metric: str) -> str:
        """The figure as the scoring page, the report and the spreadsheet print it."""
        if not metric:
            return ""
        value = self.value(metric)
        if value is None:
            return "—"
        if metric == Metric.ON_TIME_RATE:
            return f"{value}%（{self.signed_off_on_time}/{self.due_measures}）"
        if metric == Metric.EXTENSIONS:
            return f"{value}/{self.extensions_requested}"
        return str(value)

    def as_dict(self) -> dict:
        """Every metric by its key (the API's ``metrics``)."""
        return {metric: self.value(metric) for metric in Metric.values}


def figures(recommendation: Recommendation) -> Figures:
    """The letter's figures, in nine queries."""
    measures = Measure.objects.filter(item__recommendation=recommendation)
    counts = measures.aggregate(
        total=Count("pk"),
        due=Count("pk", filter=Q(is_standing=False)),
        signed_off=Count("pk", filter=Q(status=Measure.Status.SIGNED_OFF)),
        on_time=Count(
            "pk",
            filter=Q(
                is_standing=False,
                status=Measure.Status.SIGNED_OFF,
                signed_off_on__lte=F("due_on"),
            ),
        ),
    )
    items = RecommendationItem.objects.filter(recommendation=recommendation).aggregate(
        items=Count("pk", distinct=True), problems=Count("problems", distinct=True)
    )
    extensions = ExtensionRequest.objects.filter(measure__in=measures).aggregate(
        requested=Count("pk"),
        approved=Count("pk", filter=Q(status=ExtensionRequest.Status.APPROVED)),
    )
    outcome_of_letter = Q(recommendation=recommendation) | Q(
        measure__item__recommendation=recommendation
    )
    return Figures(
        items=items["items"],
        problems=items["problems"],
        measures=counts["total"],
        due_measures=counts["due"],
        signed_off=counts["signed_off"],
        signed_off_on_time=counts["on_time"],
        returns=MeasureTransition.objects.filter(
            measure__in=measures, to_status=Measure.Status.RETURNED
        ).count(),
        extensions_requested=extensions["requested"],
        extensions=extensions["approved"],
        evidence=Evidence.objects.filter(measure__in=measures).count(),
        rebounds=FollowUpMeasure.objects.filter(measure__in=measures).rebounded().count(),
        rule_changes=RuleChange.objects.filter(outcome_of_letter).distinct().count(),
        activities=Activity.objects.filter(recommendation=recommendation).count(),
        recurrences=ReboundFlag.objects.filter(measure__in=measures).count(),
    )
