from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("measures/", include("reforms.urls")),
    path("dashboard/", include("reforms.dashboard_urls")),
    path("chain/", include("recommendations.chain_urls")),
    path("api/v1/", include("config.api_urls")),
    path("documents/", include("recommendations.download_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
