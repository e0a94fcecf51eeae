from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request):
    """Browsers ask for /favicon.ico on pages without an icon link (the admin, API answers)."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("", include("oversight.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("cases/", include("cases.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("measures/", include("reforms.urls")),
    path("dashboard/", include("oversight.dashboard_urls")),
    path("statistics/", include("oversight.statistics_urls")),
    path("chain/", include("oversight.chain_urls")),
    path("analyses/", include("crosscase.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("negative-lists/", include("negativelists.urls")),
    path("api/v1/", include("config.api_urls")),
    path("documents/", include("oversight.download_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
]
