from django.urls import path

from accounts.api.token_views import token_or_session

from . import downloads, import_views

app_name = "documents"
# Downloads answer the API's token as well as a session, so a client of the API can fetch them.
urlpatterns = [
    path(
        "recommendations/<int:pk>/letter.pdf", token_or_session(downloads.letter_pdf), name="letter"
    ),
    path(
        "cases/<int:pk>/analysis.pdf",
        token_or_session(downloads.case_analysis_pdf),
        name="case_analysis",
    ),
    path("ledger.pdf", token_or_session(downloads.ledger_pdf), name="ledger"),
    path(
        "overdue-report.pdf", token_or_session(downloads.overdue_report_pdf), name="overdue_report"
    ),
    path("measures.xlsx", token_or_session(downloads.measures_xlsx), name="measures_xlsx"),
    path("cases.xlsx", token_or_session(downloads.cases_xlsx), name="cases_xlsx"),
    path(
        "recommendations.xlsx",
        token_or_session(downloads.recommendations_xlsx),
        name="recommendations_xlsx",
    ),
    path(
        "campaigns/<int:pk>.xlsx",
        token_or_session(downloads.campaign_xlsx),
        name="campaign_xlsx",
    ),
    path(
        "reconciliation/<int:pk>.xlsx",
        token_or_session(downloads.reconciliation_xlsx),
        name="reconciliation_xlsx",
    ),
    path(
        "evaluations/<int:pk>/report.pdf",
        token_or_session(downloads.evaluation_report_pdf),
        name="evaluation_report",
    ),
    path(
        "evaluations/<int:pk>/report.xlsx",
        token_or_session(downloads.evaluation_xlsx),
        name="evaluation_xlsx",
    ),
    path(
        "evaluation-ranking.xlsx",
        token_or_session(downloads.evaluation_ranking_xlsx),
        name="evaluation_ranking_xlsx",
    ),
    path(
        "negative-lists/<int:pk>.pdf",
        token_or_session(downloads.negative_list_pdf),
        name="negative_list_pdf",
    ),
    path(
        "reconciliation/<int:pk>.pdf",
        token_or_session(downloads.reconciliation_pdf),
        name="reconciliation_pdf",
    ),
    path(
        "analyses/<int:pk>/report.pdf",
        token_or_session(downloads.crosscase_report_pdf),
        name="crosscase_report",
    ),
    path(
        "analyses/<int:pk>/annexes.xlsx",
        token_or_session(downloads.crosscase_xlsx),
        name="crosscase_xlsx",
    ),
    path(
        "templates/<str:kind>.xlsx",
        token_or_session(import_views.template_download),
        name="import_template",
    ),
    path("cases/<int:pk>/problems/import/", import_views.problems_import, name="problems_import"),
    path("recommendations/<int:pk>/plan/import/", import_views.plan_import, name="plan_import"),
    path(
        "recommendations/<int:pk>/rule-changes/import/",
        import_views.outcomes_import,
        {"kind": "rule_changes"},
        name="rule_changes_import",
    ),
    path(
        "recommendations/<int:pk>/activities/import/",
        import_views.outcomes_import,
        {"kind": "activities"},
        name="activities_import",
    ),
    path("jobs/<int:pk>/", downloads.document_job, name="document_job"),
    path("jobs/<int:pk>/progress/", downloads.document_job_progress, name="document_job_progress"),
    path("jobs/<int:pk>/file.pdf", downloads.document_job_download, name="document_job_download"),
    path("imports/<int:pk>/", import_views.import_job, name="import_job"),
    path(
        "imports/<int:pk>/progress/", import_views.import_job_progress, name="import_job_progress"
    ),
]
