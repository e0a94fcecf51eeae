"""Who is told when a campaign moves: the targeted units' officers when it is launched or they are
urged, the campaign's creator when a unit submits its answers. Called inside the services'
transactions, through the notifications outbox (``notify``); titles carry the campaign's title
only (a checklist is written by staff, never case content)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.delivery import notifications_for, notify
from notifications.models import Notification


def _officers(unit_ids) -> list[int]:
    return list(
        User.objects.unit_officers()
        .filter(org_unit_id__in=list(unit_ids), is_active=True)
        .values_list("pk", flat=True)
    )


def _send(recipients, *, kind, actor, title, body, link, key) -> None:
    people = [pk for pk in recipients if pk and pk != getattr(actor, "pk", None)]
    notify(notifications_for(people, kind=kind, title=title, body=body, link=link, dedupe_key=key))


def _link(campaign) -> str:
    return reverse("campaigns:detail", args=[campaign.pk])


def launched(campaign, unit_ids, *, actor) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _officers(unit_ids),
            kind=Notification.Kind.WORKFLOW,
            actor=actor,
            title=_("Self-inspection: %(title)s") % {"title": campaign.title[:80]},
            body=_("Check each item of the checklist and submit your answers by %(due)s.")
            % {"due": f"{campaign.answer_due_on:%Y-%m-%d}"},
            link=_link(campaign),
            key=f"campaign:{campaign.pk}:launched",
        )


def urged(campaign, unit_ids, *, actor, on) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _officers(unit_ids),
            kind=Notification.Kind.URGING,
            actor=actor,
            title=_("Urged: self-inspection %(title)s") % {"title": campaign.title[:80]},
            body=_("Your unit has not submitted its self-inspection answers, due %(due)s.")
            % {"due": f"{campaign.answer_due_on:%Y-%m-%d}"},
            link=_link(campaign),
            key=f"campaign:{campaign.pk}:urged:{on:%Y%m%d}",
        )


def answered(campaign_unit, *, actor) -> None:
    campaign = campaign_unit.campaign
    staff = list(
        User.objects.discipline_staff()
        .filter(pk=campaign.created_by_id, is_active=True)
        .values_list("pk", flat=True)
    )
    found = campaign_unit.answers.filter(found=True).count()
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            staff,
            kind=Notification.Kind.WORKFLOW,
            actor=actor,
            title=_("Self-inspection answered: %(unit)s") % {"unit": campaign_unit.unit.name},
            body=_("%(title)s: %(found)d problem(s) found.")
            % {"title": campaign.title[:80], "found": found},
            link=_link(campaign),
            key=f"campaign_unit:{campaign_unit.pk}:answered",
        )
