"""Measures and the records around them over REST: scoped reads, writes through ``services``."""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api import (
    DELETED,
    ERROR_RESPONSES,
    TRANSITION_ERRORS,
    UNPAGED_LIST,
    Ordered,
    ScopedViewSetMixin,
    bulk_create,
    changed_fields,
    detail_or_created,
    read_schemas,
    transition_schema,
    validated,
    write_schemas,
)
from core.domain import require_perm
from core.uploads import attachment_response
from reforms import services
from reforms.filters import (
    ActivityFilter,
    EvidenceFilter,
    ExtensionRequestFilter,
    FollowUpFilter,
    FollowUpMeasureFilter,
    MeasureFilter,
    ProgressReportFilter,
    ReboundFlagFilter,
    RuleChangeFilter,
)
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
)

from . import serializers as s


@extend_schema_view(
    **read_schemas(s.MeasureSerializer),
    **write_schemas(
        s.MeasureSerializer, create=s.MeasureCreateSerializer, update=s.MeasureUpdateSerializer
    ),
)
class MeasureViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Rectification measures (整改措施) with their 三色预警 colour; filters as on the list page."""

    queryset = Measure.objects.select_related("item")
    serializer_class = s.MeasureSerializer
    filterset_class = MeasureFilter

    def create(self, request, *args, **kwargs):
        # The role's right first (the same rule the service checks), so a refusal is a 403 and
        # not a complaint about ids the user cannot see anyway.
        require_perm(request.user, "reforms.add_measure")
        data = validated(s.MeasureCreateSerializer, self)
        measure = services.measure_create(actor=request.user, **data)
        return detail_or_created(s.MeasureSerializer, self.fresh(measure), self, created=True)

    @extend_schema(
        request=s.MeasureCreateSerializer(many=True),
        responses={201: s.MeasureSerializer(many=True), **TRANSITION_ERRORS},
    )
    @action(detail=False, methods=["post"], **UNPAGED_LIST)
    def bulk(self, request):
        """A rectification plan at once (a JSON array, at most ``API_BULK_MAX``): all or none."""
        require_perm(request.user, "reforms.add_measure")
        plan = services.MeasurePlan(request.user)
        return bulk_create(
            self,
            s.MeasureCreateSerializer,
            s.MeasureSerializer,
            lambda data: plan.add(**data),
            plan.save,
        )

    def update(self, request, *args, **kwargs):
        measure = self.get_object()
        serializer = s.MeasureUpdateSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        current = {field: getattr(measure, field) for field in s.MeasureUpdateSerializer().fields}
        changes = serializer.validated_data
        services.measure_update(measure=measure, actor=request.user, **current | changes)
        return detail_or_created(s.MeasureSerializer, self.fresh(measure), self)

    @extend_schema(responses={200: s.MeasureTransitionSerializer(many=True), **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """Every state change of the measure: who, when, from which state to which, and why."""
        measure = self.get_object()
        rows = MeasureTransition.objects.restrict(request.user).filter(measure=measure)
        context = self.get_serializer_context()
        return Response(s.MeasureTransitionSerializer(rows, many=True, context=context).data)

    @transition_schema(
        s.ProgressReportSerializer,
        created=True,
        request={
            "multipart/form-data": s.ProgressWithFilesSerializer,
            "application/json": s.ProgressCreateSerializer,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, JSONParser])
    def progress(self, request, pk=None):
        """The unit reports progress, optionally with evidence files (multipart ``files``)."""
        measure = self.get_object()
        with_files = request.content_type.startswith("multipart/")
        data = validated(
            s.ProgressWithFilesSerializer if with_files else s.ProgressCreateSerializer, self
        )
        report = services.progress_report_add(
            measure=measure,
            actor=request.user,
            content=data["content"],
            percent_complete=data["percent_complete"],
            files=tuple(data.get("files", ())),
        )
        return detail_or_created(s.ProgressReportSerializer, report, self, created=True)

    @transition_schema(s.MeasureSerializer, request=s.NoteSerializer)
    @action(detail=True, methods=["post"], url_path="request-signoff")
    def request_signoff(self, request, pk=None):
        """The unit asks for the measure to be ticked off (申请销号); evidence is required."""
        measure = self.get_object()
        data = validated(s.NoteSerializer, self)
        services.measure_request_signoff(measure=measure, actor=request.user, note=data["note"])
        return detail_or_created(s.MeasureSerializer, self.fresh(measure), self)

    @transition_schema(s.MeasureSerializer, request=s.NoteSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """Discipline staff verify the evidence and tick the measure off (销号)."""
        measure = self.get_object()
        data = validated(s.NoteSerializer, self)
        services.measure_sign_off(measure=measure, actor=request.user, note=data["note"])
        return detail_or_created(s.MeasureSerializer, self.fresh(measure), self)

    @transition_schema(s.MeasureSerializer, request=s.ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_measure(self, request, pk=None):
        """Discipline staff send the measure back with a reason (e.g. 纸面整改)."""
        measure = self.get_object()
        data = validated(s.ReturnSerializer, self)
        services.measure_return(measure=measure, actor=request.user, **data)
        return detail_or_created(s.MeasureSerializer, self.fresh(measure), self)

    @transition_schema(
        s.ExtensionRequestSerializer, created=True, request=s.ExtensionCreateSerializer
    )
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        """The unit asks to move the current due date later, giving its reason."""
        measure = self.get_object()
        data = validated(s.ExtensionCreateSerializer, self)
        extension = services.extension_request_submit(measure=measure, actor=request.user, **data)
        return detail_or_created(s.ExtensionRequestSerializer, extension, self, created=True)


@extend_schema_view(**read_schemas(s.ProgressReportSerializer))
class ProgressReportViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ProgressReport.objects.prefetch_related("evidence")
    serializer_class = s.ProgressReportSerializer
    filterset_class = ProgressReportFilter
    ordering_fields = ["reported_at", "percent_complete"]


@extend_schema_view(
    **read_schemas(s.EvidenceSerializer),
    **write_schemas(
        s.EvidenceSerializer, create={"multipart/form-data": s.EvidenceUploadSerializer}
    ),
)
class EvidenceViewSet(
    Ordered, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """佐证材料: upload through the service (size- and type-checked), download as an attachment."""

    queryset = Evidence.objects.all()
    serializer_class = s.EvidenceSerializer
    filterset_class = EvidenceFilter
    ordering_fields = ["uploaded_at", "size", "original_name"]
    parser_classes = [MultiPartParser]

    def create(self, request, *args, **kwargs):
        data = validated(s.EvidenceUploadSerializer, self)
        evidence = services.evidence_add(
            measure=data["measure"],
            actor=request.user,
            file=data["file"],
            description=data["description"],
        )
        return detail_or_created(s.EvidenceSerializer, evidence, self, created=True)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description=gettext_lazy("The file, as an attachment")
            ),
            **ERROR_RESPONSES,
        }
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def download(self, request, pk=None):
        """The file itself (``Content-Disposition: attachment``) under its original name."""
        evidence = self.get_object()
        return attachment_response(evidence.content(), evidence.original_name)


@extend_schema_view(**read_schemas(s.ExtensionRequestSerializer))
class ExtensionRequestViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ExtensionRequest.objects.all()
    serializer_class = s.ExtensionRequestSerializer
    filterset_class = ExtensionRequestFilter
    ordering_fields = ["requested_at", "requested_due_on", "status"]

    @transition_schema(s.ExtensionRequestSerializer, request=s.NoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Staff approve: the measure's current due date moves; the original one stays."""
        extension = self.get_object()
        data = validated(s.NoteSerializer, self)
        services.extension_request_approve(request=extension, actor=request.user, note=data["note"])
        return detail_or_created(s.ExtensionRequestSerializer, extension, self)

    @transition_schema(s.ExtensionRequestSerializer, request=s.RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Staff refuse the extension, saying why."""
        extension = self.get_object()
        data = validated(s.RejectSerializer, self)
        services.extension_request_reject(request=extension, actor=request.user, note=data["note"])
        return detail_or_created(s.ExtensionRequestSerializer, extension, self)


class _OutcomeViewSet(Ordered, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Outcomes written through ``services``: create against a measure or a recommendation, then
    correct the kind, wording, date and count, or delete. The unit's officer writes for their
    unit, staff for their jurisdiction; other roles read or are refused."""

    create_serializer = update_serializer = None
    create_outcome = update_outcome = delete_outcome = None
    record_name = ""

    def create(self, request, *args, **kwargs):
        # The role's right first, so a supervisor's attempt is a 403, not a complaint about ids.
        require_perm(request.user, f"reforms.add_{self.queryset.model._meta.model_name}")
        data = validated(self.create_serializer, self)
        outcome = type(self).create_outcome(actor=request.user, **data)
        return detail_or_created(self.serializer_class, self.fresh(outcome), self, created=True)

    @action(detail=False, methods=["post"], **UNPAGED_LIST)
    def bulk(self, request):
        """Many at once (a JSON array, at most ``API_BULK_MAX``): all or none."""
        require_perm(request.user, f"reforms.add_{self.queryset.model._meta.model_name}")
        return bulk_create(
            self,
            self.create_serializer,
            self.serializer_class,
            lambda data: type(self).create_outcome(actor=request.user, **data),
        )

    def update(self, request, *args, **kwargs):
        outcome = self.get_object()
        current = {field: getattr(outcome, field) for field in self.update_serializer().fields}
        data = changed_fields(self.update_serializer, self, partial=kwargs.get("partial"))
        type(self).update_outcome(
            actor=request.user, **{self.record_name: outcome}, **current | data
        )
        return detail_or_created(self.serializer_class, self.fresh(outcome), self)

    def destroy(self, request, *args, **kwargs):
        outcome = self.get_object()
        type(self).delete_outcome(actor=request.user, **{self.record_name: outcome})
        return Response(status=204)


def _bulk_schema(create_serializer, serializer):
    return extend_schema(
        request=create_serializer(many=True),
        responses={201: serializer(many=True), **TRANSITION_ERRORS},
    )


@extend_schema_view(
    **read_schemas(s.RuleChangeSerializer),
    **write_schemas(
        s.RuleChangeSerializer,
        create=s.RuleChangeCreateSerializer,
        update=s.RuleChangeUpdateSerializer,
    ),
    destroy=DELETED,
    bulk=_bulk_schema(s.RuleChangeCreateSerializer, s.RuleChangeSerializer),
)
class RuleChangeViewSet(_OutcomeViewSet):
    """制度 立改废释: rules the unit established, revised, abolished or interpreted."""

    queryset = RuleChange.objects.all()
    serializer_class = s.RuleChangeSerializer
    filterset_class = RuleChangeFilter
    ordering_fields = ["effective_on", "kind", "created_at"]
    create_serializer = s.RuleChangeCreateSerializer
    update_serializer = s.RuleChangeUpdateSerializer
    create_outcome = staticmethod(services.rule_change_create)
    update_outcome = staticmethod(services.rule_change_update)
    delete_outcome = staticmethod(services.rule_change_delete)
    record_name = "rule_change"


@extend_schema_view(
    **read_schemas(s.ActivitySerializer),
    **write_schemas(
        s.ActivitySerializer, create=s.ActivityCreateSerializer, update=s.ActivityUpdateSerializer
    ),
    destroy=DELETED,
    bulk=_bulk_schema(s.ActivityCreateSerializer, s.ActivitySerializer),
)
class ActivityViewSet(_OutcomeViewSet):
    """警示教育, 专题民主生活会, 谈心谈话/提醒谈话, 轮岗交流: with date and head count (人次)."""

    queryset = Activity.objects.all()
    serializer_class = s.ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["held_on", "participant_count", "kind"]
    create_serializer = s.ActivityCreateSerializer
    update_serializer = s.ActivityUpdateSerializer
    create_outcome = staticmethod(services.activity_create)
    update_outcome = staticmethod(services.activity_update)
    delete_outcome = staticmethod(services.activity_delete)
    record_name = "activity"


@extend_schema_view(**read_schemas(s.FollowUpSerializer))
class FollowUpViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """回头看: scheduled via ``POST /recommendations/{id}/follow-ups/``, recorded here."""

    queryset = FollowUp.objects.select_related("recommendation")
    serializer_class = s.FollowUpSerializer
    filterset_class = FollowUpFilter
    ordering_fields = ["scheduled_on", "conducted_on"]

    @transition_schema(s.FollowUpSerializer, request=s.FollowUpRecordSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Staff record how the review went; a rebound needs its findings."""
        follow_up = self.get_object()
        data = validated(s.FollowUpRecordSerializer, self)
        services.follow_up_record(follow_up=follow_up, actor=request.user, **data)
        return detail_or_created(s.FollowUpSerializer, follow_up, self)

    @transition_schema(
        s.FollowUpMeasureSerializer(many=True), created=True, request=s.FollowUpChooseSerializer
    )
    @action(detail=True, methods=["post"], **UNPAGED_LIST)
    def measures(self, request, pk=None):
        """Staff choose the measures to review: all the letter's signed-off measures, or a random
        sample of ``sample_size`` (recorded as the review's rows, ``/follow-up-measures/``)."""
        follow_up = self.get_object()
        data = validated(s.FollowUpChooseSerializer, self)
        rows = services.follow_up_choose_measures(follow_up=follow_up, actor=request.user, **data)
        context = self.get_serializer_context()
        return Response(s.FollowUpMeasureSerializer(rows, many=True, context=context).data, 201)

    @transition_schema(s.ActivitySerializer, created=True, request=s.FollowUpConcludeSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """A recorded review ends with a public notice (通报) or an admonition talk (约谈)."""
        follow_up = self.get_object()
        data = validated(s.FollowUpConcludeSerializer, self)
        activity = services.follow_up_conclude(follow_up=follow_up, actor=request.user, **data)
        return detail_or_created(s.ActivitySerializer, activity, self, created=True)


@extend_schema_view(**read_schemas(s.FollowUpMeasureSerializer))
class FollowUpMeasureViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The measures a follow-up review looks at; each marked held or rebounded (reopening it)."""

    queryset = FollowUpMeasure.objects.select_related("follow_up", "measure")
    serializer_class = s.FollowUpMeasureSerializer
    filterset_class = FollowUpMeasureFilter
    ordering_fields = ["checked_at"]

    @transition_schema(s.FollowUpMeasureSerializer, request=s.FollowUpMarkSerializer)
    @action(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        """Held, or rebounded with findings and a new due date: the measure is reopened and the
        unit's officers and its owner are told."""
        row = self.get_object()
        data = validated(s.FollowUpMarkSerializer, self)
        services.follow_up_mark(row=row, actor=request.user, **data)
        return detail_or_created(s.FollowUpMeasureSerializer, row, self)


@extend_schema_view(**read_schemas(s.ReboundFlagSerializer))
class ReboundFlagViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """整改反弹: new problems matching problems a signed-off measure addressed (staff and
    supervisors; a unit's officer sees none)."""

    queryset = ReboundFlag.objects.select_related("problem", "measure__item")
    serializer_class = s.ReboundFlagSerializer
    filterset_class = ReboundFlagFilter
    ordering_fields = ["flagged_at"]
