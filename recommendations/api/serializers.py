from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.case_content import CaseContentSerializerMixin
from accounts.models import OrgUnit
from cases.models import Case, Problem
from core.api import ModelSerializer, ScopedPrimaryKeyRelatedField, TextField
from core.domain import max_length_of
from recommendations.models import (
    Evaluation,
    Recommendation,
    RecommendationItem,
    RecommendationTransition,
    Reply,
)


class ItemSerializer(ModelSerializer):
    # Only the problems the reader may see: none for a unit officer (case content).
    problems = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RecommendationItem
        fields = ["id", "recommendation", "number", "content", "problems"]
        read_only_fields = fields


class ReplySerializer(ModelSerializer):
    class Meta:
        model = Reply
        fields = ["id", "recommendation", "content", "submitted_by", "submitted_at"]
        read_only_fields = fields


class RecommendationSerializer(CaseContentSerializerMixin, ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)
    replies = ReplySerializer(many=True, read_only=True)
    # Only the cases the reader may see: none for a unit officer.
    cases = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "kind",
            "title",
            "issuer",
            "recipient_unit",
            "recipient_name",
            "cases",
            "preamble",
            "copied_to",
            "status",
            "doc_number",
            "issued_on",
            "reply_due_on",
            "items",
            "replies",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RecommendationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Recommendation.Kind.choices, default=Recommendation.Kind.LETTER
    )
    title = TextField(max_length=max_length_of(Recommendation, "title"))
    issuer = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    recipient_unit = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    recipient_name = TextField(
        max_length=max_length_of(Recommendation, "recipient_name"), required=False, allow_blank=True
    )
    cases = ScopedPrimaryKeyRelatedField(queryset=Case.objects.all(), many=True)
    preamble = TextField(
        max_length=max_length_of(Recommendation, "preamble"), required=False, allow_blank=True
    )
    copied_to = TextField(
        max_length=max_length_of(Recommendation, "copied_to"),
        required=False,
        allow_blank=True,
        help_text=_("抄送: the other bodies that receive a copy, separated by commas or lines."),
    )
    reply_due_on = serializers.DateField(required=False, allow_null=True)


class ItemCreateSerializer(serializers.Serializer):
    content = TextField(max_length=max_length_of(RecommendationItem, "content"))
    # Optional, as on the letter's page (an item may answer no recorded problem).
    problems = ScopedPrimaryKeyRelatedField(
        queryset=Problem.objects.all(), many=True, required=False, default=list
    )


class IssueSerializer(serializers.Serializer):
    issued_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Today when empty.")
    )
    doc_serial = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=Recommendation.MAX_DOC_SERIAL,
        help_text=_("The next free number of the year when empty."),
    )


class EmptySerializer(serializers.Serializer):
    pass


class ReplyCreateSerializer(serializers.Serializer):
    content = TextField(max_length=max_length_of(Reply, "content"))


class ReasonSerializer(serializers.Serializer):
    reason = TextField(max_length=max_length_of(RecommendationTransition, "reason"))


class EvaluationSerializer(ModelSerializer):
    class Meta:
        model = Evaluation
        fields = [
            "id",
            "recommendation",
            "method",
            "score",
            "rating",
            "comments",
            "evaluated_by",
            "evaluated_on",
        ]
        read_only_fields = fields


class EvaluateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Evaluation.Method.choices)
    score = serializers.IntegerField(min_value=0, max_value=100)
    rating = serializers.ChoiceField(choices=Evaluation.Rating.choices)
    comments = TextField(
        max_length=max_length_of(Evaluation, "comments"),
        required=False,
        allow_blank=True,
        default="",
    )
