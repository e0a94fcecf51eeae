"""Response headers Django has no setting for, and the request size limit."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` from the setting of the same name (README "Production")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than ``REQUEST_MAX_BYTES`` before anything
    reads it (413), so an oversized upload costs a header, not the whole body. The reverse proxy
    should refuse the same size first (README "Production")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.REQUEST_MAX_BYTES:
            return self._refusal(request)
        return self.get_response(request)

    @staticmethod
    def _refusal(request):
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The request is larger than %(size)s MB and was not read.") % {
                "size": settings.REQUEST_MAX_BYTES // (1024 * 1024)
            }
        if request.path.startswith("/api/"):
            body = {"code": "request_too_large", "detail": message, "errors": {}}
            return JsonResponse(body, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
