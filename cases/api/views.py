"""Cases over REST: discipline staff write through ``services``, supervisors read."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit import log as audit
from cases import services
from cases.filters import CaseFilter, ProblemFilter
from cases.models import Case, Problem
from core.api import (
    TRANSITION_ERRORS,
    Ordered,
    ScopedViewSetMixin,
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

    queryset = Case.objects.select_related("analysis").prefetch_related(
        "subjects", "violation_types"
    )
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        audit.record_view(request, case)
        return Response(self.get_serializer(case).data)

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        visible = Case.objects.restrict(self.request.user).only("pk")
        return queryset.prefetch_related(Prefetch("linked_cases", queryset=visible))

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
