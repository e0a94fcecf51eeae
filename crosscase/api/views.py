"""Cross-case analyses over REST: staff write through ``crosscase.analysis``, supervisors read;
``…/<id>/tables/`` answers the figures, computed at the request."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit import log as audit
from cases.models import Case
from core.api import (
    DELETED,
    ERROR_RESPONSES,
    Ordered,
    ScopedViewSetMixin,
    changed_fields,
    detail_or_created,
    read_schemas,
    validated,
    write_schemas,
)
from core.domain import require_perm
from crosscase import analysis as services
from crosscase import tables
from crosscase.filters import CrossCaseAnalysisFilter
from crosscase.models import CrossCaseAnalysis

from . import serializers as s


def _split(data: dict) -> tuple[dict, dict]:
    """The selection's fields and the findings' fields of a validated body."""
    findings = {name: data.pop(name) for name in services.FINDINGS_FIELDS if name in data}
    return data, findings


@extend_schema_view(
    **read_schemas(s.CrossCaseAnalysisSerializer),
    **write_schemas(
        s.CrossCaseAnalysisSerializer,
        create=s.CrossCaseAnalysisWriteSerializer,
        update=s.CrossCaseAnalysisWriteSerializer,
    ),
    destroy=DELETED,
)
class CrossCaseAnalysisViewSet(Ordered, ScopedViewSetMixin, viewsets.ModelViewSet):
    """类案分析: discipline staff and supervisors of the jurisdiction (case content)."""

    queryset = CrossCaseAnalysis.objects.select_related("created_by", "unit")
    serializer_class = s.CrossCaseAnalysisSerializer
    filterset_class = CrossCaseAnalysisFilter
    ordering_fields = ["created_at", "updated_at", "title"]
    scoped_relations = {"cases": Case}

    def retrieve(self, request, *args, **kwargs):
        analysis = self.get_object()
        audit.record_view(request, analysis)
        return Response(self.get_serializer(analysis).data)

    def create(self, request, *args, **kwargs):
        require_perm(request.user, "crosscase.add_crosscaseanalysis")
        selection, findings = _split(dict(validated(s.CrossCaseAnalysisWriteSerializer, self)))
        analysis = services.analysis_create(actor=request.user, **selection)
        if findings:
            services.analysis_write_findings(analysis=analysis, actor=request.user, **findings)
        return detail_or_created(
            s.CrossCaseAnalysisSerializer, self.fresh(analysis), self, created=True
        )

    def update(self, request, *args, **kwargs):
        analysis = self.get_object()
        data = changed_fields(
            s.CrossCaseAnalysisWriteSerializer, self, partial=kwargs.get("partial")
        )
        selection, findings = _split(data)
        if selection:
            analysis = services.analysis_update(analysis=analysis, actor=request.user, **selection)
        if findings:
            current = {name: getattr(analysis, name) for name in services.FINDINGS_FIELDS}
            services.analysis_write_findings(
                analysis=analysis, actor=request.user, **current | findings
            )
        if not (selection or findings):
            require_perm(request.user, services.PERMS["edit"], analysis)
        return detail_or_created(s.CrossCaseAnalysisSerializer, self.fresh(analysis), self)

    def destroy(self, request, *args, **kwargs):
        services.analysis_delete(analysis=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: s.CrossCaseTablesSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"])
    def tables(self, request, pk=None):
        """The figures of the analysis's cases as they stand now: the cases, amounts, levels and
        一把手; violation types; problems by category × process stage; rectification."""
        analysis = self.get_object()
        figures = tables.tables(analysis, request.user)
        figures["matrix"] = figures["matrix"].as_dict()
        return Response(s.CrossCaseTablesSerializer(figures).data)
