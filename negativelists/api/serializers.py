"""What the negative-list API reads and writes: a list with its entries, an entry, a check."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import OrgUnit
from cases.models import Case, ProcessStage
from core.api import ModelSerializer, ScopedPrimaryKeyRelatedField, TextField
from core.domain import max_length_of, max_value_of
from reforms.models import Measure

from ..models import NegativeList, NegativeListCheck, NegativeListEntry

ENTRY_FIELDS = ["risk_point", "requirement", "kind", "process_stage"]


class NegativeListEntrySerializer(ModelSerializer):
    # Blank when the entry names no risk point (a read-only field would lose ``allow_blank``).
    risk_point = TextField(allow_blank=True, read_only=True)

    class Meta:
        model = NegativeListEntry
        fields = ["id", "negative_list", "number", *ENTRY_FIELDS]
        read_only_fields = fields


class NegativeListSerializer(ModelSerializer):
    """A list with its numbered entries. ``source_cases`` holds the ids of the cases it was
    drawn from that the reader may see (an officer: none); its checks are
    ``/negative-list-checks/?negative_list={id}``."""

    entries = NegativeListEntrySerializer(many=True, read_only=True)
    source_cases = serializers.SerializerMethodField()

    class Meta:
        model = NegativeList
        fields = [
            "id",
            "unit",
            "tier",
            "title",
            "status",
            "published_on",
            "withdrawn_on",
            "source_cases",
            "measure",
            "created_by",
            "created_at",
            "updated_at",
            "entries",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_source_cases(self, negative_list) -> list[int]:
        # Prefetched through the reader's scope (the viewset's queryset): one query a page.
        return sorted(case.pk for case in negative_list.source_cases.all())


class NegativeListUpdateSerializer(serializers.Serializer):
    """A draft's tier, title and sources. Leave ``source_cases`` out to keep those linked (an
    officer reads no case); ``measure`` null links none."""

    tier = serializers.ChoiceField(choices=NegativeList.Tier.choices)
    title = TextField(max_length=max_length_of(NegativeList, "title"))
    source_cases = ScopedPrimaryKeyRelatedField(
        queryset=Case.objects.all(), many=True, required=False
    )
    measure = ScopedPrimaryKeyRelatedField(
        queryset=Measure.objects.all(), required=False, allow_null=True, default=None
    )


class NegativeListCreateSerializer(NegativeListUpdateSerializer):
    """A new draft: ``unit`` is a case unit in your scope (an officer's own unit if left out)."""

    unit = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )


class EntryWriteSerializer(serializers.Serializer):
    risk_point = TextField(
        max_length=max_length_of(NegativeListEntry, "risk_point"),
        required=False,
        allow_blank=True,
        default="",
    )
    requirement = TextField(max_length=max_length_of(NegativeListEntry, "requirement"))
    kind = serializers.ChoiceField(
        choices=NegativeListEntry.Kind.choices, default=NegativeListEntry.Kind.PROHIBITIVE
    )
    process_stage = serializers.PrimaryKeyRelatedField(
        queryset=ProcessStage.objects.all(), required=False, allow_null=True, default=None
    )


class NegativeListCheckSerializer(ModelSerializer):
    class Meta:
        model = NegativeListCheck
        fields = [
            "id",
            "negative_list",
            "checked_on",
            "checked_by",
            "finding",
            "breaches",
            "created_at",
        ]
        read_only_fields = fields


class CheckWriteSerializer(serializers.Serializer):
    checked_on = serializers.DateField()
    finding = TextField(max_length=max_length_of(NegativeListCheck, "finding"))
    breaches = serializers.IntegerField(
        min_value=0, max_value=max_value_of(NegativeListCheck, "breaches"), default=0
    )
