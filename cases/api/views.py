"""Cases over REST: discipline staff write through ``services``, supervisors read."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Sector
from audit import log as audit
from cases import services, typical
from cases.filters import CaseFilter, ProblemFilter
from cases.models import Case, Problem, ProcessStage, ViolationType
from core.api import (
    ERROR_RESPONSES,
    TRANSITION_ERRORS,
    UNPAGED_LIST,
    CanViewModel,
    Ordered,
    ScopedViewSetMixin,
    bulk_create,
    detail_or_created,
    read_schemas,
    validated,
    write_schemas,
)
from core.domain import require_perm

from . import serializers as s


@extend_schema_view(
    **read_schemas(s.CaseSerializer),
    **write_schemas(s.CaseSerializer, create=s.CaseWriteSerializer, update=s.CaseWriteSerializer),
)
class CaseViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Cases with their subjects and analysis: discipline staff and supervisors only
    (confidential content); staff log and edit them."""

    queryset = Case.objects.select_related("analysis", "typical").prefetch_related(
        "subjects", "violation_types"
    )
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter
    scoped_relations = {"linked_cases": Case}

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        audit.record_view(request, case)
        return Response(self.get_serializer(case).data)

    def create(self, request, *args, **kwargs):
        require_perm(request.user, "cases.add_case")
        data = validated(s.CaseWriteSerializer, self)
        case = services.case_create(actor=request.user, **data)
        return detail_or_created(s.CaseSerializer, self.fresh(case), self, created=True)

    def update(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = s.CaseWriteSerializer(
            data=request.data,
            partial=kwargs.get("partial", False),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        services.case_update(case=case, actor=request.user, **serializer.validated_data)
        return detail_or_created(s.CaseSerializer, self.fresh(case), self)

    @extend_schema(
        request=s.CaseAnalysisSerializer,
        responses={200: s.CaseAnalysisSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["put"])
    def analysis(self, request, pk=None):
        """Write the case analysis (案件剖析): trajectory, root causes, loopholes, lessons."""
        case = self.get_object()
        data = validated(s.CaseAnalysisSerializer, self)
        analysis = services.analysis_save(case=case, actor=request.user, **data)
        return detail_or_created(s.CaseAnalysisSerializer, analysis, self)

    @extend_schema(
        request=s.TypicalMarkSerializer, responses={200: s.CaseSerializer, **TRANSITION_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="mark-typical")
    def mark_typical(self, request, pk=None):
        """Staff mark a closed case as typical (典型案例): why (a reason at least), for whom."""
        case = self.get_object()
        data = validated(s.TypicalMarkSerializer, self)
        typical.case_mark_typical(case=case, actor=request.user, **data)
        return detail_or_created(s.CaseSerializer, self.fresh(case), self)

    @extend_schema(
        request=s.TypicalUnmarkSerializer, responses={200: s.CaseSerializer, **TRANSITION_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="unmark-typical")
    def unmark_typical(self, request, pk=None):
        """Staff withdraw the case's selection as a typical case, with the reason."""
        case = self.get_object()
        data = validated(s.TypicalUnmarkSerializer, self)
        typical.case_unmark_typical(case=case, actor=request.user, **data)
        return detail_or_created(s.CaseSerializer, self.fresh(case), self)


@extend_schema_view(
    **read_schemas(s.ProblemSerializer),
    **write_schemas(
        s.ProblemSerializer, create=s.ProblemWriteSerializer, update=s.ProblemUpdateSerializer
    ),
)
class ProblemViewSet(
    Ordered,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The problem lists (问题清单) of the cases in jurisdiction."""

    queryset = Problem.objects.select_related("process_stage")
    serializer_class = s.ProblemSerializer
    filterset_class = ProblemFilter
    ordering_fields = ["case", "category", "created_at"]

    def create(self, request, *args, **kwargs):
        require_perm(request.user, "cases.add_problem")
        data = validated(s.ProblemWriteSerializer, self)
        problem = services.problem_add(actor=request.user, **data)
        return detail_or_created(s.ProblemSerializer, problem, self, created=True)

    @extend_schema(
        request=s.ProblemWriteSerializer(many=True),
        responses={201: s.ProblemSerializer(many=True), **TRANSITION_ERRORS},
    )
    @action(detail=False, methods=["post"], **UNPAGED_LIST)
    def bulk(self, request):
        """A case's problem list at once (a JSON array, at most ``API_BULK_MAX``): all or none."""
        require_perm(request.user, "cases.add_problem")
        problems = services.ProblemList(request.user)
        return bulk_create(
            self,
            s.ProblemWriteSerializer,
            s.ProblemSerializer,
            lambda data: problems.add(**data),
            problems.save,
        )

    def update(self, request, *args, **kwargs):
        problem = self.get_object()
        serializer = s.ProblemUpdateSerializer(
            data=request.data,
            partial=kwargs.get("partial", False),
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        problem = services.problem_update(
            problem=problem, actor=request.user, **serializer.validated_data
        )
        return detail_or_created(s.ProblemSerializer, problem, self)


class TaxonomyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A shared list (``cases/models.py``), in its order: the ids the writes take, with names."""

    serializer_class = s.TaxonomySerializer
    permission_classes = [permissions.IsAuthenticated, CanViewModel]
    pagination_class = None


@extend_schema_view(
    list=extend_schema(responses={200: s.TaxonomySerializer(many=True), **ERROR_RESPONSES})
)
class ViolationTypeViewSet(TaxonomyViewSet):
    """违纪违法类型: what a case's ``violation_types`` take (by id)."""

    queryset = ViolationType.objects.all()


@extend_schema_view(
    list=extend_schema(responses={200: s.TaxonomySerializer(many=True), **ERROR_RESPONSES})
)
class ProcessStageViewSet(TaxonomyViewSet):
    """业务环节: what a problem's ``process_stage`` takes (by id)."""

    queryset = ProcessStage.objects.all()


class ChoicesViewSet(viewsets.ViewSet):
    """A fixed list of choices, as ``value`` and ``label`` (the label in the user's language)."""

    choices = ()
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: s.ChoiceSerializer(many=True), **ERROR_RESPONSES})
    def list(self, request):
        rows = [{"value": value, "label": str(label)} for value, label in self.choices]
        return Response(s.ChoiceSerializer(rows, many=True).data)


class SectorViewSet(ChoicesViewSet):
    """行业领域: what a case's ``sector`` and the ``sector`` filters take."""

    choices = Sector.choices


class ProblemCategoryViewSet(ChoicesViewSet):
    """问题类别: what a problem's ``category`` takes."""

    choices = Problem.Category.choices
