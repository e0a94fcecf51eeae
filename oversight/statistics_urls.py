from django.urls import path

from accounts.api.token_views import token_or_session

from . import statistics_views as views

app_name = "statistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("records/<slug:kind>/", views.records, name="records"),
    # Downloads answer the API's token as well as a session, like the other documents.
    path("report.pdf", token_or_session(views.report_pdf), name="report_pdf"),
    path("report.xlsx", token_or_session(views.report_xlsx), name="report_xlsx"),
]
