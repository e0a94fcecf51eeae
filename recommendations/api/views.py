"""Recommendations over REST: reads are scoped, every write is one call to ``services``."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.models import Case, Problem
from core.api import (
    DELETED,
    ERROR_RESPONSES,
    Ordered,
    ScopedViewSetMixin,
    changed_fields,
    detail_or_created,
    read_schemas,
    transition_schema,
    validated,
    visible_ids,
    write_schemas,
)
from core.domain import require_perm
from recommendations import services
from recommendations.filters import EvaluationFilter, RecommendationFilter
from recommendations.models import Evaluation, Recommendation, RecommendationItem
from reforms import services as reform_services
from reforms.api import serializers as reform_serializers

from . import serializers as s


@extend_schema_view(
    **read_schemas(s.RecommendationSerializer),
    **write_schemas(
        s.RecommendationSerializer,
        create=s.RecommendationCreateSerializer,
        update=s.RecommendationCreateSerializer,
    ),
    destroy=DELETED,
)
class RecommendationViewSet(Ordered, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Recommendations with their numbered items and replies.

    Unit officers see those issued to their unit, without the cases and problems behind them.
    """

    queryset = Recommendation.objects.all()
    serializer_class = s.RecommendationSerializer
    filterset_class = RecommendationFilter
    ordering_fields = ["issued_on", "reply_due_on", "doc_number", "status", "created_at"]

    scoped_relations = {"cases": Case}

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        user = self.request.user
        items = RecommendationItem.objects.restrict(user).prefetch_related(
            visible_ids("problems", Problem, user)
        )
        return queryset.prefetch_related(Prefetch("items", queryset=items), "replies")

    def create(self, request, *args, **kwargs):
        # The role's right first (the same rule the service checks): a 403, not a 400 on ids.
        require_perm(request.user, "recommendations.add_recommendation")
        data = validated(s.RecommendationCreateSerializer, self)
        recommendation = services.recommendation_create(actor=request.user, **data)
        return detail_or_created(
            s.RecommendationSerializer, self.fresh(recommendation), self, created=True
        )

    def update(self, request, *args, **kwargs):
        """Correct a draft (PATCH: only the fields sent)."""
        recommendation = self.get_object()
        current = {name: getattr(recommendation, name) for name in services.DRAFT_FIELDS}
        current["cases"] = list(recommendation.cases.all())
        data = changed_fields(s.RecommendationCreateSerializer, self, partial=kwargs.get("partial"))
        services.recommendation_update(
            recommendation=recommendation, actor=request.user, **current | data
        )
        return detail_or_created(s.RecommendationSerializer, self.fresh(recommendation), self)

    def destroy(self, request, *args, **kwargs):
        """Throw away a draft with its items."""
        services.recommendation_delete(recommendation=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @transition_schema(s.ItemSerializer, created=True, request=s.ItemCreateSerializer)
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        """Add the next numbered item to a draft, citing problems of its cases."""
        recommendation = self.get_object()
        data = validated(s.ItemCreateSerializer, self)
        item = services.recommendation_item_add(
            recommendation=recommendation, actor=request.user, **data
        )
        return detail_or_created(s.ItemSerializer, item, self, created=True)

    @transition_schema(s.RecommendationSerializer, request=s.IssueSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue a draft: it gets its document number (发文字号)."""
        recommendation = self.get_object()
        data = validated(s.IssueSerializer, self)
        services.recommendation_issue(
            recommendation=recommendation,
            actor=request.user,
            issued_on=data.get("issued_on"),
            doc_serial=data.get("doc_serial"),
        )
        return detail_or_created(s.RecommendationSerializer, self.fresh(recommendation), self)

    @transition_schema(s.RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The unit confirms receipt (签收)."""
        recommendation = self.get_object()
        services.recommendation_acknowledge(recommendation=recommendation, actor=request.user)
        return detail_or_created(s.RecommendationSerializer, self.fresh(recommendation), self)

    @transition_schema(s.RecommendationSerializer)
    @action(detail=True, methods=["post"], url_path="start-rectification")
    def start_rectification(self, request, pk=None):
        """The unit submits its plan; every item needs a measure."""
        recommendation = self.get_object()
        services.recommendation_start_rectification(
            recommendation=recommendation, actor=request.user
        )
        return detail_or_created(s.RecommendationSerializer, self.fresh(recommendation), self)

    @transition_schema(s.ReplySerializer, created=True, request=s.ReplyCreateSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """The unit submits its rectification report (整改报告)."""
        recommendation = self.get_object()
        data = validated(s.ReplyCreateSerializer, self)
        reply = services.recommendation_submit_reply(
            recommendation=recommendation, actor=request.user, content=data["content"]
        )
        return detail_or_created(s.ReplySerializer, reply, self, created=True)

    @transition_schema(s.RecommendationSerializer, request=s.ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return-reply")
    def return_reply(self, request, pk=None):
        """Staff send the reply back with a reason; the unit keeps rectifying."""
        recommendation = self.get_object()
        data = validated(s.ReasonSerializer, self)
        services.recommendation_return_reply(
            recommendation=recommendation, actor=request.user, reason=data["reason"]
        )
        return detail_or_created(s.RecommendationSerializer, self.fresh(recommendation), self)

    @transition_schema(s.RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Staff close a replied recommendation once every measure is signed off or standing."""
        recommendation = self.get_object()
        services.recommendation_close(recommendation=recommendation, actor=request.user)
        return detail_or_created(s.RecommendationSerializer, self.fresh(recommendation), self)

    @transition_schema(s.EvaluationSerializer, created=True, request=s.EvaluateSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        """Staff record the effectiveness evaluation (质效评估) of a closed recommendation."""
        recommendation = self.get_object()
        data = validated(s.EvaluateSerializer, self)
        evaluation = services.recommendation_evaluate(
            recommendation=recommendation, actor=request.user, **data
        )
        return detail_or_created(s.EvaluationSerializer, evaluation, self, created=True)

    @transition_schema(
        reform_serializers.FollowUpSerializer,
        created=True,
        request=reform_serializers.FollowUpScheduleSerializer,
    )
    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request, pk=None):
        """Staff schedule a follow-up review (回头看) of a closed recommendation."""
        recommendation = self.get_object()
        data = validated(reform_serializers.FollowUpScheduleSerializer, self)
        follow_up = reform_services.follow_up_schedule(
            recommendation=recommendation, actor=request.user, **data
        )
        return detail_or_created(
            reform_serializers.FollowUpSerializer, follow_up, self, created=True
        )


@extend_schema_view(**read_schemas(s.EvaluationSerializer))
class EvaluationViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Evaluation.objects.order_by("-evaluated_on", "-pk")
    serializer_class = s.EvaluationSerializer
    filterset_class = EvaluationFilter
    ordering_fields = ["evaluated_on", "score"]


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.ItemSerializer, **ERROR_RESPONSES}),
    **write_schemas(s.ItemSerializer, update=s.ItemCreateSerializer),
    destroy=DELETED,
)
class RecommendationItemViewSet(
    ScopedViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A draft's numbered items, reworded or taken off (the items after it move up one number).
    New items are added with ``POST /recommendations/{id}/items/``."""

    queryset = RecommendationItem.objects.all()
    serializer_class = s.ItemSerializer
    scoped_relations = {"problems": Problem}

    def update(self, request, *args, **kwargs):
        item = self.get_object()
        current = {"content": item.content, "problems": list(item.problems.all())}
        data = changed_fields(s.ItemCreateSerializer, self, partial=kwargs.get("partial"))
        services.recommendation_item_update(item=item, actor=request.user, **current | data)
        return detail_or_created(s.ItemSerializer, self.fresh(item), self)

    def destroy(self, request, *args, **kwargs):
        services.recommendation_item_remove(item=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
