from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import OrgUnit, Sector
from cases.models import (
    Case,
    CaseAnalysis,
    Problem,
    ProcessStage,
    Subject,
    TypicalCase,
    TypicalReason,
    ViolationType,
)
from cases.services import CASE_WRITABLE_FIELDS
from cases.typical import current_selection
from core.api import (
    ModelSerializer,
    NonNegativeDecimalField,
    RecordIdField,
    ScopedPrimaryKeyRelatedField,
    TextField,
)
from core.domain import max_length_of


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "minLength": 1, "maxLength": 50}],
        "description": "The entry's id, or its name as the reads return it.",
    }
)
class TaxonomyEntryField(RecordIdField):
    """An entry of a shared list, written by its ``id`` (a JSON number) or by the ``name`` the
    reads return (a JSON string), so a client can send back what it read."""

    default_error_messages = {
        "does_not_exist": _("No entry “{pk_value}” in this list."),
        "incorrect_type": _("Give the entry's id (a number) or its name (a string)."),
    }

    def lookup_key(self, data):
        if isinstance(data, str):
            return data.strip()
        return super().lookup_key(data)

    def read_many(self, keys) -> dict:
        ids = super().read_many([key for key in keys if type(key) is int])
        # A name with a NUL, which the database refuses, is no entry.
        names = [key for key in keys if isinstance(key, str) and "\x00" not in key]
        by_name = {entry.name: entry for entry in self.get_queryset().filter(name__in=names)}
        return ids | by_name

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type")
        return super().to_internal_value(data)

    def to_representation(self, value):
        return value.name


class SubjectSerializer(ModelSerializer):
    class Meta:
        model = Subject
        fields = ["id", "name", "position", "is_top_leader", "disposition"]
        read_only_fields = fields


class CaseAnalysisSerializer(ModelSerializer):
    class Meta:
        model = CaseAnalysis
        fields = [
            "trajectory",
            "root_causes",
            "loopholes",
            "lessons",
            "completed_on",
            "author",
            "updated_at",
        ]
        read_only_fields = ["author", "updated_at"]
        # PUT replaces the whole analysis: every field is sent (blank or null to clear it), so a
        # body that lost its fields is a 400, not an analysis silently wiped.
        extra_kwargs = {name: {"required": True} for name in fields[:5]}


class TypicalCaseSerializer(ModelSerializer):
    """The case's selection as a typical case (典型案例), in force."""

    class Meta:
        model = TypicalCase
        fields = [
            "reasons",
            "audience_sectors",
            "audience_levels",
            "note",
            "marked_by",
            "marked_at",
        ]
        read_only_fields = fields


class CaseSerializer(ModelSerializer):
    subjects = SubjectSerializer(many=True, read_only=True)
    analysis = serializers.SerializerMethodField()
    typical = serializers.SerializerMethodField()
    violation_types = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    # Only the linked cases the reader may see (the viewset prefetches them restricted).
    linked_cases = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            *CASE_WRITABLE_FIELDS,
            "subjects",
            "analysis",
            "typical",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CaseAnalysisSerializer(allow_null=True))
    def get_analysis(self, case):
        analysis = getattr(case, "analysis", None)  # select_related: no query
        return None if analysis is None else CaseAnalysisSerializer(analysis).data

    @extend_schema_field(TypicalCaseSerializer(allow_null=True))
    def get_typical(self, case):
        selection = current_selection(case)  # select_related: no query
        return None if selection is None else TypicalCaseSerializer(selection).data


class ProblemSerializer(ModelSerializer):
    process_stage = serializers.SlugRelatedField(read_only=True, slug_field="name")

    class Meta:
        model = Problem
        fields = ["id", "case", "unit", "category", "process_stage", "description", "created_at"]
        read_only_fields = fields


class SubjectWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("An existing subject kept; empty for a new one."),
    )
    name = TextField(max_length=max_length_of(Subject, "name"))
    position = TextField(
        max_length=max_length_of(Subject, "position"), required=False, allow_blank=True
    )
    is_top_leader = serializers.BooleanField(required=False, default=False)
    disposition = TextField(
        max_length=max_length_of(Subject, "disposition"), required=False, allow_blank=True
    )


class CaseWriteSerializer(serializers.Serializer):
    """A case as staff log or edit it. The units are checked by the service (jurisdiction, kind);
    ``subjects``, when given, is the case's full list of subjects."""

    number = TextField(max_length=max_length_of(Case, "number"))
    title = TextField(max_length=max_length_of(Case, "title"))
    commission = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    case_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    sector = serializers.ChoiceField(choices=Sector.choices)
    level = serializers.ChoiceField(choices=Case.Level.choices)
    amount = NonNegativeDecimalField(max_digits=14, decimal_places=2, required=False)
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(required=False, allow_null=True)
    summary = TextField(max_length=max_length_of(Case, "summary"), required=False, allow_blank=True)
    violation_types = TaxonomyEntryField(
        queryset=ViolationType.objects.all(), many=True, required=False
    )
    linked_cases = ScopedPrimaryKeyRelatedField(
        queryset=Case.objects.all(), many=True, required=False
    )
    subjects = SubjectWriteSerializer(many=True, required=False)


class TypicalMarkSerializer(serializers.Serializer):
    """Marking a closed case as typical: at least one reason, and for whom."""

    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=TypicalReason.choices), min_length=1
    )
    audience_sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Sector.choices), required=False
    )
    audience_levels = serializers.ListField(
        child=serializers.ChoiceField(choices=Case.Level.choices), required=False
    )
    note = TextField(
        max_length=max_length_of(TypicalCase, "note"), required=False, allow_blank=True
    )


class TypicalUnmarkSerializer(serializers.Serializer):
    reason = TextField(max_length=max_length_of(TypicalCase, "note"))


class ProblemWriteSerializer(serializers.Serializer):
    case = ScopedPrimaryKeyRelatedField(queryset=Case.objects.all())
    unit = RecordIdField(queryset=OrgUnit.objects.all())
    category = serializers.ChoiceField(choices=Problem.Category.choices)
    process_stage = TaxonomyEntryField(queryset=ProcessStage.objects.all())
    description = TextField(max_length=max_length_of(Problem, "description"))


class ProblemUpdateSerializer(ProblemWriteSerializer):
    case = None  # a problem stays with its case


class TaxonomySerializer(serializers.Serializer):
    """An entry of a shared list: reads show its ``name``; writes take the ``id`` or the name."""

    id = serializers.IntegerField(read_only=True)
    name = TextField(read_only=True)
    position = serializers.IntegerField(read_only=True)


class ChoiceSerializer(serializers.Serializer):
    """A fixed choice: writes and filters take its ``value``; ``label`` is its name in Chinese."""

    value = TextField(read_only=True)
    label = TextField(read_only=True)
