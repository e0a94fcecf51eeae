"""The API's token on views outside the API (the downloads), with the API's refusals."""

from functools import wraps

from django.http import JsonResponse
from rest_framework import exceptions

from core.api import error_body

from .authentication import TokenAuthentication


def token_or_session(view):
    """A download asked for with the API's token (``Authorization: Token …``) is served to the
    token's user, as the API would serve it; without the header the session decides, and an
    anonymous visitor is sent to sign in. A bad token is a JSON 401, as in the API."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            found = TokenAuthentication().authenticate(request)
        except exceptions.APIException as refusal:
            code = refusal.get_codes()
            return JsonResponse(
                error_body(code if isinstance(code, str) else "error", refusal.detail),
                status=refusal.status_code,
            )
        if found is not None:
            request.user = found[0]
        return view(request, *args, **kwargs)

    return wrapper
