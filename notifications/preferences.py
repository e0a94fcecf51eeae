"""Which kinds of notification each user also receives in the daily digest (email, webhook).

The in-app inbox always shows every notification; the digest leaves out the kinds a user keeps
out (``DigestOptOut``). Read by ``delivery`` when it gathers and sends, written here for the
settings page and the API alike.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import is_supervisor
from core.domain import InvalidInput

from .models import DIGEST_OPTIONAL_KINDS, DigestOptOut, Notification


def choosable_kinds(user) -> list[str]:
    """The kinds ``user`` can receive and so choose for the digest, in the page's order: the
    weekly report goes to supervisors only."""
    return [
        kind
        for kind in DIGEST_OPTIONAL_KINDS
        if kind != Notification.Kind.REPORT or is_supervisor(user)
    ]


def digest_kinds_of(user) -> list[str]:
    """The choosable kinds that go into ``user``'s digest (all of them unless kept out)."""
    kept_out = DigestOptOut.objects.kinds_of(user)
    return [kind for kind in choosable_kinds(user) if kind not in kept_out]


@transaction.atomic
def digest_kinds_set(*, user, digest_kinds: Iterable[str]) -> list[str]:
    """``user`` chooses the kinds that also go into their digest; the others are kept out.

    Called by the user themselves only (the settings page, the API): nobody chooses for someone
    else. Kinds the user cannot receive are refused; returns the kinds now in the digest.
    """
    choosable = choosable_kinds(user)
    wanted = set(digest_kinds)
    unknown = wanted - set(choosable)
    if unknown:
        message = _("Unknown kinds of notification: %(kinds)s.") % {
            "kinds": "、".join(sorted(unknown))
        }
        raise InvalidInput(message, errors={"digest_kinds": [message]})
    kept_out = [kind for kind in choosable if kind not in wanted]
    DigestOptOut.objects.filter(user=user, kind__in=choosable).exclude(kind__in=kept_out).delete()
    DigestOptOut.objects.bulk_create(
        [DigestOptOut(user=user, kind=kind) for kind in kept_out], ignore_conflicts=True
    )
    return [kind for kind in choosable if kind in wanted]
