"""What a locked-out sign-in sees (django-axes): the login page saying why and until when."""

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def locked_until(request, username: str | None):
    """When the lock on this username or client address ends (the last failure + the cool-off)."""
    matching = Q(ip_address=getattr(request, "axes_ip_address", None))
    if username:
        matching |= Q(username=username)
    last = AccessAttempt.objects.filter(matching).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


def lockout_message(request, username: str | None) -> str:
    until = timezone.localtime(locked_until(request, username))
    return _(
        "Too many failed sign-ins: this account or this computer is locked for %(minutes)d "
        "minutes. Try again after %(time)s."
    ) % {
        "minutes": get_cool_off(request).total_seconds() // 60,
        "time": until.strftime("%H:%M"),
    }


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page again, saying why and until when."""
    username = get_client_username(request, credentials)
    context = {
        "form": AuthenticationForm(request, initial={"username": username or ""}),
        "lockout": lockout_message(request, username),
    }
    return render(request, "registration/login.html", context, status=429)
