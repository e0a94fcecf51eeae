"""Sign-in lockout (django-axes) and what a locked-out sign-in sees.

Two rules, both counted over the cool-off window (``AXES_COOLOFF_TIME``, from the last failure):

- ``AXES_FAILURE_LIMIT`` failures of one username from one client address lock that username on
  that address (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``): the same account
  still signs in from elsewhere, and other accounts still sign in from the same address;
- ``AXES_IP_FAILURE_LIMIT`` failures from one address, whatever the usernames, lock the address
  for everyone (a client guessing many accounts), much higher because every user behind one
  proxy or NAT shares it.

The login page and ``POST /api/v1/token/`` say until when.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def _recent(request):
    """The attempt rows still inside the cool-off window."""
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    return AccessAttempt.objects.filter(attempt_time__gte=now - get_cool_off(request))


def address_failures(request) -> tuple[int, object]:
    """The failures from the client's address in the cool-off window, and the last one's time."""
    address = getattr(request, "axes_ip_address", None)
    if address is None:
        return 0, None
    totals = (
        _recent(request)
        .filter(ip_address=address)
        .aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    return totals["failures"] or 0, totals["last"]


def address_locked(request) -> bool:
    return address_failures(request)[0] >= settings.AXES_IP_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes' database handler, plus the per-address limit.

    axes compares ``get_failures`` with ``AXES_FAILURE_LIMIT`` both before a sign-in (is the client
    locked?) and after a failure (does this one lock it?); an address over its own limit counts as
    reaching it, whatever username it tries next.
    """

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_locked(request):
            return max(failures, get_failure_limit(request, credentials))
        return failures


def locked_until(request, username: str | None):
    """When the lock on this username at this address, or on the address, ends (the last failure
    that counts + the cool-off)."""
    cool_off = get_cool_off(request)
    failures, last_from_address = address_failures(request)
    if failures >= settings.AXES_IP_FAILURE_LIMIT and last_from_address:
        return last_from_address + cool_off
    last = (
        _recent(request)
        .filter(ip_address=getattr(request, "axes_ip_address", None), username=username)
        .aggregate(last=Max("attempt_time"))["last"]
    )
    return (last or timezone.now()) + cool_off


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
