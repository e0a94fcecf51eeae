from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from .domain import DomainError


class DomainErrorMiddleware:
    """A refusal no view caught: shown as a message, never a 500.

    HTMX requests get an alert fragment with the refusal's status (their forms show it in place);
    ordinary requests go back where they came from with the message on top.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if getattr(request, "htmx", False):
            return HttpResponse(
                format_html('<div class="alert alert-danger mb-2">{}</div>', exception.message),
                status=exception.status_code,
            )
        messages.error(request, exception.message)
        back = request.headers.get("referer", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("home")
