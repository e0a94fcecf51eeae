"""成效统计 over the API: the figures of a scope, each with the address of the list behind it."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from accounts.models import OrgUnit
from core.api import ERROR_RESPONSES, ScopedPrimaryKeyRelatedField
from recommendations.models import Recommendation

from .statistics import outcome_statistics


class CountSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The value the list filters by."))
    label = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField(help_text=_("The API list of exactly these records."))


class ActivityCountSerializer(CountSerializer):
    participants = serializers.IntegerField()


class TotalSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    url = serializers.CharField()


class ProblemFiguresSerializer(TotalSerializer):
    by_category = CountSerializer(many=True)
    by_stage = CountSerializer(many=True)


class ItemFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()


class MeasureFiguresSerializer(TotalSerializer):
    by_status = CountSerializer(many=True)
    by_signal = CountSerializer(many=True)
    signoff_rate = serializers.FloatField(
        allow_null=True,
        help_text=_("Signed off among the measures due by today (not standing); null if none."),
    )


class ExtensionFiguresSerializer(TotalSerializer):
    by_status = CountSerializer(many=True)


class RuleChangeFiguresSerializer(TotalSerializer):
    by_kind = CountSerializer(many=True)


class ActivityFiguresSerializer(TotalSerializer):
    participants = serializers.IntegerField()
    by_kind = ActivityCountSerializer(many=True)


class LetterFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    url = serializers.CharField(allow_null=True, help_text=_("Null when the scope is one letter."))


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


class ScopeSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    recommendation = ScopedPrimaryKeyRelatedField(
        queryset=Recommendation.objects.all(), required=False
    )


class CanReadStatistics(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("oversight.view_dashboard")


class StatisticsViewSet(viewsets.ViewSet):
    """成效统计: cases, problems by category and stage, letters and items, measures by state and
    colour with the sign-off rate, extensions, rule changes (立改废释) by kind and activities by
    kind with their participants — for a unit with its subunits, a letter, or both."""

    permission_classes = [permissions.IsAuthenticated, CanReadStatistics]

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", int, description=_("A unit with its subunits.")),
            OpenApiParameter("recommendation", int, description=_("One letter.")),
        ],
        responses={200: StatisticsSerializer, **ERROR_RESPONSES},
    )
    def list(self, request):
        scope = ScopeSerializer(data=request.query_params, context={"request": request})
        scope.is_valid(raise_exception=True)
        chosen = {name: value.pk for name, value in scope.validated_data.items()}
        return Response(StatisticsSerializer(outcome_statistics(request, chosen)).data)
