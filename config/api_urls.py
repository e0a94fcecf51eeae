"""The REST API, mounted at ``/api/v1/``: one router over every app's viewsets, the token
endpoint, and the OpenAPI schema with Swagger UI and ReDoc served from vendored assets."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import exceptions, permissions
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.routers import DefaultRouter

from accounts.api.views import ObtainTokenView, OrgUnitViewSet
from campaigns.api.views import CampaignUnitViewSet, CampaignViewSet, SpotCheckFindingViewSet
from cases.api.views import (
    CaseViewSet,
    ProblemCategoryViewSet,
    ProblemViewSet,
    ProcessStageViewSet,
    SectorViewSet,
    ViolationTypeViewSet,
)
from crosscase.api.views import CrossCaseAnalysisViewSet
from negativelists.api.views import (
    NegativeListCheckViewSet,
    NegativeListEntryViewSet,
    NegativeListViewSet,
)
from notifications.api.views import NotificationViewSet
from oversight.api import EvaluationRankingViewSet, StatisticsViewSet
from recommendations.api.evaluation import (
    EvaluationSessionViewSet,
    EvaluationTemplateViewSet,
    IndicatorScoreViewSet,
)
from recommendations.api.views import (
    EvaluationViewSet,
    RecommendationItemViewSet,
    RecommendationViewSet,
)
from reforms.api.reconciliation import ReconciliationRoundViewSet, ReconciliationRowViewSet
from reforms.api.views import (
    ActivityViewSet,
    EvidenceViewSet,
    ExtensionRequestViewSet,
    FollowUpMeasureViewSet,
    FollowUpViewSet,
    MeasureViewSet,
    ProgressReportViewSet,
    ReboundFlagViewSet,
    RuleChangeViewSet,
)

app_name = "api"


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
def not_found(request, path=""):
    """Any other address under the API: a JSON 404 like every other error, never an HTML page."""
    raise exceptions.NotFound()


# ReDoc styles itself with <style> elements injected as its bundle loads, before any nonce could
# reach it, and runs its search in a worker made from a blob: on this page only (the public
# schema; scripts still 'self' only) both pass.
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api:schema")
)

router = DefaultRouter()
# One address per resource: no ".json" twins (the actions' signatures take no format, and the
# media type is negotiated by the Accept header anyway).
router.include_format_suffixes = False
router.register("org-units", OrgUnitViewSet, basename="orgunit")
router.register("cases", CaseViewSet, basename="case")
router.register("problems", ProblemViewSet, basename="problem")
router.register("violation-types", ViolationTypeViewSet, basename="violationtype")
router.register("process-stages", ProcessStageViewSet, basename="processstage")
router.register("sectors", SectorViewSet, basename="sector")
router.register("problem-categories", ProblemCategoryViewSet, basename="problemcategory")
router.register("cross-case-analyses", CrossCaseAnalysisViewSet, basename="crosscaseanalysis")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("recommendation-items", RecommendationItemViewSet, basename="recommendationitem")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("evaluation-templates", EvaluationTemplateViewSet, basename="evaluationtemplate")
router.register("evaluation-sessions", EvaluationSessionViewSet, basename="evaluationsession")
router.register("indicator-scores", IndicatorScoreViewSet, basename="indicatorscore")
router.register("measures", MeasureViewSet, basename="measure")
router.register("progress-reports", ProgressReportViewSet, basename="progressreport")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("extension-requests", ExtensionRequestViewSet, basename="extensionrequest")
router.register("rule-changes", RuleChangeViewSet, basename="rulechange")
router.register("activities", ActivityViewSet, basename="activity")
router.register("follow-ups", FollowUpViewSet, basename="followup")
router.register("reconciliation-rounds", ReconciliationRoundViewSet, basename="reconciliationround")
router.register("reconciliation-rows", ReconciliationRowViewSet, basename="reconciliationrow")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("campaign-units", CampaignUnitViewSet, basename="campaignunit")
router.register("spot-check-findings", SpotCheckFindingViewSet, basename="spotcheckfinding")
router.register("follow-up-measures", FollowUpMeasureViewSet, basename="followupmeasure")
router.register("rebound-flags", ReboundFlagViewSet, basename="reboundflag")
router.register("negative-lists", NegativeListViewSet, basename="negativelist")
router.register("negative-list-entries", NegativeListEntryViewSet, basename="negativelistentry")
router.register("negative-list-checks", NegativeListCheckViewSet, basename="negativelistcheck")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("statistics", StatisticsViewSet, basename="statistics")
router.register("evaluation-ranking", EvaluationRankingViewSet, basename="evaluationranking")

urlpatterns = [
    path("token/", ObtainTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script from its own URL: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("redoc/", redoc, name="redoc"),
    path("", include(router.urls)),
    # [\s\S]: any character, newlines included (a "." would let a newline fall through to HTML).
    re_path(r"^(?P<path>[\s\S]*)$", not_found),
]
