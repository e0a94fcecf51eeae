from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from .domain import DomainError


class DomainErrorMiddleware:
    """A refusal no view caught: shown as a message, never a 500.

    Both answer the refusal's status (400, 403, 409), as the views that catch their refusals do:
    HTMX requests get an alert fragment (their forms show it in place); ordinary requests a page
    with the message and a way back where they came from.
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
        back = request.headers.get("referer", "")
        if not (back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
            back = reverse("home")
        context = {"message": exception.message, "back": back}
        return render(request, "refusal.html", context, status=exception.status_code)
