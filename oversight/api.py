"""成效统计 over the API: the figures of a scope, each with the address of the list behind it."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response

from accounts.models import Sector
from core.api import ERROR_RESPONSES, REFUSED_BY_A_RULE, TextField
from core.db import reads_from_replica
from core.domain import DomainError, shanghai_today
from core.filters import ID_SCHEMA, refuse_blank_values

from .dashboard import evaluation_period, evaluation_ranking
from .filters import StatisticsScope
from .statistics import outcome_statistics


class CountSerializer(serializers.Serializer):
    key = TextField(help_text=_("The value the list filters by."))
    label = TextField()
    count = serializers.IntegerField()
    url = TextField(help_text=_("The API list of exactly these records."))


class ActivityCountSerializer(CountSerializer):
    participants = serializers.IntegerField()


class TotalSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    url = TextField()


class ProblemFiguresSerializer(TotalSerializer):
    by_category = CountSerializer(many=True)
    by_stage = CountSerializer(many=True)


class ItemFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    url = TextField(allow_null=True, help_text=_("Null: items are read with their letter."))


class LinkedCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    url = TextField(help_text=_("The API list of exactly these records."))


class MeasureFiguresSerializer(TotalSerializer):
    by_status = CountSerializer(many=True)
    by_signal = CountSerializer(many=True)
    signoff_rate = serializers.FloatField(
        allow_null=True,
        help_text=_("Signed off among the measures due by today (not standing); null if none."),
    )
    due = LinkedCountSerializer(help_text=_("Measures due by today, not standing."))
    due_signed = LinkedCountSerializer(help_text=_("… of which signed off."))


class ExtensionFiguresSerializer(TotalSerializer):
    by_status = CountSerializer(many=True)


class RuleChangeFiguresSerializer(TotalSerializer):
    by_kind = CountSerializer(many=True)


class ActivityFiguresSerializer(TotalSerializer):
    participants = serializers.IntegerField()
    by_kind = ActivityCountSerializer(many=True)


class NegativeListFiguresSerializer(TotalSerializer):
    by_tier = CountSerializer(many=True)
    by_status = CountSerializer(many=True, help_text=_("In force, or withdrawn since."))


class LetterFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    url = TextField(allow_null=True, help_text=_("Null when the scope is one letter."))


class ReboundFiguresSerializer(serializers.Serializer):
    reopened = LinkedCountSerializer(help_text=_("Measures a follow-up review reopened (反弹)."))
    flagged = LinkedCountSerializer(
        help_text=_("New problems flagged as possible rebounds (整改反弹).")
    )


# One object, though the viewset answers it as its list action.
@extend_schema_serializer(many=False)
class StatisticsSerializer(serializers.Serializer):
    cases = TotalSerializer()
    problems = ProblemFiguresSerializer()
    recommendations = LetterFiguresSerializer()
    items = ItemFiguresSerializer()
    measures = MeasureFiguresSerializer()
    extensions = ExtensionFiguresSerializer()
    rule_changes = RuleChangeFiguresSerializer()
    activities = ActivityFiguresSerializer()
    rebounds = ReboundFiguresSerializer()
    negative_lists = NegativeListFiguresSerializer(
        help_text=_("Negative lists (负面清单) published, by the day published.")
    )


class CanReadStatistics(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("oversight.view_statistics")


def scope_refusal(scope: StatisticsScope) -> Exception:
    """A scope naming what the user cannot see is not found (404); one whose values fit the
    schema but not each other is a rule's refusal (422); any other fault is the request's (400)."""
    codes = scope.error_codes
    if codes == {"not_found"}:
        return exceptions.NotFound()
    if codes <= {"not_found", "order"}:
        errors = {field: [str(m) for m in messages] for field, messages in scope.errors.items()}
        return DomainError(_("The request is not valid."), errors=errors)
    return serializers.ValidationError(scope.errors)


class StatisticsViewSet(viewsets.ViewSet):
    """成效统计: cases, problems by category and stage, letters and items, measures by state and
    colour with the sign-off rate, extensions, rule changes (立改废释) by kind, activities by
    kind with their participants and negative lists (负面清单) published by tier — for any mix
    of a unit with its subunits, a sector, a letter and a period
    (``oversight.filters.StatisticsScope``; which date counts for each figure:
    ``oversight.statistics``). The statistics page shows the same numbers for the same scope."""

    permission_classes = [permissions.IsAuthenticated, CanReadStatistics]

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", ID_SCHEMA, description=_("A unit with its subunits.")),
            OpenApiParameter(
                "sector", str, enum=Sector.values, description=_("The units of one sector.")
            ),
            OpenApiParameter("recommendation", ID_SCHEMA, description=_("One letter.")),
            OpenApiParameter(
                "period_after",
                OpenApiTypes.DATE,
                description=_("First day of the period (each figure counts by its own date)."),
            ),
            OpenApiParameter(
                "period_before", OpenApiTypes.DATE, description=_("Last day of the period.")
            ),
        ],
        responses={200: StatisticsSerializer, **ERROR_RESPONSES, 422: REFUSED_BY_A_RULE},
    )
    @reads_from_replica
    def list(self, request):
        refuse_blank_values(request.query_params, StatisticsScope.base_filters)
        scope = StatisticsScope(request.query_params, request=request)
        if not scope.is_valid():
            raise scope_refusal(scope)
        return Response(StatisticsSerializer(outcome_statistics(request, scope.chosen)).data)


class RankedUnitSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    pk = serializers.IntegerField(help_text=_("The unit."))
    label = TextField()
    sector = TextField()
    mean = serializers.DecimalField(max_digits=5, decimal_places=2)
    count = serializers.IntegerField(help_text=_("Evaluations in the period."))
    low = serializers.IntegerField()
    high = serializers.IntegerField()


class RankedSectorSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    sector = TextField()
    label = TextField()
    mean = serializers.DecimalField(max_digits=5, decimal_places=2)
    count = serializers.IntegerField()
    low = serializers.IntegerField()
    high = serializers.IntegerField()


@extend_schema_serializer(many=False)
class EvaluationRankingSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    units = RankedUnitSerializer(many=True)
    sectors = RankedSectorSerializer(many=True)


class EvaluationPeriodSerializer(serializers.Serializer):
    """The ranking's period (query parameters): this calendar year unless given."""

    evaluated_from = serializers.DateField(required=False, help_text=_("First day."))
    evaluated_to = serializers.DateField(required=False, help_text=_("Last day."))


class CanReadDashboard(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("oversight.view_dashboard")


class EvaluationRankingViewSet(viewsets.ViewSet):
    """质效评估排名: units and sectors by the mean score of the evaluations recorded in a period
    (this calendar year unless given), in the reader's jurisdiction — the dashboard's ranking."""

    permission_classes = [permissions.IsAuthenticated, CanReadDashboard]

    @extend_schema(
        parameters=[EvaluationPeriodSerializer],
        responses={200: EvaluationRankingSerializer, **ERROR_RESPONSES},
    )
    @reads_from_replica
    def list(self, request):
        # The API refuses a day that is not a date, blank included (400: a plain dict, not the
        # QueryDict, whose blank reads as "not given"); the dashboard page falls back instead.
        period_days = EvaluationPeriodSerializer(data=request.query_params.dict())
        period_days.is_valid(raise_exception=True)
        period = evaluation_period(request.query_params, shanghai_today())
        return Response(EvaluationRankingSerializer(evaluation_ranking(request.user, *period)).data)
