"""Self-inspection campaigns (举一反三) and cross-inspections (交叉检查) over REST: scoped reads,
every change through ``campaigns.services`` (the same rules, refusals and notifications as the
pages)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import OrgUnit, Sector
from cases.models import Problem, ProcessStage
from core.api import (
    DELETED,
    TRANSITION_ERRORS,
    ModelSerializer,
    Ordered,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    TextField,
    changed_fields,
    detail_or_created,
    read_schemas,
    validated,
    write_schemas,
)
from core.domain import max_length_of, require_perm
from crosscase.models import CrossCaseAnalysis
from recommendations.models import Recommendation

from .. import progress, services
from ..models import Campaign, CampaignAnswer, CampaignItem, CampaignUnit, SpotCheckFinding


class CampaignItemSerializer(ModelSerializer):
    class Meta:
        model = CampaignItem
        fields = ["id", "number", "category", "process_stage", "text"]
        read_only_fields = fields


class CampaignSerializer(ModelSerializer):
    items = CampaignItemSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "instructions",
            "unit",
            "mode",
            "sector",
            "source_recommendation",
            "source_analysis",
            "answer_due_on",
            "status",
            "created_by",
            "launched_at",
            "closed_at",
            "items",
        ]
        read_only_fields = fields
        # DRF drops allow_blank from read-only fields; these are answered blank ("" = none).
        extra_kwargs = {"sector": {"allow_blank": True}}


class ChecklistLineSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Problem.Category.choices)
    process_stage = serializers.PrimaryKeyRelatedField(
        queryset=ProcessStage.objects.all(), required=False, allow_null=True, default=None
    )
    text = TextField(max_length=max_length_of(CampaignItem, "text"))

    def validate(self, attrs):
        # In a PATCH, DRF skips every field a nested line leaves out; a line is still whole.
        missing = [name for name in ("category", "text") if name not in attrs]
        if missing:
            raise serializers.ValidationError(
                {name: [self.fields[name].error_messages["required"]] for name in missing}
            )
        return attrs


class CampaignUpdateSerializer(serializers.Serializer):
    """A draft's fields, checklist and targets: a sector (its units in your jurisdiction, resolved
    at launch) or chosen ``units``."""

    title = TextField(max_length=max_length_of(Campaign, "title"))
    instructions = TextField(
        max_length=max_length_of(Campaign, "instructions"),
        required=False,
        allow_blank=True,
        default="",
    )
    mode = serializers.ChoiceField(
        choices=Campaign.Mode.choices, required=False, default=Campaign.Mode.SELF
    )
    sector = serializers.ChoiceField(
        choices=Sector.choices, required=False, allow_blank=True, default=""
    )
    units = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), many=True, required=False, default=list
    )
    answer_due_on = serializers.DateField()
    items = ChecklistLineSerializer(many=True)


class CampaignCreateSerializer(CampaignUpdateSerializer):
    """A new draft, issued by your commission or ``unit``, perhaps drawn from a letter or an
    analysis."""

    unit = ScopedPrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    source_recommendation = ScopedPrimaryKeyRelatedField(
        queryset=Recommendation.objects.all(), required=False, allow_null=True, default=None
    )
    source_analysis = ScopedPrimaryKeyRelatedField(
        queryset=CrossCaseAnalysis.objects.all(), required=False, allow_null=True, default=None
    )


class CampaignUnitSerializer(ModelSerializer):
    """A unit's row. Its rectification list and the list's measures are shown only to those who
    read the list (an inspector's officer does not: null)."""

    found_count = serializers.IntegerField(read_only=True)
    open_count = serializers.IntegerField(read_only=True, allow_null=True)
    overdue_count = serializers.IntegerField(read_only=True, allow_null=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = CampaignUnit
        fields = [
            "id",
            "campaign",
            "unit",
            "status",
            "answered_at",
            "answered_by",
            "urged_count",
            "last_urged_on",
            "rectification",
            "inspector",
            "team",
            "found_count",
            "open_count",
            "overdue_count",
            "answers",
        ]
        read_only_fields = fields

    def get_answers(self, row) -> list[dict]:
        visible = getattr(row, "list_visible", True)
        return [
            {
                "item": answer.item_id,
                "found": answer.found,
                "finding": answer.finding,
                "rectification_item": answer.rectification_item_id if visible else None,
            }
            for answer in row.answers.all()
        ]

    def to_representation(self, row):
        data = super().to_representation(row)
        if row.rectification_id is not None and not getattr(row, "list_visible", True):
            data |= {"rectification": None, "open_count": None, "overdue_count": None}
        return data


class AnswerLineSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    found = serializers.BooleanField()
    finding = TextField(
        max_length=max_length_of(CampaignAnswer, "finding"),
        required=False,
        allow_blank=True,
        default="",
    )


class AnswersSerializer(serializers.Serializer):
    answers = AnswerLineSerializer(many=True, required=False, default=list)
    # 交叉检查: the inspection team (omitted: unchanged).
    team = TextField(
        max_length=max_length_of(CampaignUnit, "team"),
        required=False,
        allow_blank=True,
        default=None,
    )


class ReassignSerializer(serializers.Serializer):
    inspector = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all())


class SpotCheckFindingSerializer(ModelSerializer):
    class Meta:
        model = SpotCheckFinding
        fields = [
            "id",
            "campaign_unit",
            "item",
            "finding",
            "missed",
            "recorded_by",
            "created_at",
            "rectification_item",
        ]
        read_only_fields = fields


class SpotCheckCreateSerializer(serializers.Serializer):
    campaign_unit = ScopedPrimaryKeyRelatedField(queryset=CampaignUnit.objects.all())
    item = ScopedPrimaryKeyRelatedField(
        queryset=CampaignItem.objects.all(), required=False, allow_null=True, default=None
    )
    finding = TextField(max_length=max_length_of(SpotCheckFinding, "finding"))
    missed = serializers.BooleanField(required=False, default=False)


class UrgeSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None
    )


def _checklist(lines) -> list[services.ChecklistLine]:
    # A PATCH applies no defaults, to nested lines either: a line without a stage has none.
    return [
        services.ChecklistLine(line["category"], line.get("process_stage"), line["text"])
        for line in lines
    ]


@extend_schema_view(
    **read_schemas(CampaignSerializer),
    **write_schemas(
        CampaignSerializer, create=CampaignCreateSerializer, update=CampaignUpdateSerializer
    ),
    destroy=DELETED,
)
class CampaignViewSet(Ordered, ScopedViewSetMixin, viewsets.ModelViewSet):
    """举一反三: staff draft a campaign (its checklist, a sector or chosen units), edit or delete
    the draft, launch it, urge the units not answered and close it; the units are
    ``/campaign-units/?campaign={id}``."""

    queryset = Campaign.objects.select_related("unit").prefetch_related("items")
    serializer_class = CampaignSerializer
    filterset_fields = ["status", "sector", "unit"]
    ordering_fields = ["answer_due_on", "created_at"]

    def create(self, request, *args, **kwargs):
        require_perm(request.user, services.PERMS["create"])
        data = dict(validated(CampaignCreateSerializer, self))
        data["items"] = _checklist(data["items"])
        campaign = services.campaign_create(actor=request.user, **data)
        return detail_or_created(self.serializer_class, self.fresh(campaign), self, created=True)

    def update(self, request, *args, **kwargs):
        """Edit a draft (PATCH: only the fields sent; ``items`` and the targets, when sent,
        replace the checklist and the units)."""
        campaign = self.get_object()
        # The role's right first (the rule the service checks): a 403, not a 400 on the body.
        require_perm(request.user, services.PERMS["edit"], campaign)
        current = {
            "title": campaign.title,
            "instructions": campaign.instructions,
            "mode": campaign.mode,
            "sector": campaign.sector,
            "units": [row.unit for row in campaign.units.select_related("unit")],
            "answer_due_on": campaign.answer_due_on,
            "items": [
                services.ChecklistLine(item.category, item.process_stage, item.text)
                for item in campaign.items.select_related("process_stage")
            ],
        }
        data = changed_fields(CampaignUpdateSerializer, self, partial=kwargs.get("partial"))
        if "items" in data:
            data["items"] = _checklist(data["items"])
        if "sector" in data and "units" not in data:
            current["units"] = []  # a sector sent alone replaces the chosen units
        if "units" in data and "sector" not in data:
            current["sector"] = ""
        services.campaign_update(campaign=campaign, actor=request.user, **current | data)
        return detail_or_created(self.serializer_class, self.fresh(campaign), self)

    def destroy(self, request, *args, **kwargs):
        """Delete a draft with its checklist and chosen units."""
        services.campaign_delete(campaign=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: CampaignSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        """Staff launch the draft: a sector's units are resolved, every unit's officers told."""
        campaign = self.get_object()
        services.campaign_launch(campaign=campaign, actor=request.user)
        return detail_or_created(self.serializer_class, self.fresh(campaign), self)

    @extend_schema(request=UrgeSerializer, responses={200: CampaignSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        """Staff or a supervisor urge the units not answered (all, or the given campaign units),
        each at most once a day."""
        campaign = self.get_object()
        ids = validated(UrgeSerializer, self)["units"]
        units = None
        if ids is not None:
            units = list(CampaignUnit.objects.restrict(request.user).filter(pk__in=ids))
        services.campaign_urge(campaign=campaign, actor=request.user, units=units)
        return detail_or_created(self.serializer_class, self.fresh(campaign), self)

    @extend_schema(request=None, responses={200: CampaignSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Staff close the campaign."""
        campaign = self.get_object()
        services.campaign_close(campaign=campaign, actor=request.user)
        return detail_or_created(self.serializer_class, self.fresh(campaign), self)


@extend_schema_view(**read_schemas(CampaignUnitSerializer))
class CampaignUnitViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The units of campaigns: their answers, progress and self-inspection list. An officer
    answers (saved as a draft) and submits."""

    queryset = CampaignUnit.objects.select_related("campaign").prefetch_related(
        Prefetch("answers", queryset=CampaignAnswer.objects.order_by("item__number"))
    )
    serializer_class = CampaignUnitSerializer
    filterset_fields = ["campaign", "status", "unit"]
    ordering_fields = ["campaign", "unit"]

    def get_queryset(self):
        queryset = progress.with_unit_progress(super().get_queryset())
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return progress.with_list_visible(queryset, self.request.user)

    def _lines(self, row):
        data = validated(AnswersSerializer, self)["answers"]
        items = {item.pk: item for item in row.campaign.items.all()}
        lines = []
        for line in data:
            item = items.get(line["item"])
            if item is None:
                raise serializers.ValidationError(
                    {"answers": [_("This item is not on the campaign's checklist.")]},
                    code="does_not_exist",
                )
            lines.append(services.AnswerLine(item, line["found"], line["finding"]))
        return lines

    @extend_schema(
        request=AnswersSerializer, responses={200: CampaignUnitSerializer, **TRANSITION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The unit's officer saves answers as a draft (some items or all)."""
        row = self.get_object()
        services.answers_save(
            campaign_unit=row,
            actor=request.user,
            answers=self._lines(row),
            team=validated(AnswersSerializer, self)["team"],
        )
        return detail_or_created(self.serializer_class, self.fresh(row), self)

    @extend_schema(
        request=AnswersSerializer, responses={200: CampaignUnitSerializer, **TRANSITION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The unit's officer submits (with any last answers): every item answered; what was
        found becomes the unit's self-inspection rectification list."""
        row = self.get_object()
        services.answers_submit(
            campaign_unit=row,
            actor=request.user,
            answers=self._lines(row),
            team=validated(AnswersSerializer, self)["team"],
        )
        return detail_or_created(self.serializer_class, self.fresh(row), self)

    @extend_schema(
        request=ReassignSerializer, responses={200: CampaignUnitSerializer, **TRANSITION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """交叉检查: staff in scope give a unit not yet answered another inspector (a unit of
        their jurisdiction, not the unit, above or below it); its officers are told."""
        row = self.get_object()
        inspector = validated(ReassignSerializer, self)["inspector"]
        services.inspector_reassign(campaign_unit=row, actor=request.user, inspector=inspector)
        return detail_or_created(self.serializer_class, self.fresh(row), self)


@extend_schema_view(
    **read_schemas(SpotCheckFindingSerializer),
    create=extend_schema(
        request=SpotCheckCreateSerializer,
        responses={201: SpotCheckFindingSerializer, **TRANSITION_ERRORS},
    ),
)
class SpotCheckFindingViewSet(
    Ordered, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """机动督查组随机抽查: what staff's spot checks found on units a cross-inspection answered for;
    each is an item of the inspected unit's list, one the inspection missed (``missed``) is
    notified to the inspector unit. Staff in scope record one (POST)."""

    queryset = SpotCheckFinding.objects.select_related("campaign_unit")
    serializer_class = SpotCheckFindingSerializer
    filterset_fields = ["campaign_unit", "missed"]
    ordering_fields = ["created_at"]

    def create(self, request, *args, **kwargs):
        require_perm(request.user, services.PERMS["spot_check"])
        data = validated(SpotCheckCreateSerializer, self)
        spot_check = services.spot_check_record(actor=request.user, **data)
        return detail_or_created(self.serializer_class, self.fresh(spot_check), self, created=True)
