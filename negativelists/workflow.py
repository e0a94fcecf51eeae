"""Who is told when a negative list moves: the discipline staff whose jurisdiction covers the unit
when it publishes a list (they supervise its execution), the officers of the unit and of the
units above it (who write its lists) when a check found breaches. Called inside the services'
transactions, through the notifications outbox (``notify``); a list is the unit's own rules, never
case content."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.delivery import notifications_for, notify
from notifications.models import Notification


def _send(recipients, *, actor, title, body, link, key) -> None:
    people = [pk for pk in recipients if pk != getattr(actor, "pk", None)]
    notify(
        notifications_for(
            people,
            kind=Notification.Kind.WORKFLOW,
            title=title,
            body=body,
            link=link,
            dedupe_key=key,
        )
    )


def _link(negative_list) -> str:
    return reverse("negativelists:detail", args=[negative_list.pk])


def published(negative_list, *, replaced, actor) -> None:
    staff = (
        User.objects.discipline_staff()
        .filter(is_active=True)
        .covering(negative_list.unit)
        .values_list("pk", flat=True)
        .distinct()
    )
    with translation.override(settings.LANGUAGE_CODE):
        body = _("%(unit)s published its negative list for %(tier)s: %(count)d entries.") % {
            "unit": negative_list.unit.name,
            "tier": negative_list.get_tier_display(),
            "count": negative_list.entries.count(),
        }
        if replaced:
            body += " " + _("It replaces the list published before.")
        _send(
            list(staff),
            actor=actor,
            title=_("Negative list published: %(title)s") % {"title": negative_list.title[:80]},
            body=body,
            link=_link(negative_list),
            key=f"negative_list:{negative_list.pk}:published",
        )


def breaches_found(check, *, actor) -> None:
    negative_list = check.negative_list
    # The officers of the unit and of the units above it: whoever writes its lists.
    officers = (
        User.objects.unit_officers()
        .filter(is_active=True)
        .covering(negative_list.unit)
        .values_list("pk", flat=True)
        .distinct()
    )
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            list(officers),
            actor=actor,
            title=_("Breaches of the negative list: %(title)s")
            % {"title": negative_list.title[:80]},
            body=_("The check of %(date)s found %(count)d breach(es) of the list.")
            % {"date": f"{check.checked_on:%Y-%m-%d}", "count": check.breaches},
            link=_link(negative_list),
            key=f"negative_list_check:{check.pk}:breaches",
        )
