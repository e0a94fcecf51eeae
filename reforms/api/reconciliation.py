"""Reconciliation rounds (对账销号) over REST: scoped reads, every change through
``reforms.reconciliation`` (the same rules, refusals and notifications as the pages)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from accounts.models import OrgUnit, Sector
from core.api import (
    TRANSITION_ERRORS,
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
from recommendations.models import Recommendation
from reforms import reconciliation
from reforms.filters import ReconciliationRowFilter
from reforms.models import ReconciliationRound, ReconciliationRow


class ReconciliationRoundSerializer(ModelSerializer):
    class Meta:
        model = ReconciliationRound
        fields = [
            "id",
            "scope",
            "recommendation",
            "unit",
            "sector",
            "schedule",
            "as_of",
            "answer_due_on",
            "status",
            "opened_by",
            "closed_by",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields
        # DRF drops allow_blank from read-only fields; these are answered blank ("" = none).
        extra_kwargs = {"sector": {"allow_blank": True}}


class ReconciliationOpenSerializer(serializers.Serializer):
    """One of ``recommendation`` or ``unit`` (with its subunits; only a sector's units with
    ``sector``)."""

    recommendation = ScopedPrimaryKeyRelatedField(
        queryset=Recommendation.objects.all(), required=False, allow_null=True, default=None
    )
    unit = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    sector = serializers.ChoiceField(
        choices=Sector.choices, required=False, allow_blank=True, default=""
    )
    as_of = serializers.DateField(required=False, allow_null=True, default=None)
    answer_due_on = serializers.DateField()


class ReconciliationRowSerializer(ModelSerializer):
    differences = serializers.ListField(child=TextField(), read_only=True)

    class Meta:
        model = ReconciliationRow
        fields = [
            "id",
            "round",
            "measure",
            "snapshot_status",
            "snapshot_due_on",
            "snapshot_signal",
            "status",
            "answer",
            "answer_note",
            "answered_by",
            "answered_at",
            "confirmation",
            "confirmation_note",
            "confirmed_by",
            "confirmed_at",
            "differences",
        ]
        read_only_fields = fields
        # DRF drops allow_blank from read-only fields; these are answered blank until the unit
        # answers and the staff confirm.
        extra_kwargs = {"answer": {"allow_blank": True}, "confirmation": {"allow_blank": True}}


class ReconciliationAnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=ReconciliationRow.Answer.choices)
    note = TextField(
        max_length=max_length_of(ReconciliationRow, "answer_note"),
        required=False,
        allow_blank=True,
        default="",
    )


class ReconciliationConfirmSerializer(serializers.Serializer):
    confirmation = serializers.ChoiceField(choices=ReconciliationRow.Confirmation.choices)
    note = TextField(
        max_length=max_length_of(ReconciliationRow, "confirmation_note"),
        required=False,
        allow_blank=True,
        default="",
    )


@extend_schema_view(
    **read_schemas(ReconciliationRoundSerializer),
    create=extend_schema(
        request=ReconciliationOpenSerializer,
        responses={201: ReconciliationRoundSerializer, **TRANSITION_ERRORS},
    ),
)
class ReconciliationRoundViewSet(
    Ordered, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """对账销号: staff open a round (its rows are frozen then) and close it once every row is
    confirmed; the rows are ``/reconciliation-rows/?round={id}``."""

    queryset = ReconciliationRound.objects.select_related("unit", "recommendation")
    serializer_class = ReconciliationRoundSerializer
    filterset_fields = ["status", "scope", "recommendation", "unit", "sector"]
    ordering_fields = ["as_of", "answer_due_on"]

    def create(self, request, *args, **kwargs):
        require_perm(request.user, reconciliation.PERMS["open"])
        data = validated(ReconciliationOpenSerializer, self)
        round_ = reconciliation.open_round(actor=request.user, **data)
        return detail_or_created(self.serializer_class, self.fresh(round_), self, created=True)

    @extend_schema(
        request=None, responses={200: ReconciliationRoundSerializer, **TRANSITION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Staff close the round once every row is confirmed."""
        round_ = self.get_object()
        reconciliation.close_round(round_=round_, actor=request.user)
        return detail_or_created(self.serializer_class, self.fresh(round_), self)


@extend_schema_view(**read_schemas(ReconciliationRowSerializer))
class ReconciliationRowViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The rows of rounds: the snapshot, the unit's answer and the staff's confirmation."""

    queryset = ReconciliationRow.objects.select_related("round", "measure")
    serializer_class = ReconciliationRowSerializer
    filterset_class = ReconciliationRowFilter
    ordering_fields = ["round", "measure"]

    @extend_schema(
        request=ReconciliationAnswerSerializer,
        responses={200: ReconciliationRowSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The unit's officer answers: in progress (the latest state), completed (asks for
        sign-off) or disputed (the reason)."""
        row = self.get_object()
        data = validated(ReconciliationAnswerSerializer, self)
        reconciliation.answer_row(row=row, actor=request.user, **data)
        return detail_or_created(self.serializer_class, self.fresh(row), self)

    @extend_schema(
        request=ReconciliationConfirmSerializer,
        responses={200: ReconciliationRowSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Staff confirm the answer: agreed, or returned (the reason)."""
        row = self.get_object()
        data = validated(ReconciliationConfirmSerializer, self)
        reconciliation.confirm_row(row=row, actor=request.user, **data)
        return detail_or_created(self.serializer_class, self.fresh(row), self)
