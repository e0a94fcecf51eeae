from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import OrgUnit, Sector
from cases.models import Case, ProcessStage, ViolationType
from core.api import ModelSerializer, ScopedPrimaryKeyRelatedField, TextField
from crosscase.analysis import FINDINGS_FIELDS, WRITABLE_FIELDS
from crosscase.models import CrossCaseAnalysis

READ_FIELDS = [
    "id",
    *WRITABLE_FIELDS,
    "cases",
    *FINDINGS_FIELDS,
    "created_by",
    "created_at",
    "updated_at",
]


class CrossCaseAnalysisSerializer(ModelSerializer):
    """An analysis: its selection (criteria, or hand-picked ``cases`` by id) and findings.
    Its figures are at ``…/<id>/tables/``."""

    cases = serializers.SerializerMethodField()
    created_by = serializers.StringRelatedField()
    # Blank when the sector is no criterion (a read-only field would lose ``allow_blank``).
    sector = serializers.ChoiceField(choices=Sector.choices, allow_blank=True, read_only=True)

    class Meta:
        model = CrossCaseAnalysis
        fields = READ_FIELDS
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_cases(self, analysis) -> list[int]:
        # Prefetched (the viewset's queryset), so a page of analyses costs one query for all.
        return sorted(case.pk for case in analysis.cases.all())


class CrossCaseAnalysisWriteSerializer(ModelSerializer):
    """What a client writes: the selection and, optionally, the findings. ``unit`` defaults to
    the writer's own commission; ``cases`` (ids) is the selection in mode ``hand``."""

    unit = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    case_unit = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    process_stage = serializers.PrimaryKeyRelatedField(
        queryset=ProcessStage.objects.all(), required=False, allow_null=True
    )
    violation_type = serializers.PrimaryKeyRelatedField(
        queryset=ViolationType.objects.all(), required=False, allow_null=True
    )
    cases = ScopedPrimaryKeyRelatedField(queryset=Case.objects.all(), many=True, required=False)

    class Meta:
        model = CrossCaseAnalysis
        fields = [*WRITABLE_FIELDS, "cases", *FINDINGS_FIELDS]


class CrossCaseMatrixCellSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    count = serializers.IntegerField()


class CrossCaseMatrixRowSerializer(serializers.Serializer):
    category = TextField()
    label = TextField()
    cells = CrossCaseMatrixCellSerializer(many=True)
    total = serializers.IntegerField()


class CrossCaseMatrixStageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    total = serializers.IntegerField()


class CrossCaseMatrixSerializer(serializers.Serializer):
    stages = CrossCaseMatrixStageSerializer(many=True)
    rows = CrossCaseMatrixRowSerializer(many=True)
    total = serializers.IntegerField()


class CrossCaseCountSerializer(serializers.Serializer):
    code = TextField()
    label = TextField()
    count = serializers.IntegerField()


class CrossCaseViolationCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    count = serializers.IntegerField()


class CrossCaseOverviewSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    closed = serializers.IntegerField()
    amount_total = serializers.DecimalField(max_digits=20, decimal_places=2)
    amount_mean = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    amount_max = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    top_leader = serializers.IntegerField()
    top_leader_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    amount_bands = CrossCaseCountSerializer(many=True)
    levels = CrossCaseCountSerializer(many=True)


class CrossCaseRectificationSerializer(serializers.Serializer):
    recommendations = serializers.IntegerField()
    measures = serializers.IntegerField()
    signed_off = serializers.IntegerField()
    signoff_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    overdue = serializers.IntegerField()
    reopened = serializers.IntegerField()
    rebound_flags = serializers.IntegerField()


class CrossCaseTablesSerializer(serializers.Serializer):
    """The analysis's figures now (the case set resolved at this request)."""

    overview = CrossCaseOverviewSerializer()
    violation_types = CrossCaseViolationCountSerializer(many=True)
    matrix = CrossCaseMatrixSerializer()
    rectification = CrossCaseRectificationSerializer()
