"""Document downloads: PDFs (``documents.py``) and Excel exports (``excel.py``), all scoped.

Every object comes through ``scoped_object_or_404`` (out of jurisdiction is a 404) and every list
through ``Model.objects.restrict(user)`` and the page's own FilterSet. Unit officers may download
the letter addressed to their unit and their measures' ledger, never case content.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from accounts.confidentiality import VIEW_CASE_CONTENT
from campaigns import progress as campaign_progress
from campaigns.models import Campaign, CampaignUnit
from cases.filters import CaseFilter, with_top_leader_flag
from cases.models import Case
from core.db import primary_reads, reads_from_replica
from core.domain import shanghai_today
from core.filters import chosen_record
from core.pages import permission_required_or, require_permission, scoped_object_or_404
from crosscase import tables as crosscase_tables
from crosscase.models import CrossCaseAnalysis
from negativelists.models import NegativeList
from recommendations.filters import RecommendationFilter
from recommendations.models import EvaluationSession, Recommendation
from reforms.filters import MeasureFilter
from reforms.models import Measure, ReconciliationRound, ReconciliationRow

from . import documents, excel, tasks
from .dashboard import evaluation_period, evaluation_ranking
from .job_pages import job_pages
from .models import DocumentJob

logger = logging.getLogger(__name__)
PDF = "application/pdf"


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def within_budget(view):
    """A PDF that outran ``DOCUMENT_TIME_BUDGET_SECONDS``: a 503 page saying so, in the user's
    language ("文档生成超时，请稍后重试或联系管理员。"), not a worker killed by gunicorn."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except documents.DocumentTimeout as refusal:
            response = render(
                request, "documents/timeout.html", {"message": refusal.message}, status=503
            )
            response["Retry-After"] = "120"
            return response

    return wrapper


@login_required
@require_GET
@within_budget
def letter_pdf(request, pk):
    """纪检监察建议书 / 以案促改通知书: staff and supervisors in scope, and the recipient unit."""
    recommendation = scoped_object_or_404(
        Recommendation.objects.select_related("issuer", "recipient_unit"),
        request.user,
        pk=pk,
    )
    pdf = documents.recommendation_pdf(request.user, recommendation)
    return attachment(pdf, documents.document_filename(recommendation), PDF)


def measure_filter(request) -> MeasureFilter:
    """The measure list's filter over the user's measures: the same rows as the page."""
    require_permission(request.user, "reforms.view_measure")
    measures = Measure.objects.restrict(request.user).select_related("unit", "item__recommendation")
    return MeasureFilter(request.GET or None, queryset=measures, request=request)


def ledger_request(request):
    """What the ledger of the measure list as filtered is: (its measures, subtitle, file name)."""
    filterset = measure_filter(request)
    chosen = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    recommendation = chosen_record(chosen.get("recommendation"))
    unit = chosen_record(chosen.get("unit"))
    if recommendation is not None:
        subtitle = f"{recommendation.recipient_unit.name}　{recommendation.doc_number}"
        name = f"整改台账-{recommendation.doc_number}.pdf"
    elif unit is not None:
        subtitle, name = unit.name, f"整改台账-{unit.name}.pdf"
    else:
        org = request.user.org_unit
        subtitle = org.name if org else ""
        name = f"整改台账-{shanghai_today():%Y%m%d}.pdf"
    return filterset.qs, subtitle, name


@login_required
@require_GET
@within_budget
@reads_from_replica
def ledger_pdf(request):
    """整改台账 of the measure list as filtered (``?recommendation=…`` or ``?unit=…``).

    Up to ``DOCUMENT_ASYNC_MEASURES`` measures it is made in the request; a larger one becomes a
    ``DocumentJob`` for Celery, and the user is sent to its progress page (``document_views``).
    """
    measures, subtitle, name = ledger_request(request)
    count = measures.count()
    if count > settings.DOCUMENT_ASYNC_MEASURES:
        job = DocumentJob.objects.create(
            kind=DocumentJob.Kind.LEDGER,
            query=request.GET.urlencode()[:2000],
            subtitle=subtitle[:300],
            filename=name[:255],
            total=count,
            created_by=request.user,
        )
        transaction.on_commit(lambda: start_document_job(job.pk))
        return redirect("documents:document_job", pk=job.pk)
    pdf = documents.ledger_pdf(request.user, measures, title="整改台账", subtitle=subtitle)
    return attachment(pdf, name, PDF)


def start_document_job(job_pk: int) -> None:
    """Send the job to Celery; if the broker is down, make the document here rather than never."""
    try:
        tasks.make_document.delay(job_pk)
    except Exception:  # kombu's OperationalError and friends: the broker is unreachable
        logger.exception("Celery unreachable: document job %s runs in the request", job_pk)
        with primary_reads():  # the job's row was written a moment ago, on the primary
            tasks.run_document_job(job_pk)


def _document_job_context(job: DocumentJob) -> dict:
    back_url = reverse("reforms:measure_list") + (f"?{job.query}" if job.query else "")
    return {"job": job, "back_url": back_url}


# A large document's page: its progress bar, then its download.
document_job, document_job_progress = job_pages(DocumentJob, "document_job", _document_job_context)


@login_required
@require_GET
def document_job_download(request, pk):
    job = scoped_object_or_404(DocumentJob, request.user, pk=pk)
    if job.status != DocumentJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@permission_required_or(403, VIEW_CASE_CONTENT)
@require_GET
@within_budget
@reads_from_replica
def overdue_report_pdf(request):
    """逾期情况通报 of the user's jurisdiction (staff and supervisors)."""
    pdf = documents.overdue_report_pdf(request.user)
    return attachment(pdf, f"逾期情况通报-{shanghai_today():%Y%m%d}.pdf", PDF)


@login_required
@require_GET
@within_budget
def case_analysis_pdf(request, pk):
    """案件剖析报告: case readers in scope only; anyone else gets a 404, never case content."""
    case = scoped_object_or_404(
        Case.objects.select_related("commission", "case_unit"), request.user, pk=pk
    )
    require_permission(request.user, VIEW_CASE_CONTENT, status=404)
    pdf = documents.case_analysis_pdf(request.user, case)
    return attachment(pdf, f"案件剖析报告-{case.number}.pdf", PDF)


# --- Excel exports: the list pages' rows, same FilterSet, same scope ------------------------------


def _xlsx_response(handle, name: str) -> FileResponse:
    return FileResponse(handle, as_attachment=True, filename=name, content_type=excel.XLSX)


@login_required
@require_GET
@reads_from_replica
def measures_xlsx(request):
    filterset = measure_filter(request)
    return _xlsx_response(
        excel.measures_xlsx(filterset.qs, today=filterset.today),
        f"整改措施-{shanghai_today():%Y%m%d}.xlsx",
    )


@login_required
@require_GET
def campaign_xlsx(request, pk):
    """举一反三 progress of one campaign: the units the reader sees (staff, supervisors, the
    unit's officer its own and, in a cross-inspection, those its unit inspects, without their
    lists), scoped like the campaign's page."""
    campaign = scoped_object_or_404(Campaign, request.user, pk=pk)
    rows = campaign_progress.with_list_visible(
        campaign_progress.with_unit_progress(
            CampaignUnit.objects.restrict(request.user)
            .filter(campaign=campaign)
            .select_related("unit", "inspector", "rectification")
        ),
        request.user,
    ).order_by("unit__path")
    kind = "交叉检查" if campaign.is_cross else "举一反三自查"
    name = f"{kind}进度-{campaign.pk}-{shanghai_today():%Y%m%d}.xlsx"
    return _xlsx_response(excel.campaign_xlsx(campaign, rows), name)


@login_required
@require_GET
def reconciliation_xlsx(request, pk):
    """对账销号单 of one round: its rows the reader may see (staff, supervisors, the unit)."""
    round_ = scoped_object_or_404(
        ReconciliationRound.objects.select_related("unit", "recommendation"), request.user, pk=pk
    )
    rows = (
        ReconciliationRow.objects.restrict(request.user)
        .filter(round=round_)
        .select_related(
            "measure__unit", "measure__item__recommendation", "answered_by", "confirmed_by"
        )
    )
    name = f"对账销号单-{round_.as_of:%Y%m%d}-{round_.pk}.xlsx"
    return _xlsx_response(excel.reconciliation_xlsx(round_, rows), name)


@login_required
@require_GET
@within_budget
def reconciliation_pdf(request, pk):
    """对账销号单 as PDF: the same readers and rows as the sheet (``reconciliation_xlsx``)."""
    round_ = scoped_object_or_404(
        ReconciliationRound.objects.select_related("unit", "recommendation"), request.user, pk=pk
    )
    pdf = documents.reconciliation_pdf(request.user, round_)
    return attachment(pdf, f"对账销号单-{round_.as_of:%Y%m%d}-{round_.pk}.pdf", PDF)


@login_required
@require_GET
@within_budget
def negative_list_pdf(request, pk):
    """负面清单 as PDF, for the list's readers: the unit's officers and the staff in scope."""
    negative_list = scoped_object_or_404(
        NegativeList.objects.select_related("unit"), request.user, pk=pk
    )
    require_permission(request.user, "negativelists.view_negativelist", negative_list)
    pdf = documents.negative_list_pdf(request.user, negative_list)
    return attachment(pdf, f"负面清单-{negative_list.unit.name}-{negative_list.pk}.pdf", PDF)


@permission_required_or(403, "recommendations.view_recommendation")
@require_GET
@reads_from_replica
def recommendations_xlsx(request):
    """The recommendation list's rows (its filter and scope; the unit sees no drafts)."""
    queryset = (
        Recommendation.objects.restrict(request.user)
        .with_item_count()
        .order_by("-created_at", "-pk")
    )
    recommendation_filter = RecommendationFilter(request.GET, queryset=queryset, request=request)
    return _xlsx_response(
        excel.recommendations_xlsx(recommendation_filter.qs),
        f"建议书-{shanghai_today():%Y%m%d}.xlsx",
    )


@permission_required_or(403, "cases.view_case")
@require_GET
@reads_from_replica
def cases_xlsx(request):
    cases = with_top_leader_flag(Case.objects.restrict(request.user).select_related("case_unit"))
    case_filter = CaseFilter(request.GET, queryset=cases, request=request)
    return _xlsx_response(excel.cases_xlsx(case_filter.qs), f"案件-{shanghai_today():%Y%m%d}.xlsx")


def _evaluation_session(request, pk):
    return scoped_object_or_404(
        EvaluationSession.objects.select_related(
            "recommendation__recipient_unit", "recommendation__issuer", "template", "evaluation"
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
@within_budget
def evaluation_report_pdf(request, pk):
    """质效评估报告 of one session: whoever reads it (staff, supervisors, the unit)."""
    session = _evaluation_session(request, pk)
    pdf = documents.evaluation_report_pdf(request.user, session)
    return attachment(
        pdf, f"质效评估报告-{session.recommendation.doc_number}-{session.pk}.pdf", PDF
    )


@login_required
@require_GET
def evaluation_xlsx(request, pk):
    session = _evaluation_session(request, pk)
    report = documents.evaluation_report_context(request.user, session)
    name = f"质效评估-{session.recommendation.doc_number}-{session.pk}.xlsx"
    return _xlsx_response(excel.evaluation_xlsx(report), name)


@permission_required_or(403, "oversight.view_dashboard")
@require_GET
@reads_from_replica
def evaluation_ranking_xlsx(request):
    """The dashboard's evaluation ranking for the period asked (this year by default)."""
    period = evaluation_period(request.GET, shanghai_today())
    ranking = evaluation_ranking(request.user, *period)
    name = f"质效评估排名-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}.xlsx"
    return _xlsx_response(excel.evaluation_ranking_xlsx(ranking), name)


def _crosscase_analysis(request, pk):
    return scoped_object_or_404(
        CrossCaseAnalysis.objects.select_related(
            "unit", "process_stage", "violation_type", "case_unit"
        ),
        request.user,
        pk=pk,
    )


@login_required
@require_GET
@within_budget
def crosscase_report_pdf(request, pk):
    """类案分析报告 of one analysis: whoever reads it (staff and supervisors in scope)."""
    analysis = _crosscase_analysis(request, pk)
    pdf = documents.crosscase_report_pdf(request.user, analysis)
    return attachment(pdf, f"类案分析报告-{analysis.pk}.pdf", PDF)


@login_required
@require_GET
def crosscase_xlsx(request, pk):
    """类案分析's annexes: 案件清单, 问题矩阵, 问题清单."""
    analysis = _crosscase_analysis(request, pk)
    report = documents.crosscase_report_context(request.user, analysis)
    with translation.override("zh-hans"):
        workbook = excel.crosscase_xlsx(
            report,
            crosscase_tables.cases_listed(analysis, request.user),
            crosscase_tables.cell_problems(analysis, request.user),
        )
    return _xlsx_response(workbook, f"类案分析附件-{analysis.pk}.xlsx")
