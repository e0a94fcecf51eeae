from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from core.api import ModelSerializer, ScopedPrimaryKeyRelatedField, TextField
from core.domain import max_length_of, max_value_of
from recommendations.models import Recommendation, RecommendationItem
from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpMeasure,
    Measure,
    MeasureTransition,
    ProgressReport,
    ReboundFlag,
    RuleChange,
    Signal,
)
from reforms.services import CLOSING_KINDS


class MeasureSerializer(ModelSerializer):
    recommendation = serializers.IntegerField(source="item.recommendation_id", read_only=True)
    signal = serializers.SerializerMethodField(help_text=_("三色预警 colour"))
    days_overdue = serializers.SerializerMethodField()
    days_overdue_original = serializers.SerializerMethodField(
        help_text=_("Days overdue against the original due date.")
    )
    original_due_on = serializers.DateField(
        source="original_deadline",
        read_only=True,
        allow_null=True,
        help_text=_("The due date first promised; null for a standing measure."),
    )
    due_on = serializers.DateField(
        source="deadline",
        read_only=True,
        allow_null=True,
        help_text=_(
            "The current due date (moved only by an approved extension); null for a "
            "standing measure."
        ),
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "item",
            "recommendation",
            "unit",
            "content",
            "standard",
            "department",
            "owner_name",
            "owner",
            "leader_name",
            "is_standing",
            "original_due_on",
            "due_on",
            "status",
            "signed_off_on",
            "reopen_count",
            "reopened_on",
            "signal",
            "days_overdue",
            "days_overdue_original",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_signal(self, measure) -> Signal:
        return measure.signal()

    def get_days_overdue(self, measure) -> int:
        return measure.days_overdue()

    def get_days_overdue_original(self, measure) -> int:
        return measure.days_overdue(against_original=True)


class MeasureCreateSerializer(serializers.Serializer):
    item = ScopedPrimaryKeyRelatedField(queryset=RecommendationItem.objects.all())
    content = TextField(max_length=max_length_of(Measure, "content"))
    standard = TextField(max_length=max_length_of(Measure, "standard"))
    department = TextField(
        max_length=max_length_of(Measure, "department"), allow_blank=True, default=""
    )
    owner_name = TextField(
        max_length=max_length_of(Measure, "owner_name"), allow_blank=True, default=""
    )
    owner = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The owner's account (reminders reach it); gives owner_name if blank."),
    )
    leader_name = TextField(
        max_length=max_length_of(Measure, "leader_name"), allow_blank=True, default=""
    )
    leader = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The accountable leader's account; gives leader_name if blank."),
    )
    # Not needed for a standing measure: the service decides (measure_create).
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    is_standing = serializers.BooleanField(default=False)


class MeasureUpdateSerializer(serializers.Serializer):
    content = TextField(max_length=max_length_of(Measure, "content"))
    standard = TextField(max_length=max_length_of(Measure, "standard"))
    department = TextField(max_length=max_length_of(Measure, "department"), allow_blank=True)
    owner_name = TextField(max_length=max_length_of(Measure, "owner_name"))
    leader_name = TextField(max_length=max_length_of(Measure, "leader_name"))


class MeasureTransitionSerializer(ModelSerializer):
    return_reason = serializers.ChoiceField(
        choices=MeasureTransition.ReturnReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = MeasureTransition
        fields = ["id", "from_status", "to_status", "actor", "at", "reason", "return_reason"]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    # Recorded as the transition's reason, or an extension's decision note (the same limit).
    note = TextField(
        max_length=max_length_of(MeasureTransition, "reason"),
        required=False,
        allow_blank=True,
        default="",
    )


class ReturnSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=MeasureTransition.ReturnReason.choices)
    reason = TextField(
        max_length=max_length_of(MeasureTransition, "reason"),
        required=False,
        allow_blank=True,
        default="",
    )


class EvidenceSerializer(ModelSerializer):
    download = serializers.HyperlinkedIdentityField(
        view_name="api:evidence-download", read_only=True
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "measure",
            "progress_report",
            "original_name",
            "size",
            "sha256",
            "sm3",
            "description",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields


class EvidenceUploadSerializer(serializers.Serializer):
    measure = ScopedPrimaryKeyRelatedField(queryset=Measure.objects.all())
    file = serializers.FileField()
    description = TextField(
        max_length=max_length_of(Evidence, "description"),
        required=False,
        allow_blank=True,
        default="",
    )


class ProgressReportSerializer(ModelSerializer):
    evidence = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "measure",
            "content",
            "percent_complete",
            "reported_by",
            "reported_at",
            "evidence",
        ]
        read_only_fields = fields


class ProgressCreateSerializer(serializers.Serializer):
    """A progress report sent as JSON: files come only in a multipart body."""

    content = TextField(max_length=max_length_of(ProgressReport, "content"))
    percent_complete = serializers.IntegerField(min_value=0, max_value=100)


class ProgressWithFilesSerializer(ProgressCreateSerializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ExtensionRequestSerializer(ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "measure",
            "previous_due_on",
            "requested_due_on",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class ExtensionCreateSerializer(serializers.Serializer):
    requested_due_on = serializers.DateField()
    reason = TextField(max_length=max_length_of(ExtensionRequest, "reason"))


class RejectSerializer(serializers.Serializer):
    note = TextField(max_length=max_length_of(ExtensionRequest, "decision_note"))


class RuleChangeSerializer(ModelSerializer):
    class Meta:
        model = RuleChange
        fields = [
            "id",
            "unit",
            "recommendation",
            "measure",
            "kind",
            "title",
            "effective_on",
            "created_at",
        ]
        read_only_fields = fields


class ActivitySerializer(ModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "unit",
            "recommendation",
            "kind",
            "title",
            "held_on",
            "participant_count",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class _OutcomeTarget(serializers.Serializer):
    """A measure (its letter and unit follow) or an issued recommendation, among those the user
    sees; one of the two is required (the service says so in its refusal)."""

    measure = ScopedPrimaryKeyRelatedField(
        queryset=Measure.objects.all(), required=False, allow_null=True, default=None
    )
    recommendation = ScopedPrimaryKeyRelatedField(
        queryset=Recommendation.objects.all(), required=False, allow_null=True, default=None
    )


class RuleChangeUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RuleChange.Kind.choices)
    title = TextField(max_length=max_length_of(RuleChange, "title"))
    effective_on = serializers.DateField(required=False, allow_null=True, default=None)


class RuleChangeCreateSerializer(_OutcomeTarget, RuleChangeUpdateSerializer):
    pass


class ActivityUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    title = TextField(max_length=max_length_of(Activity, "title"))
    held_on = serializers.DateField()
    participant_count = serializers.IntegerField(
        min_value=1, max_value=max_value_of(Activity, "participant_count")
    )
    notes = TextField(max_length=max_length_of(Activity, "notes"), allow_blank=True, default="")


class ActivityCreateSerializer(_OutcomeTarget, ActivityUpdateSerializer):
    pass


class FollowUpScheduleSerializer(serializers.Serializer):
    scheduled_on = serializers.DateField()


class FollowUpSerializer(ModelSerializer):
    outcome = serializers.ChoiceField(
        choices=FollowUp.Outcome.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "recommendation",
            "scheduled_on",
            "conducted_on",
            "outcome",
            "findings",
            "sample_size",
            "closing_activity",
            "created_at",
        ]
        read_only_fields = fields


class FollowUpRecordSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=FollowUp.Outcome.choices)
    findings = TextField(
        max_length=max_length_of(FollowUp, "findings"),
        required=False,
        allow_blank=True,
        default="",
    )
    conducted_on = serializers.DateField(required=False, allow_null=True, default=None)


class FollowUpChooseSerializer(serializers.Serializer):
    sample_size = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A random sample of this many signed-off measures; all of them when empty."),
    )


class FollowUpMeasureSerializer(ModelSerializer):
    verdict = serializers.ChoiceField(
        choices=FollowUpMeasure.Verdict.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = FollowUpMeasure
        fields = [
            "id",
            "follow_up",
            "measure",
            "verdict",
            "findings",
            "new_due_on",
            "checked_by",
            "checked_at",
        ]
        read_only_fields = fields


class FollowUpMarkSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=FollowUpMeasure.Verdict.choices)
    findings = TextField(
        max_length=max_length_of(FollowUpMeasure, "findings"),
        required=False,
        allow_blank=True,
        default="",
    )
    new_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Required for a rebound: the reopened measure's new due date; none for a standing "
            "measure."
        ),
    )


class FollowUpConcludeSerializer(ActivityUpdateSerializer):
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in CLOSING_KINDS],
        help_text=_("A public notice (通报) or an admonition talk (约谈)."),
    )


class ReboundFlagSerializer(ModelSerializer):
    """整改反弹: the new problem, the earlier one and the signed-off measure that addressed it
    (ids only: the problems' descriptions are read with their cases)."""

    category = TextField(source="problem.category", read_only=True)
    process_stage = serializers.IntegerField(source="problem.process_stage_id", read_only=True)
    recommendation = serializers.IntegerField(
        source="measure.item.recommendation_id", read_only=True
    )

    class Meta:
        model = ReboundFlag
        fields = [
            "id",
            "problem",
            "earlier_problem",
            "measure",
            "recommendation",
            "unit",
            "match",
            "category",
            "process_stage",
            "flagged_at",
        ]
        read_only_fields = fields
