"""Session policy: the gates every signed-in request passes before its view (settings.MIDDLEWARE,
in this order).

1. An idle session ends: unused for ``SESSION_IDLE_SECONDS``, it is signed out.
2. A second factor: a user who signs in with a code reaches only the code pages until it is given.
3. An initial or reset password: a user whose password an administrator set changes it first.

Pages answer with a redirect (htmx with a client redirect), the API with a 403 and its reason.
Logging out and switching the language always work.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import user_has_device

from core.api import error_body

from .two_factor import second_factor_required

LAST_ACTIVITY_KEY = "last_activity"
# Activity is written to the session at most this often (seconds), not on every request.
ACTIVITY_RESOLUTION = 60
ALWAYS_OPEN = frozenset({"logout", "admin:logout", "set_language"})
SECOND_FACTOR_PAGES = frozenset({"otp_verify", "otp_enrol"})
PASSWORD_PAGES = frozenset({"password_change"})
# Whether the user enabled a second factor, looked up once per session.
HAS_DEVICE_KEY = "otp_has_device"


@receiver(user_logged_in)
def start_session_clocks(sender, request, user, **kwargs):
    """Note at sign-in what the gates would otherwise write on the first page view."""
    request.session[LAST_ACTIVITY_KEY] = timezone.now().timestamp()
    request.session[HAS_DEVICE_KEY] = user_has_device(user)


def background_poll(view):
    """Mark a view that pages poll on a timer: its requests do not keep a session alive."""
    view.background_poll = True
    return view


def _view_name(request) -> str:
    match = request.resolver_match
    return match.view_name if match else ""


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _redirect(request, url: str):
    """To ``url``, coming back here afterwards; htmx requests move the whole page."""
    target = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(target)
    return redirect(target)


def _send_to(request, url: str, *, code: str, reason: str):
    """Send a gated request to ``url``: a 403 with the reason for the API, a redirect for pages."""
    if _is_api(request):
        return JsonResponse(error_body(code, reason), status=403)
    return _redirect(request, url)


class Gate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class IdleTimeoutMiddleware(Gate):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        now = timezone.now().timestamp()
        last = request.session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
            logout(request)
            messages.warning(
                request,
                _(
                    "You were signed out after %(minutes)d minutes without activity. "
                    "Please sign in again."
                )
                % {"minutes": settings.SESSION_IDLE_SECONDS // 60},
            )
            if _is_api(request):
                return None  # carries on unauthenticated: the API answers 401
            return _redirect(request, resolve_url(settings.LOGIN_URL))
        polled = getattr(view_func, "background_poll", False)
        if not polled and (last is None or now - last >= ACTIVITY_RESOLUTION):
            request.session[LAST_ACTIVITY_KEY] = now
        return None


def must_give_second_factor(request) -> bool:
    user = request.user
    if user.is_verified():
        return False
    if second_factor_required(user):
        return True
    if HAS_DEVICE_KEY not in request.session:
        request.session[HAS_DEVICE_KEY] = user_has_device(user)
    return request.session[HAS_DEVICE_KEY]


class SecondFactorMiddleware(Gate):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if _view_name(request) in ALWAYS_OPEN | SECOND_FACTOR_PAGES:
            return None
        if not must_give_second_factor(request):
            return None
        page = "otp_verify" if user_has_device(request.user) else "otp_enrol"
        return _send_to(
            request,
            reverse(page),
            code="second_factor_required",
            reason=_("Sign-in is not complete: give the code of your authenticator app first."),
        )


class PasswordChangeMiddleware(Gate):
    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.must_change_password):
            return None
        if _view_name(request) in ALWAYS_OPEN | PASSWORD_PAGES:
            return None
        return _send_to(
            request,
            reverse("password_change"),
            code="password_change_required",
            reason=_(
                "Your password was set by an administrator: choose a new password of your own "
                "before you continue."
            ),
        )
