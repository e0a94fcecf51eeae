"""Who is told when a campaign moves: the targeted units' officers when it is launched or they are
urged, the campaign's creator when a unit submits its answers. In a cross-inspection (交叉检查)
the inspector units' officers are told which unit they inspect and the inspected units' officers
by whom, when launched or reassigned; the inspected unit's officers when its answers are
submitted and when a spot check finds a problem; the inspector's officers when a spot check finds
one the inspection missed (通报). Called inside the services'
transactions, through the notifications outbox (``notify``); titles carry the campaign's title
only (a checklist is written by staff, never case content)."""

from collections import defaultdict

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


def urged(campaign, rows, *, actor, on) -> None:
    """Those who answer the urged rows: the units themselves or, in a cross-inspection, their
    inspectors, each told which units' inspections it has not submitted."""
    due = f"{campaign.answer_due_on:%Y-%m-%d}"
    key = f"campaign:{campaign.pk}:urged:{on:%Y%m%d}"
    with translation.override(settings.LANGUAGE_CODE):
        if campaign.mode != campaign.Mode.CROSS:
            _send(
                _officers(row.unit_id for row in rows),
                kind=Notification.Kind.URGING,
                actor=actor,
                title=_("Urged: self-inspection %(title)s") % {"title": campaign.title[:80]},
                body=_("Your unit has not submitted its self-inspection answers, due %(due)s.")
                % {"due": due},
                link=_link(campaign),
                key=key,
            )
            return
        inspected = defaultdict(list)
        for row in rows:
            inspected[row.inspector_id].append(row.unit.name)
        for inspector_id, names in inspected.items():
            _send(
                _officers([inspector_id]),
                kind=Notification.Kind.URGING,
                actor=actor,
                title=_("Urged: cross-inspection %(title)s") % {"title": campaign.title[:80]},
                body=_("Your unit has not submitted its inspection of %(units)s, due %(due)s.")
                % {"units": "、".join(names), "due": due},
                link=_link(campaign),
                key=key,
            )


def cross_launched(campaign, rows, *, actor) -> None:
    """Each inspector's officers: which unit they inspect; each inspected unit's: by whom."""
    for row in rows:
        inspector_assigned(row, actor=actor, key=f"campaign:{campaign.pk}:launched")


def inspector_assigned(row, *, actor, key=None) -> None:
    campaign = row.campaign
    key = key or f"campaign_unit:{row.pk}:inspector:{row.inspector_id}"
    due = f"{campaign.answer_due_on:%Y-%m-%d}"
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _officers([row.inspector_id]),
            kind=Notification.Kind.WORKFLOW,
            actor=actor,
            title=_("Cross-inspection: inspect %(unit)s") % {"unit": row.unit.name},
            body=_(
                "%(title)s: your unit's team inspects %(unit)s item by item and submits the "
                "answers by %(due)s."
            )
            % {"title": campaign.title[:80], "unit": row.unit.name, "due": due},
            link=_link(campaign),
            key=f"{key}:inspects:{row.pk}",
        )
        _send(
            _officers([row.unit_id]),
            kind=Notification.Kind.WORKFLOW,
            actor=actor,
            title=_("Cross-inspection: %(title)s") % {"title": campaign.title[:80]},
            body=_("Your unit is inspected by %(inspector)s, who submit the answers by %(due)s.")
            % {"inspector": row.inspector.name, "due": due},
            link=_link(campaign),
            key=f"{key}:inspected:{row.pk}",
        )


def spot_checked(spot_check, *, actor) -> None:
    row = spot_check.campaign_unit
    campaign = row.campaign
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _officers([row.unit_id]),
            kind=Notification.Kind.WORKFLOW,
            actor=actor,
            title=_("Spot check: a problem to rectify"),
            body=_("%(title)s: a spot check found a problem; it is on your rectification list.")
            % {"title": campaign.title[:80]},
            link=reverse("recommendations:detail", args=[row.rectification_id]),
            key=f"spot_check:{spot_check.pk}:unit",
        )
        if spot_check.missed and row.inspector_id:
            _send(
                _officers([row.inspector_id]),
                kind=Notification.Kind.WORKFLOW,
                actor=actor,
                title=_("Notified: a problem your inspection missed"),
                body=_(
                    "%(title)s: a spot check of %(unit)s found a problem your unit's inspection "
                    "should have found (应发现未发现)."
                )
                % {"title": campaign.title[:80], "unit": row.unit.name},
                link=_link(campaign),
                key=f"spot_check:{spot_check.pk}:inspector",
            )


def answered(campaign_unit, *, actor) -> None:
    campaign = campaign_unit.campaign
    staff = list(
        User.objects.discipline_staff()
        .filter(pk=campaign.created_by_id, is_active=True)
        .values_list("pk", flat=True)
    )
    found = campaign_unit.answers.filter(found=True).count()
    cross = campaign.mode == campaign.Mode.CROSS
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Self-inspection answered: %(unit)s") % {"unit": campaign_unit.unit.name}
        if cross:
            title = _("Cross-inspection answered: %(unit)s, inspected by %(inspector)s") % {
                "unit": campaign_unit.unit.name,
                "inspector": campaign_unit.inspector.name,
            }
        _send(
            staff,
            kind=Notification.Kind.WORKFLOW,
            actor=actor,
            title=title,
            body=_("%(title)s: %(found)d problem(s) found.")
            % {"title": campaign.title[:80], "found": found},
            link=_link(campaign),
            key=f"campaign_unit:{campaign_unit.pk}:answered",
        )
        if cross:
            _send(
                _officers([campaign_unit.unit_id]),
                kind=Notification.Kind.WORKFLOW,
                actor=actor,
                title=_("Cross-inspection submitted: %(title)s") % {"title": campaign.title[:80]},
                body=_(
                    "%(inspector)s inspected your unit: %(found)d problem(s) found, on your "
                    "rectification list."
                )
                % {"inspector": campaign_unit.inspector.name, "found": found},
                link=_link(campaign),
                key=f"campaign_unit:{campaign_unit.pk}:answered:unit",
            )
