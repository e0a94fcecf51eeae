"""Evaluation sessions (现场答辩式评查) over REST: scoped reads, every change through
``recommendations.evaluation`` (the same rules, refusals and notifications as the pages).

``POST /evaluation-sessions/`` opens a session for a closed recommendation; its actions invite
and remove evaluators, record the hearing, open the scoring, take an evaluator's own scores,
conclude and cancel. A session's ``results`` (each indicator's mean and spread, the total, the
whole score and the grade) appear once it is concluded, with its ``metrics`` (the figures from
the records) always. Each evaluator's scores are ``/indicator-scores/``: their own until the end,
then every ballot for case readers in scope.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action

from accounts.models import User
from core.api import (
    TRANSITION_ERRORS,
    CanViewModel,
    ModelSerializer,
    Ordered,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    TextField,
    detail_or_created,
    read_schemas,
    validated,
)
from core.domain import max_length_of, require_perm
from recommendations import evaluation, evaluation_metrics
from recommendations.filters import EvaluationSessionFilter
from recommendations.models import (
    EvaluationIndicator,
    EvaluationSession,
    EvaluationTemplate,
    IndicatorScore,
    PanelMember,
    Recommendation,
)


class IndicatorSerializer(ModelSerializer):
    class Meta:
        model = EvaluationIndicator
        fields = ["id", "group", "name", "guidance", "weight", "max_score", "metric", "position"]
        read_only_fields = fields
        # DRF drops allow_blank from read-only fields; these are answered blank ("" = none).
        extra_kwargs = {"metric": {"allow_blank": True}}


class EvaluationTemplateSerializer(ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = EvaluationTemplate
        fields = ["id", "name", "description", "is_active", "indicators"]
        read_only_fields = fields


class PanelMemberSerializer(ModelSerializer):
    class Meta:
        model = PanelMember
        fields = ["id", "user", "added_by", "added_at", "submitted_at"]
        read_only_fields = fields


class IndicatorResultSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator.pk")
    name = TextField(source="indicator.name")
    group = TextField(source="indicator.group")
    weight = serializers.IntegerField(source="indicator.weight")
    max_score = serializers.IntegerField(source="indicator.max_score")
    count = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    low = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    high = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    range = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    stdev = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class ResultsSerializer(serializers.Serializer):
    evaluators = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    rating = TextField(allow_null=True)
    indicators = IndicatorResultSerializer(many=True)


class EvaluationSessionSerializer(ModelSerializer):
    members = PanelMemberSerializer(many=True, read_only=True)
    results = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationSession
        fields = [
            "id",
            "recommendation",
            "template",
            "scheduled_on",
            "place",
            "status",
            "reporter",
            "report",
            "questions",
            "conclusion",
            "total_score",
            "evaluation",
            "members",
            "results",
            "metrics",
            "opened_by",
            "closed_by",
            "closed_at",
            "cancel_reason",
        ]
        read_only_fields = fields

    def _listed(self) -> bool:
        """A list leaves the computed parts out (a few queries each): read them on the session."""
        view = self.context.get("view")
        return getattr(view, "action", None) == "list"

    @extend_schema_field(ResultsSerializer(allow_null=True))
    def get_results(self, session):
        """The combination, once the session is concluded (scores are independent until then);
        on the session's own address, null in the list."""
        if session.status != EvaluationSession.Status.CONCLUDED or self._listed():
            return None
        return ResultsSerializer(evaluation.results(session)).data

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_metrics(self, session):
        """The figures from the letter's records, by metric key; null in the list."""
        if self._listed():
            return None
        figures = evaluation_metrics.figures(session.recommendation).as_dict()
        return {key: (str(value) if value is not None else None) for key, value in figures.items()}


class SessionOpenSerializer(serializers.Serializer):
    recommendation = ScopedPrimaryKeyRelatedField(queryset=Recommendation.objects.all())
    template = serializers.PrimaryKeyRelatedField(
        queryset=EvaluationTemplate.objects.all(), required=False, allow_null=True, default=None
    )
    scheduled_on = serializers.DateField()
    place = TextField(
        max_length=max_length_of(EvaluationSession, "place"),
        required=False,
        allow_blank=True,
        default="",
    )


class MemberAddSerializer(serializers.Serializer):
    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all())


class MemberRemoveSerializer(serializers.Serializer):
    member = serializers.IntegerField()


class HearingSerializer(serializers.Serializer):
    reporter = TextField(max_length=max_length_of(EvaluationSession, "reporter"))
    report = TextField(max_length=max_length_of(EvaluationSession, "report"))
    questions = TextField(
        max_length=max_length_of(EvaluationSession, "questions"),
        required=False,
        allow_blank=True,
        default="",
    )


class ScoreSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    comment = TextField(
        max_length=max_length_of(IndicatorScore, "comment"),
        required=False,
        allow_blank=True,
        default="",
    )


class ScoresSerializer(serializers.Serializer):
    scores = serializers.ListField(child=ScoreSerializer(), min_length=1)


class ConcludeSerializer(serializers.Serializer):
    conclusion = TextField(
        max_length=max_length_of(EvaluationSession, "conclusion"),
        required=False,
        allow_blank=True,
        default="",
    )


class CancelSerializer(serializers.Serializer):
    reason = TextField(max_length=max_length_of(EvaluationSession, "cancel_reason"))


class IndicatorScoreSerializer(ModelSerializer):
    session = serializers.IntegerField(source="member.session_id", read_only=True)
    evaluator = serializers.IntegerField(source="member.user_id", read_only=True)

    class Meta:
        model = IndicatorScore
        fields = ["id", "session", "member", "evaluator", "indicator", "score", "comment"]
        read_only_fields = fields


def _answer(serializer):
    return extend_schema(
        request=serializer, responses={200: EvaluationSessionSerializer, **TRANSITION_ERRORS}
    )


@extend_schema_view(**read_schemas(EvaluationTemplateSerializer))
class EvaluationTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """The evaluation templates (评估指标体系) with their weighted indicators; kept by the system
    administrator in the back office."""

    queryset = EvaluationTemplate.objects.prefetch_related("indicators")
    serializer_class = EvaluationTemplateSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewModel]


@extend_schema_view(
    **read_schemas(EvaluationSessionSerializer),
    create=extend_schema(
        request=SessionOpenSerializer,
        responses={201: EvaluationSessionSerializer, **TRANSITION_ERRORS},
    ),
)
class EvaluationSessionViewSet(
    Ordered, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """现场答辩式评查: on-site evaluation sessions of closed recommendations."""

    queryset = EvaluationSession.objects.select_related(
        "recommendation", "template"
    ).prefetch_related("members")
    serializer_class = EvaluationSessionSerializer
    filterset_class = EvaluationSessionFilter
    ordering_fields = ["scheduled_on", "total_score"]

    def _done(self, session, *, created=False):
        return detail_or_created(self.serializer_class, self.fresh(session), self, created=created)

    def create(self, request, *args, **kwargs):
        """Staff schedule a session for a closed recommendation (the default template unless
        one is given); the unit's officers are told."""
        require_perm(request.user, evaluation.PERMS["open"])
        data = validated(SessionOpenSerializer, self)
        session = evaluation.evaluation_session_open(actor=request.user, **data)
        return self._done(session, created=True)

    @_answer(MemberAddSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Invite an evaluator (staff or a supervisor whose jurisdiction covers the unit)."""
        session = self.get_object()
        require_perm(request.user, evaluation.PERMS["add_member"], session)
        data = validated(MemberAddSerializer, self)
        evaluation.evaluation_panel_add(session=session, actor=request.user, user=data["user"])
        return self._done(session)

    @_answer(MemberRemoveSerializer)
    @action(detail=True, methods=["post"], url_path="remove-member")
    def remove_member(self, request, pk=None):
        """Take an evaluator who has not scored off the panel (``member``: the member's id)."""
        session = self.get_object()
        require_perm(request.user, evaluation.PERMS["remove_member"], session)
        data = validated(MemberRemoveSerializer, self)
        member = session.members.filter(pk=data["member"]).first()
        if member is None:
            raise serializers.ValidationError(
                {"member": [_("No such evaluator on this panel.")]}, code="does_not_exist"
            )
        evaluation.evaluation_panel_remove(member=member, actor=request.user)
        return self._done(session)

    @_answer(HearingSerializer)
    @action(detail=True, methods=["post"])
    def hearing(self, request, pk=None):
        """Record who reported for the unit, the report and the panel's questions."""
        session = self.get_object()
        data = validated(HearingSerializer, self)
        evaluation.evaluation_hearing_record(session=session, actor=request.user, **data)
        return self._done(session)

    @_answer(None)
    @action(detail=True, methods=["post"], url_path="start-scoring")
    def start_scoring(self, request, pk=None):
        """Open the scoring; each evaluator is told."""
        session = self.get_object()
        evaluation.evaluation_scoring_start(session=session, actor=request.user)
        return self._done(session)

    @_answer(ScoresSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        """An evaluator's own scores: every indicator of the template, each from 0 to its
        maximum; sent again, they replace the evaluator's earlier ones."""
        session = self.get_object()
        require_perm(request.user, evaluation.PERMS["submit_scores"], session)
        rows = validated(ScoresSerializer, self)["scores"]
        evaluation.evaluation_scores_submit(
            session=session,
            actor=request.user,
            scores={row["indicator"]: row["score"] for row in rows},
            comments={row["indicator"]: row["comment"] for row in rows},
        )
        return self._done(session)

    @_answer(ConcludeSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """Combine the scores into the recommendation's evaluation (closed → evaluated)."""
        session = self.get_object()
        data = validated(ConcludeSerializer, self)
        evaluation.evaluation_session_conclude(session=session, actor=request.user, **data)
        return self._done(session)

    @_answer(CancelSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Call the session off, with the reason."""
        session = self.get_object()
        data = validated(CancelSerializer, self)
        evaluation.evaluation_session_cancel(session=session, actor=request.user, **data)
        return self._done(session)


@extend_schema_view(**read_schemas(IndicatorScoreSerializer))
class IndicatorScoreViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Each evaluator's scores: one's own while the panel scores, every ballot of a concluded
    session for case readers in scope; never the unit's."""

    queryset = IndicatorScore.objects.select_related("member")
    serializer_class = IndicatorScoreSerializer
    filterset_fields = ["member__session", "indicator"]
    ordering_fields = ["indicator"]
