"""Workflow notifications: who is told when a recommendation, a measure or an extension moves.

Called by the transition services (``recommendations.services``, ``reforms.services``) inside their
transaction, so the UI, the API, the admin and jobs all notify, and a refused or rolled-back
transition tells nobody. Each item is a ``Notification`` of kind ``workflow`` written through the
reminders' path (``notifications_for`` / ``notify``) with a key naming the object and the
transition row (``measure:12:transition:40``), unique per recipient: the same transition written
again writes nothing twice.

Recipients:
- the unit's side: the recipient unit's active officers, and for a measure its owner's account;
- the commission's side: the recommendation's creator (the staff who drafted and follow it), while
  active and still discipline staff.
The actor is never told of their own action. Titles carry the document number (or the title) and
the measure's content only — no case content.
"""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from notifications.delivery import notifications_for, notify
from notifications.models import Notification

from .models import ReboundFlag

KIND = Notification.Kind.WORKFLOW


def _unit_officers(unit_id) -> list[int]:
    return list(
        User.objects.unit_officers()
        .filter(org_unit_id=unit_id, is_active=True)
        .values_list("pk", flat=True)
    )


def _staff_of(recommendation) -> list[int]:
    """The staff who verify: the recommendation's creator, while active discipline staff."""
    return list(
        User.objects.discipline_staff()
        .filter(pk=recommendation.created_by_id, is_active=True)
        .values_list("pk", flat=True)
    )


def _send(recipients, *, actor, title, body, link, key) -> None:
    people = [pk for pk in recipients if pk and pk != getattr(actor, "pk", None)]
    notify(notifications_for(people, kind=KIND, title=title, body=body, link=link, dedupe_key=key))


def _letter(recommendation) -> str:
    return (recommendation.doc_number or recommendation.title)[:80]


def _measure(measure) -> str:
    return measure.content[:60]


# ── Recommendations ──────────────────────────────────────────────────────────────────────────


def recommendation_event(recommendation, transition, *, actor) -> None:
    """Issued → the unit's officers; acknowledged, replied → the creator; returned → officers."""
    Status = type(recommendation).Status
    link = reverse("recommendations:detail", args=[recommendation.pk])
    what = _letter(recommendation)
    with translation.override(settings.LANGUAGE_CODE):
        if transition.to_status == Status.ISSUED:
            recipients = _unit_officers(recommendation.recipient_unit_id)
            title = _("To acknowledge: %(what)s") % {"what": what}
            body = _("A recommendation was issued to your unit; acknowledge it and plan measures.")
            if recommendation.reply_due_on:
                body += " " + _("The reply is due on %(due)s.") % {
                    "due": f"{recommendation.reply_due_on:%Y-%m-%d}"
                }
        elif transition.to_status == Status.ACKNOWLEDGED:
            recipients = _staff_of(recommendation)
            title = _("Acknowledged: %(what)s") % {"what": what}
            body = _("The unit acknowledged the recommendation.")
        elif transition.to_status == Status.REPLIED:
            recipients = _staff_of(recommendation)
            title = _("Rectification report submitted: %(what)s") % {"what": what}
            body = _("The unit submitted its rectification report; review it.")
        elif transition.to_status == Status.RECTIFYING and transition.from_status == Status.REPLIED:
            recipients = _unit_officers(recommendation.recipient_unit_id)
            title = _("Rectification report returned: %(what)s") % {"what": what}
            body = _("Reason: %(reason)s") % {"reason": transition.reason[:500]}
        else:
            return
        _send(
            recipients,
            actor=actor,
            title=title,
            body=body,
            link=link,
            key=f"recommendation:{recommendation.pk}:transition:{transition.pk}",
        )


def follow_up_scheduled(follow_up, *, actor) -> None:
    recommendation = follow_up.recommendation
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _unit_officers(recommendation.recipient_unit_id),
            actor=actor,
            title=_("Follow-up review scheduled: %(what)s") % {"what": _letter(recommendation)},
            body=_("A follow-up review (回头看) is scheduled for %(day)s.")
            % {"day": f"{follow_up.scheduled_on:%Y-%m-%d}"},
            link=reverse("recommendations:detail", args=[recommendation.pk]),
            key=f"followup:{follow_up.pk}:scheduled",
        )


# ── Measures and extensions ─────────────────────────────────────────────────────────────────


def measure_event(measure, transition, *, actor) -> None:
    """Sign-off requested → the creator; returned, signed off, reopened → the officers and the
    owner."""
    Status = type(measure).Status
    recommendation = measure.item.recommendation
    unit_side = [*_unit_officers(measure.unit_id), measure.owner_id]
    what = _measure(measure)
    with translation.override(settings.LANGUAGE_CODE):
        if transition.to_status == Status.AWAITING_SIGNOFF:
            recipients = _staff_of(recommendation)
            title = _("Sign-off requested: %(what)s") % {"what": what}
            body = _("The unit asks for this measure to be verified and signed off.")
        elif transition.to_status == Status.RETURNED:
            recipients = unit_side
            title = _("Measure returned: %(what)s") % {"what": what}
            body = _("Reason: %(reason)s") % {
                "reason": "；".join(
                    part
                    for part in (transition.get_return_reason_display(), transition.reason[:500])
                    if part
                )
            }
        elif transition.to_status == Status.SIGNED_OFF:
            recipients = unit_side
            title = _("Measure signed off: %(what)s") % {"what": what}
            body = _("The measure was verified and signed off.")
        elif transition.from_status == Status.SIGNED_OFF:
            # A follow-up review (回头看) found it rebounded (``services.measure_reopen``).
            recipients = unit_side
            title = _("Measure reopened: %(what)s") % {"what": what}
            if measure.is_standing:
                body = _(
                    "A follow-up review found the rectification rebounded; the standing measure "
                    "is reopened."
                )
            else:
                body = _(
                    "A follow-up review found the rectification rebounded; the measure is "
                    "reopened and now due on %(due)s."
                ) % {"due": f"{measure.due_on:%Y-%m-%d}"}
            body += " " + _("Findings: %(findings)s") % {"findings": transition.reason[:500]}
        else:
            return
        _send(
            recipients,
            actor=actor,
            title=title,
            body=body,
            link=reverse("reforms:measure_detail", args=[measure.pk]),
            key=f"measure:{measure.pk}:transition:{transition.pk}",
        )


def extension_event(request, *, actor) -> None:
    """Requested → the creator (at the extension queue); decided → the officers and the owner."""
    Decision = type(request).Status
    measure = request.measure
    what = _measure(measure)
    with translation.override(settings.LANGUAGE_CODE):
        if request.status == Decision.PENDING:
            recipients = _staff_of(measure.item.recommendation)
            title = _("Extension requested: %(what)s") % {"what": what}
            body = _("Asked to move the due date from %(old)s to %(new)s.")
            link = reverse("reforms:extension_queue")
        else:
            recipients = [*_unit_officers(measure.unit_id), measure.owner_id]
            if request.status == Decision.APPROVED:
                title = _("Extension approved: %(what)s") % {"what": what}
                body = _("The due date moves from %(old)s to %(new)s.")
            else:
                title = _("Extension refused: %(what)s") % {"what": what}
                body = _("The due date stays %(old)s.") + " " + _("Reason: %(reason)s")
            link = reverse("reforms:measure_detail", args=[measure.pk])
        body = body % {
            "old": f"{request.previous_due_on:%Y-%m-%d}",
            "new": f"{request.requested_due_on:%Y-%m-%d}",
            "reason": request.decision_note[:500],
        }
        _send(
            recipients,
            actor=actor,
            title=title,
            body=body,
            link=link,
            key=f"extension:{request.pk}:{request.status}",
        )


# ── Reconciliation rounds (对账销号) ──────────────────────────────────────────────────────────


def _round_title(round_) -> str:
    target = _letter(round_.recommendation) if round_.recommendation_id else round_.target_name
    return f"{target} {round_.as_of:%Y-%m-%d}"


def _round_link(round_) -> str:
    return reverse("reforms:reconciliation_detail", args=[round_.pk])


def reconciliation_opened(round_, unit_ids, *, actor) -> None:
    """Opened → the active officers of every unit whose measures are in the round."""
    recipients = list(
        User.objects.unit_officers()
        .filter(org_unit_id__in=unit_ids, is_active=True)
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            recipients,
            actor=actor,
            title=_("To reconcile: %(what)s") % {"what": _round_title(round_)},
            body=_("Answer each measure of the reconciliation round by %(due)s.")
            % {"due": f"{round_.answer_due_on:%Y-%m-%d}"},
            link=_round_link(round_),
            key=f"reconciliation:{round_.pk}:opened",
        )


def reconciliation_answered(round_, *, actor) -> None:
    """Every row answered → the staff who opened the round (and the letter's creator)."""
    recipients = {round_.opened_by_id}
    if round_.recommendation_id:
        recipients.add(round_.recommendation.created_by_id)
    staff = list(
        User.objects.discipline_staff()
        .filter(pk__in=recipients, is_active=True)
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            staff,
            actor=actor,
            title=_("Reconciliation answered: %(what)s") % {"what": _round_title(round_)},
            body=_("The unit answered every row; confirm each and close the round."),
            link=_round_link(round_),
            key=f"reconciliation:{round_.pk}:answered",
        )


def reconciliation_closed(round_, *, actor) -> None:
    """Closed → the officers of the units in the round, with how many rows were returned."""
    unit_ids = set(round_.rows.values_list("measure__unit_id", flat=True))
    returned = round_.rows.filter(confirmation="returned").count()
    recipients = list(
        User.objects.unit_officers()
        .filter(org_unit_id__in=unit_ids, is_active=True)
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        body = _("The reconciliation round is closed.")
        if returned:
            body = _("The reconciliation round is closed; %(count)d rows were returned.") % {
                "count": returned
            }
        _send(
            recipients,
            actor=actor,
            title=_("Reconciliation closed: %(what)s") % {"what": _round_title(round_)},
            body=body,
            link=_round_link(round_),
            key=f"reconciliation:{round_.pk}:closed",
        )


# ── Evaluation sessions (质效评估, 现场答辩式评查) ─────────────────────────────────────────────


def _session_link(session) -> str:
    return reverse("recommendations:evaluation_session", args=[session.pk])


def evaluation_panel_invited(member, *, actor) -> None:
    """Invited → the evaluator, with the date and place of the session."""
    session = member.session
    with translation.override(settings.LANGUAGE_CODE):
        body = _("You are on the panel of the on-site evaluation on %(day)s.") % {
            "day": f"{session.scheduled_on:%Y-%m-%d}"
        }
        if session.place:
            body += " " + _("Place: %(place)s.") % {"place": session.place}
        _send(
            [member.user_id],
            actor=actor,
            title=_("Evaluation panel: %(what)s") % {"what": _letter(session.recommendation)},
            body=body,
            link=_session_link(session),
            key=f"evaluation:{session.pk}:invited:{member.user_id}",
        )


def evaluation_session_event(session, event: str, *, actor) -> None:
    """Scheduled, concluded, cancelled → the unit's officers (and the panel, for the last two);
    scoring opened → the panel; every evaluator scored → the staff who opened the session."""
    recommendation = session.recommendation
    what = _letter(recommendation)
    officers = _unit_officers(recommendation.recipient_unit_id)
    panel = list(session.members.values_list("user_id", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        if event == "scheduled":
            recipients = officers
            title = _("On-site evaluation scheduled: %(what)s") % {"what": what}
            body = _(
                "The unit head reports on the rectification in person on %(day)s and answers the "
                "panel's questions."
            ) % {"day": f"{session.scheduled_on:%Y-%m-%d}"}
            if session.place:
                body += " " + _("Place: %(place)s.") % {"place": session.place}
        elif event == "scoring":
            recipients = panel
            title = _("To score: %(what)s") % {"what": what}
            body = _("Score each indicator of the on-site evaluation, with your comments.")
        elif event == "scored":
            recipients = list(
                User.objects.discipline_staff()
                .filter(pk=session.opened_by_id, is_active=True)
                .values_list("pk", flat=True)
            )
            title = _("Every evaluator has scored: %(what)s") % {"what": what}
            body = _("Conclude the session to combine the scores.")
        elif event == "concluded":
            recipients = [*officers, *panel]
            title = _("Evaluated: %(what)s") % {"what": what}
            body = _("The on-site evaluation is concluded: %(score)s points, %(rating)s.") % {
                "score": session.total_score,
                "rating": session.evaluation.get_rating_display() if session.evaluation else "",
            }
        elif event == "cancelled":
            recipients = [*officers, *panel]
            title = _("On-site evaluation cancelled: %(what)s") % {"what": what}
            body = _("Reason: %(reason)s") % {"reason": session.cancel_reason[:500]}
        else:
            return
        _send(
            recipients,
            actor=actor,
            title=title,
            body=body,
            link=_session_link(session),
            key=f"evaluation:{session.pk}:{event}",
        )


# ── 整改反弹 ─────────────────────────────────────────────────────────────────────────────────


def _rebound_readers(flags, case) -> dict[int, list[int]]:
    """Who is told of each flag: the staff of the commission handling the new problem's case —
    and of the commission a dispatched group belongs to (the group's cases may reach beyond the
    units it is posted to) — and whoever logged the case, each for the flags they may read: a
    flag speaks of two problems, and a sector match may point into another jurisdiction
    (``ReboundFlag.objects.restrict``). Few people: one query each, whatever the flags."""
    commission = case.commission
    units = [commission.pk]
    if commission.kind == OrgUnit.Kind.GROUP and commission.depth > 1:
        units.append(OrgUnit.objects.get_parent(commission).pk)
    candidates = (
        User.objects.discipline_staff()
        .filter(is_active=True)
        .filter(Q(org_unit_id__in=units) | Q(pk=case.created_by_id))
    )
    readers = {flag.pk: [] for flag in flags}
    for user in candidates:
        readable = ReboundFlag.objects.restrict(user).filter(pk__in=list(readers))
        for pk in readable.values_list("pk", flat=True):
            readers[pk].append(user.pk)
    return readers


def rebound_flagged(flags, case) -> None:
    """A possible rebound was flagged → the commission's staff who may read it, with a link to the
    new problem on its case's page. Keyed by the pair of problems: a problem corrected and
    flagged again against the same earlier problem tells nobody twice. Nothing of the case is in
    the words: the unit and the measure that was signed off. A problem may match dozens of
    earlier ones: their notices are written together."""
    if not flags:
        return
    flags = list(
        ReboundFlag.objects.filter(pk__in=[flag.pk for flag in flags]).select_related(
            "unit", "measure"
        )
    )
    readers = _rebound_readers(flags, case)
    link = reverse("cases:detail", args=[case.pk])
    outgoing = []
    with translation.override(settings.LANGUAGE_CODE):
        for flag in flags:
            outgoing += notifications_for(
                readers[flag.pk],
                kind=KIND,
                title=_("Possible rebound: %(unit)s") % {"unit": flag.unit.name[:60]},
                body=_(
                    "A new problem matches one that the signed-off measure “%(measure)s” "
                    "addressed; check whether the rectification has rebounded."
                )
                % {"measure": _measure(flag.measure)},
                link=f"{link}#problem-{flag.problem_id}",
                dedupe_key=f"rebound:{flag.problem_id}:{flag.earlier_problem_id}",
            )
    notify(outgoing)
