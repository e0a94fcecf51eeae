"""Writes to measures: planning, progress and evidence, and one function per transition.

not_started → in_progress → awaiting_signoff → signed_off
                   ▲               │                │
                   └── returned ◀──┘ (with a reason)│
                   ▲                                │
                   └──── reopened by a follow-up ◀──┘ (rebounded, with a new due date)

The current due date moves only through ``extension_request_approve``; an extension request goes
pending → approved | rejected. Every function checks who may call it (``rules.py``), validates,
records history and runs in one transaction. The outcomes a letter produced (rule changes
立改废释 and activities such as warning education) and follow-up reviews (回头看) of a closed
recommendation are written here too, next to their models.

``available_actions`` tells the pages what a user may do to a measure or an extension request now,
from the same from-state tables the functions enforce.
"""

import datetime
import random
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import OrgUnit
from core.domain import (
    DomainError,
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    apply_transition,
    insert_together,
    lock_for_update,
    max_length_of,
    max_value_of,
    require_perm,
    require_status,
    shanghai_today,
)
from core.uploads import (
    EVIDENCE_TYPES,
    check_upload,
    digests_of,
    files_removed_on_error,
    remember_written,
)
from recommendations import services as recommendation_services
from recommendations.models import Recommendation, RecommendationItem

from . import workflow
from .models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpMeasure,
    Measure,
    MeasureTransition,
    ProgressReport,
    RuleChange,
)

Status = Measure.Status
Decision = ExtensionRequest.Status
# Measures are planned after issue and until the unit replies (the recommendation's "plan").
PLANNABLE = recommendation_services.FROM_STATUSES["plan"]
_UNSIGNED = frozenset(Status) - {Status.SIGNED_OFF}
# Why a returned measure cannot ask for sign-off yet (the refusal, and the pages' hint).
RETURNED_NEEDS_NEW_WORK = _lazy(
    "After a return, add new progress or new evidence before requesting sign-off again."
)

# The states each measure action starts from: the services enforce them, and ``available_actions``
# offers an action only then. "report" is progress and evidence.
FROM_STATUSES = {
    "report": frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED}),
    # A returned measure first needs new work: a progress report or evidence added after the return
    # moves it back to in progress (``progress_report_add``, ``evidence_add``).
    "request_signoff": frozenset({Status.IN_PROGRESS}),
    "sign_off": frozenset({Status.AWAITING_SIGNOFF}),
    "return": frozenset({Status.AWAITING_SIGNOFF}),
    "request_extension": _UNSIGNED,
    "edit": _UNSIGNED,
    # A follow-up review (回头看) found the signed-off measure rebounded: back to in progress with
    # a new due date, none if standing (``measure_reopen``, reached through ``follow_up_mark``).
    "reopen": frozenset({Status.SIGNED_OFF}),
}
# The permission each measure action needs (``rules.py``), checked on the measure.
PERMS = {
    "report": "reforms.report_progress",
    "request_signoff": "reforms.request_signoff",
    "sign_off": "reforms.sign_off_measure",
    "return": "reforms.return_measure",
    "request_extension": "reforms.request_extension",
    "edit": "reforms.change_measure",
    "reopen": "reforms.reopen_measure",
}
# The same for an extension request's decisions; the permission is checked on its measure.
EXTENSION_FROM_STATUSES = {
    "approve": frozenset({Decision.PENDING}),
    "reject": frozenset({Decision.PENDING}),
}
EXTENSION_PERMS = {
    "approve": "reforms.decide_extension",
    "reject": "reforms.decide_extension",
}
# What ``measure_update`` changes once a measure is planned (its wording and who owns it): the
# measure page's form, the API and the admin edit exactly these.
MEASURE_EDITABLE_FIELDS = ("content", "standard", "department", "owner_name", "leader_name")
# What an outcome's create and update write (its unit, letter and measure are fixed at creation):
# the pages' forms and the API's serializers edit exactly these.
RULE_CHANGE_WRITABLE_FIELDS = ("kind", "title", "effective_on")
ACTIVITY_WRITABLE_FIELDS = ("kind", "title", "held_on", "participant_count", "notes")


def available_actions(user, obj, *, scoped: bool = False) -> frozenset[str]:
    """The actions ``user`` may take on a measure or an extension request now.

    An action is offered when the object's state is in its from-state table and ``user.has_perm``
    allows it; a standing measure, or one with a pending extension request, offers no
    "request_extension", and a request on a standing measure no "approve". The services still
    check them. ``scoped=True`` says the object was read through ``restrict(user)``, so the
    permissions are checked at model level (their ``in_scope`` holds already) and a page of rows
    costs no query per row.
    """
    if isinstance(obj, ExtensionRequest):
        table, perms, target = EXTENSION_FROM_STATUSES, EXTENSION_PERMS, obj.measure
    else:
        table, perms, target = FROM_STATUSES, PERMS, obj
    target = None if scoped else target
    allowed = {
        name
        for name, states in table.items()
        if obj.status in states and user.has_perm(perms[name], target)
    }
    if isinstance(obj, ExtensionRequest):
        if obj.measure.is_standing:  # a request made before standing measures refused them
            allowed.discard("approve")
    elif "request_extension" in allowed and (obj.is_standing or _has_pending_extension(obj)):
        allowed.discard("request_extension")
    return frozenset(allowed)


def _has_pending_extension(measure: Measure) -> bool:
    # Reads ``extension_requests`` as a page prefetched them, or in one query.
    return any(request.status == Decision.PENDING for request in measure.extension_requests.all())


def _begin(action: str, measure: Measure, actor, refusal) -> None:
    """How every transition of a measure starts: the actor may take ``action`` on it, the measure
    is locked, and its state allows the action (otherwise ``refusal``)."""
    require_perm(actor, PERMS[action], measure)
    lock_for_update(measure)
    require_status(measure, FROM_STATUSES[action], refusal)


def _check_reason_length(text: str, field: str, label) -> None:
    """An opinion or a reason fits the history row (``TransitionRecord.reason``)."""
    limit = max_length_of(MeasureTransition, "reason")
    if len(text) > limit:
        message = _("The %(field)s is at most %(limit)d characters.") % {
            "field": label,
            "limit": limit,
        }
        raise InvalidInput(message, errors={field: [message]})


def standing_placeholder(recommendation: Recommendation) -> datetime.date:
    """The date a standing measure stores and no page shows: the letter's reply deadline, or its
    issue date when it has none or one before it."""
    return max(recommendation.reply_due_on or recommendation.issued_on, recommendation.issued_on)


class MeasurePlan:
    """Measures planned together (a rectification plan: the bulk API, the plan's spreadsheet),
    each checked as it is added and all inserted by one statement on ``save``, so the tally's
    triggers run once for the plan (``core.domain.insert_together``). A refusal of ``add`` leaves
    the plan as it was; what ``add`` checked once (an item in sight, an account's unit) it does
    not ask the database again."""

    def __init__(self, actor):
        self.actor = actor
        self.measures: list[Measure] = []
        self._items_in_sight: set[int] = set()
        self._people_checked: set[tuple[int, int]] = set()

    def add(
        self,
        *,
        item: RecommendationItem,
        content: str,
        standard: str,
        department: str,
        owner_name: str,
        leader_name: str,
        due_on: datetime.date | None = None,
        is_standing: bool = False,
        owner=None,
        leader=None,
    ) -> Measure:
        """A measure under an item of an issued recommendation, checked, not yet saved.

        A standing measure (长期坚持) has no due date: it is never due soon nor overdue. It keeps
        the letter's reply deadline (or its issue date) as a placeholder, since the column is not
        null, whatever date came with it: a date sent beside 长期坚持 (a spreadsheet's cell, an
        API client's field) is set aside, as the plan form sets it aside, so that no hidden date
        of the unit's choosing orders or bands it. Any other measure must have one."""
        require_perm(self.actor, "reforms.add_measure")
        self._require_in_sight(item)
        recommendation = item.recommendation
        if recommendation.status not in PLANNABLE:
            raise TransitionRefused(
                _("Measures can be planned only after issue and before the reply is submitted.")
            )
        if is_standing:
            due_on = standing_placeholder(recommendation)
        elif due_on is None:
            message = _("Fill in the due date (a standing measure needs none).")
            raise TransitionRefused(message, errors={"due_on": [message]})
        if due_on < recommendation.issued_on:
            raise TransitionRefused(
                _("The due date cannot be before the recommendation was issued.")
            )
        unit = recommendation.recipient_unit
        owner_name = self._person_name(owner_name, owner, "owner", unit)
        leader_name = self._person_name(leader_name, leader, "leader", unit)
        _require_filled(content, standard, owner_name, leader_name)
        measure = Measure(
            item=item,
            unit_id=recommendation.recipient_unit_id,
            content=content,
            standard=standard,
            department=department,
            owner_name=owner_name,
            owner=owner,
            leader_name=leader_name,
            leader=leader,
            is_standing=is_standing,
            original_due_on=due_on,
            due_on=due_on,
            created_by=self.actor,
        )
        self.measures.append(measure)
        return measure

    def save(self) -> list[Measure]:
        return insert_together(Measure, self.measures)

    def _require_in_sight(self, item) -> None:
        if item.pk in self._items_in_sight:
            return
        if not RecommendationItem.objects.restrict(self.actor).filter(pk=item.pk).exists():
            raise PermissionRefused()
        self._items_in_sight.add(item.pk)

    def _person_name(self, name: str, account, field: str, unit) -> str:
        """A person named by account (the reminders then reach them) or by name, or both: an
        account belongs to the unit and can open its measures (an account of a unit below it
        cannot, and would be reminded of a measure it may not see), and gives its name when none
        is written."""
        if account is None:
            return name
        if (account.pk, unit.pk) not in self._people_checked:
            _require_account_opens_unit(account, field, unit)
            self._people_checked.add((account.pk, unit.pk))
        return name.strip() or account.full_name or account.username


def _require_filled(content: str, standard: str, owner_name: str, leader_name: str) -> None:
    """A measure says what is done, to what standard, by whom and under which leader."""
    for label, value in (
        (_("measure"), content),
        (_("completion standard"), standard),
        (_("owner"), owner_name),
        (_("accountable leader"), leader_name),
    ):
        if not value.strip():
            raise TransitionRefused(_("Fill in the %(field)s.") % {"field": label})


def _require_account_opens_unit(account, field: str, unit) -> None:
    if account.org_unit is None or not account.org_unit.path.startswith(unit.path):
        message = _("%(person)s is not an account of %(unit)s.") % {"person": account, "unit": unit}
        raise InvalidInput(message, errors={field: [message]})
    if not OrgUnit.objects.restrict(account).filter(pk=unit.pk).exists():
        message = _(
            "%(person)s belongs to a unit below %(unit)s and cannot open its measures: "
            "write the name instead."
        ) % {"person": account, "unit": unit}
        raise InvalidInput(message, errors={field: [message]})


def measure_create(*, actor, **fields) -> Measure:
    """The unit (or staff helping it) plans a measure: a plan of one (``MeasurePlan.add``)."""
    plan = MeasurePlan(actor)
    plan.add(**fields)
    return plan.save()[0]


def _check_evidence(files) -> None:
    """Every file is checked before any is written: size, and type by content (core.uploads)."""
    for file in files:
        check_upload(file, allowed=EVIDENCE_TYPES, max_bytes=settings.EVIDENCE_MAX_BYTES)


def _store_evidence(*, measure, actor, file: UploadedFile, description, progress_report):
    """Write the file under a random name (``evidence_upload_to``), sealed when
    ``EVIDENCE_ENCRYPTION`` is on; hash what was stored (SHA-256 and SM3 of the plaintext)."""
    evidence = Evidence(
        measure=measure,
        progress_report=progress_report,
        original_name=PurePath(file.name).name[:255],
        description=description,
        uploaded_by=actor,
    )
    evidence.sealed = settings.EVIDENCE_ENCRYPTION
    evidence.file.save(file.name, Evidence.seal(file) if evidence.sealed else file, save=False)
    remember_written(evidence.file)
    # Read back (and opened) from the storage: the size and digests of what will be downloaded.
    stored = evidence.content()
    evidence.size = stored.size
    evidence.sha256, evidence.sm3 = digests_of(stored)
    evidence.save()
    return evidence


@files_removed_on_error()
@transaction.atomic
def evidence_add(*, measure: Measure, actor, file: UploadedFile, description: str = "") -> Evidence:
    """The unit attaches a file proving the measure was carried out."""
    _begin(
        "report",
        measure,
        actor,
        _("Evidence cannot be changed while sign-off is requested or done."),
    )
    _check_evidence([file])
    evidence = _store_evidence(
        measure=measure, actor=actor, file=file, description=description, progress_report=None
    )
    if measure.status == Status.RETURNED:
        # New evidence after a return is new work, as a progress report is: the measure is back in
        # progress and sign-off may be requested again.
        apply_transition(measure, to_status=Status.IN_PROGRESS, actor=actor)
    return evidence


@files_removed_on_error()
@transaction.atomic
def progress_report_add(
    *,
    measure: Measure,
    actor,
    content: str,
    percent_complete: int,
    files: tuple[UploadedFile, ...] = (),
) -> ProgressReport:
    """The unit reports progress with evidence files; a first or post-return report starts work."""
    _begin(
        "report",
        measure,
        actor,
        _("Progress cannot be reported while sign-off is requested or done."),
    )
    if not content.strip():
        raise TransitionRefused(_("Describe the progress."))
    if not 0 <= percent_complete <= 100:
        raise TransitionRefused(_("Percent complete is between 0 and 100."))
    _check_evidence(files)
    report = ProgressReport.objects.create(
        measure=measure, content=content, percent_complete=percent_complete, reported_by=actor
    )
    for file in files:
        _store_evidence(
            measure=measure, actor=actor, file=file, description="", progress_report=report
        )
    if measure.status != Status.IN_PROGRESS:
        apply_transition(measure, to_status=Status.IN_PROGRESS, actor=actor)
    return report


@transaction.atomic
def measure_request_signoff(*, measure: Measure, actor, note: str = "") -> Measure:
    """The unit asks for the measure to be ticked off (申请销号); evidence is required.

    After a return, only once something new was added (a progress report or evidence, which move
    the measure back to in progress): the same material cannot simply be sent again.
    """
    require_perm(actor, PERMS["request_signoff"], measure)
    lock_for_update(measure)
    if measure.status == Status.RETURNED:
        raise TransitionRefused(RETURNED_NEEDS_NEW_WORK, code="invalid_state")
    require_status(
        measure,
        FROM_STATUSES["request_signoff"],
        _("Sign-off can be requested for a measure in progress."),
    )
    if not measure.evidence.exists():
        raise TransitionRefused(_("Upload evidence before requesting sign-off."))
    transition = apply_transition(
        measure, to_status=Status.AWAITING_SIGNOFF, actor=actor, reason=note
    )
    workflow.measure_event(measure, transition, actor=actor)
    return measure


@transaction.atomic
def measure_sign_off(*, measure: Measure, actor, note: str = "") -> Measure:
    """Discipline staff verify the evidence and tick the measure off (销号), writing what they
    checked: the verification opinion (核查意见, ``note``) is required and kept as the history row's
    reason, shown on the measure's page and in the ledger."""
    _begin("sign_off", measure, actor, _("Only a measure awaiting sign-off can be signed off."))
    if not note.strip():
        message = _("Write the verification opinion before signing off.")
        raise TransitionRefused(message, errors={"note": [message]})
    _check_reason_length(note, "note", _("verification opinion"))
    measure.signed_off_on = shanghai_today()
    transition = apply_transition(measure, to_status=Status.SIGNED_OFF, actor=actor, reason=note)
    workflow.measure_event(measure, transition, actor=actor)
    return measure


@transaction.atomic
def measure_return(*, measure: Measure, actor, reason_code: str, reason: str = "") -> Measure:
    """Discipline staff send the measure back, e.g. for paper rectification (纸面整改)."""
    _begin("return", measure, actor, _("Only a measure awaiting sign-off can be returned."))
    if reason_code not in MeasureTransition.ReturnReason.values:
        raise TransitionRefused(_("Choose a reason for returning the measure."))
    if reason_code == MeasureTransition.ReturnReason.OTHER and not reason.strip():
        raise TransitionRefused(_("Explain the reason for returning the measure."))
    _check_reason_length(reason, "reason", _("explanation"))
    transition = apply_transition(
        measure, to_status=Status.RETURNED, actor=actor, reason=reason, return_reason=reason_code
    )
    workflow.measure_event(measure, transition, actor=actor)
    return measure


@transaction.atomic
def measure_reopen(
    *, measure: Measure, actor, due_on: datetime.date | None, reason: str
) -> Measure:
    """A signed-off measure rebounded (整改反弹): back to in progress with a new due date, or
    none for a standing measure, which goes on without a deadline.

    Its original due date stays; ``reopen_count`` and ``reopened_on`` keep the work after the
    reopening apart from first-time work. The unit's officers and the owner are told.
    """
    _begin("reopen", measure, actor, _("Only a signed-off measure can be reopened."))
    if not reason.strip():
        message = _("Describe what rebounded.")
        raise TransitionRefused(message, errors={"findings": [message]})
    _check_reason_length(reason, "findings", _("findings"))
    today = shanghai_today()
    _check_new_due_date(measure, due_on, today)
    measure.signed_off_on = None
    measure.due_on = due_on or measure.due_on
    measure.reopen_count += 1
    measure.reopened_on = today
    transition = apply_transition(measure, to_status=Status.IN_PROGRESS, actor=actor, reason=reason)
    workflow.measure_event(measure, transition, actor=actor)
    return measure


def _check_new_due_date(measure: Measure, due_on: datetime.date | None, today) -> None:
    """A reopened measure's due date: after today and not before the original one; none for a
    standing measure (its date is a placeholder no page shows)."""
    if measure.is_standing:
        if due_on is not None:
            message = _("A standing measure is reopened without a due date.")
            raise TransitionRefused(message, errors={"new_due_on": [message]})
        return
    if due_on is None or due_on <= today:
        message = _("Give a new due date after today.")
        raise TransitionRefused(message, errors={"new_due_on": [message]})
    if due_on < measure.original_due_on:
        message = _("The new due date cannot be earlier than the original one (%(day)s).") % {
            "day": f"{measure.original_due_on:%Y-%m-%d}"
        }
        raise TransitionRefused(message, errors={"new_due_on": [message]})


@transaction.atomic
def extension_request_submit(
    *, measure: Measure, actor, requested_due_on: datetime.date, reason: str
) -> ExtensionRequest:
    """The unit asks to move the current due date later, giving its reason."""
    _begin("request_extension", measure, actor, _("A signed-off measure needs no extension."))
    if measure.is_standing:
        raise TransitionRefused(_("A standing measure has no due date to extend."))
    if requested_due_on <= measure.due_on:
        raise TransitionRefused(_("The requested due date must be later than the current one."))
    if not reason.strip():
        raise TransitionRefused(_("Give the reason for the extension."))
    if measure.extension_requests.pending().exists():
        raise TransitionRefused(_("This measure already has a pending extension request."))
    request = ExtensionRequest.objects.create(
        measure=measure,
        previous_due_on=measure.due_on,
        requested_due_on=requested_due_on,
        reason=reason,
        requested_by=actor,
    )
    workflow.extension_event(request, actor=actor)
    return request


def _decide(request: ExtensionRequest, *, action: str, actor, status: str, note: str) -> None:
    require_perm(actor, EXTENSION_PERMS[action], request.measure)
    lock_for_update(request)
    require_status(
        request,
        EXTENSION_FROM_STATUSES[action],
        _("This extension request has already been decided."),
    )
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save()


@transaction.atomic
def extension_request_approve(
    *, request: ExtensionRequest, actor, note: str = ""
) -> ExtensionRequest:
    """Staff approve: the measure's current due date moves; the original one stays."""
    _decide(request, action="approve", actor=actor, status=Decision.APPROVED, note=note)
    measure = lock_for_update(request.measure)
    require_status(
        measure, FROM_STATUSES["request_extension"], _("A signed-off measure needs no extension.")
    )
    if measure.is_standing:  # a request made before standing measures refused them
        raise TransitionRefused(_("A standing measure has no due date to extend."))
    measure.due_on = request.requested_due_on
    measure.save(update_fields=["due_on", "updated_at"])
    workflow.extension_event(request, actor=actor)
    return request


@transaction.atomic
def extension_request_reject(*, request: ExtensionRequest, actor, note: str) -> ExtensionRequest:
    """Staff refuse the extension, saying why; the due date stays."""
    if not note.strip():
        raise TransitionRefused(_("Say why the extension is refused."))
    _decide(request, action="reject", actor=actor, status=Decision.REJECTED, note=note)
    workflow.extension_event(request, actor=actor)
    return request


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    actor,
    content: str,
    standard: str,
    department: str,
    owner_name: str,
    leader_name: str,
) -> Measure:
    """Reword a planned measure or change who owns it, until it is signed off.

    Its item, dates and standing stay as planned: the current due date moves only through an
    approved extension request.
    """
    _begin("edit", measure, actor, _("A signed-off measure can no longer be changed."))
    _require_filled(content, standard, owner_name, leader_name)
    measure.content = content
    measure.standard = standard
    measure.department = department
    measure.owner_name = owner_name
    measure.leader_name = leader_name
    measure.save(update_fields=[*MEASURE_EDITABLE_FIELDS, "updated_at"])
    return measure


# ---------------------------------------------------------------------------------------------
# Follow-up reviews (回头看): staff schedule one after the recommendation is closed and record
# what they found. When one may be scheduled is the recommendation's "follow_up" action.


@transaction.atomic
def follow_up_schedule(
    *, recommendation: Recommendation, actor, scheduled_on: datetime.date
) -> FollowUp:
    """Staff schedule a follow-up review of a closed (or evaluated) recommendation."""
    require_perm(actor, recommendation_services.PERMS["follow_up"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation,
        recommendation_services.FROM_STATUSES["follow_up"],
        _("A follow-up review is scheduled once the recommendation is closed."),
    )
    if scheduled_on < shanghai_today():
        raise TransitionRefused(_("A follow-up review is scheduled for today or later."))
    follow_up = FollowUp.objects.create(
        recommendation=recommendation, scheduled_on=scheduled_on, created_by=actor
    )
    workflow.follow_up_scheduled(follow_up, actor=actor)
    return follow_up


@transaction.atomic
def follow_up_record(
    *,
    follow_up: FollowUp,
    actor,
    outcome: str,
    findings: str = "",
    conducted_on: datetime.date | None = None,
) -> FollowUp:
    """Staff record how a follow-up review went; a rebound needs its findings."""
    require_perm(actor, "reforms.change_followup", follow_up)
    lock_for_update(follow_up)
    if follow_up.conducted_on is not None:
        raise TransitionRefused(_("The outcome of this follow-up review is already recorded."))
    if outcome not in FollowUp.Outcome.values:
        raise TransitionRefused(_("Choose the outcome of the follow-up review."))
    conducted_on = conducted_on or shanghai_today()
    if conducted_on > shanghai_today():
        raise TransitionRefused(_("A follow-up review cannot be recorded before it takes place."))
    issued_on = follow_up.recommendation.issued_on
    if issued_on and conducted_on < issued_on:
        raise TransitionRefused(_("The review date is before the recommendation was issued."))
    if outcome == FollowUp.Outcome.REBOUNDED and not findings.strip():
        raise TransitionRefused(_("Describe the problems that rebounded."))
    verdicts = set(follow_up.rows.values_list("verdict", flat=True))
    if "" in verdicts:
        raise TransitionRefused(_("Mark every measure of the review held or rebounded first."))
    if FollowUpMeasure.Verdict.REBOUNDED in verdicts and outcome != FollowUp.Outcome.REBOUNDED:
        raise TransitionRefused(_("A measure rebounded: the outcome is that problems rebounded."))
    follow_up.conducted_on = conducted_on
    follow_up.outcome = outcome
    follow_up.findings = findings
    follow_up.save(update_fields=["conducted_on", "outcome", "findings", "updated_at"])
    return follow_up


# The review's measures: chosen once, before the review is recorded; each marked held or
# rebounded (which reopens it); the review may end with a 通报 or a 约谈 (an activity).
CLOSING_KINDS = (Activity.Kind.PUBLIC_NOTICE, Activity.Kind.ADMONITION_TALK)


def _require_open_review(follow_up: FollowUp) -> None:
    if follow_up.conducted_on is not None:
        raise TransitionRefused(_("The outcome of this follow-up review is already recorded."))


@transaction.atomic
def follow_up_choose_measures(
    *, follow_up: FollowUp, actor, sample_size: int | None = None
) -> list[FollowUpMeasure]:
    """Staff choose the measures to review: all the letter's signed-off measures, or a random
    sample of ``sample_size`` of them (the sample is recorded as the review's rows)."""
    require_perm(actor, "reforms.change_followup", follow_up)
    lock_for_update(follow_up)
    _require_open_review(follow_up)
    if follow_up.rows.exists():
        raise TransitionRefused(_("The measures of this review are already chosen."))
    signed_off = list(
        Measure.objects.filter(
            item__recommendation_id=follow_up.recommendation_id, status=Status.SIGNED_OFF
        ).order_by("pk")
    )
    if not signed_off:
        raise TransitionRefused(_("The recommendation has no signed-off measure to review."))
    if sample_size is not None and sample_size < 1:
        message = _("A sample holds at least one measure.")
        raise InvalidInput(message, errors={"sample_size": [message]})
    chosen = signed_off
    if sample_size is not None and sample_size < len(signed_off):
        chosen = sorted(random.SystemRandom().sample(signed_off, sample_size), key=lambda m: m.pk)
    follow_up.sample_size = 0 if sample_size is None else min(sample_size, len(signed_off))
    follow_up.save(update_fields=["sample_size", "updated_at"])
    return FollowUpMeasure.objects.bulk_create(
        FollowUpMeasure(follow_up=follow_up, measure=measure) for measure in chosen
    )


@transaction.atomic
def follow_up_mark(
    *,
    row: FollowUpMeasure,
    actor,
    verdict: str,
    findings: str = "",
    new_due_on: datetime.date | None = None,
) -> FollowUpMeasure:
    """Staff mark a reviewed measure held, or rebounded: then it is reopened (``measure_reopen``)
    with ``findings`` as its reason and ``new_due_on`` as its due date (none if standing)."""
    follow_up = row.follow_up
    require_perm(actor, "reforms.change_followup", follow_up)
    lock_for_update(follow_up)
    lock_for_update(row)
    _require_open_review(follow_up)
    if row.verdict:
        raise TransitionRefused(_("This measure is already marked."))
    if verdict not in FollowUpMeasure.Verdict.values:
        message = _("Choose whether the rectification held or rebounded.")
        raise InvalidInput(message, errors={"verdict": [message]})
    if verdict == FollowUpMeasure.Verdict.REBOUNDED:
        measure_reopen(measure=row.measure, actor=actor, due_on=new_due_on, reason=findings)
    else:
        new_due_on = None
    row.verdict = verdict
    row.findings = findings
    row.new_due_on = new_due_on
    row.checked_by = actor
    row.checked_at = timezone.now()
    row.save()
    return row


@transaction.atomic
def follow_up_conclude(
    *,
    follow_up: FollowUp,
    actor,
    kind: str,
    title: str,
    held_on: datetime.date,
    participant_count: int,
    notes: str = "",
) -> Activity:
    """A recorded review ends with a public notice (通报) or an admonition talk (约谈) of the
    unit: an activity of the letter, linked to the review."""
    require_perm(actor, "reforms.change_followup", follow_up)
    lock_for_update(follow_up)
    if follow_up.conducted_on is None:
        raise TransitionRefused(_("Record the outcome of the review first."))
    if follow_up.closing_activity_id is not None:
        raise TransitionRefused(_("This review already ended with a notice or a talk."))
    if kind not in CLOSING_KINDS:
        message = _("A review ends with a public notice or an admonition talk.")
        raise InvalidInput(message, errors={"kind": [message]})
    activity = activity_create(
        actor=actor,
        kind=kind,
        title=title,
        held_on=held_on,
        participant_count=participant_count,
        notes=notes,
        recommendation=follow_up.recommendation,
    )
    follow_up.closing_activity = activity
    follow_up.save(update_fields=["closing_activity", "updated_at"])
    return activity


# ---------------------------------------------------------------------------------------------
# Outcomes (整改成效): rule changes (立改废释) and activities (warning education, special meetings,
# talks, rotations). The unit's officer records them for their unit, staff for units in their
# jurisdiction, against a measure or an issued recommendation; the unit, letter and measure are
# fixed when the outcome is recorded, its kind, wording, date and count may be corrected later.


OUTCOMES_AFTER_ISSUE = _lazy("Outcomes are recorded once the recommendation is issued.")


def open_to_outcomes(recommendation: Recommendation) -> bool:
    """Outcomes are recorded against an issued letter, never a draft."""
    return recommendation.status != Recommendation.Status.DRAFT


def _outcome_target(actor, *, measure: Measure | None, recommendation: Recommendation | None):
    """The (unit, recommendation, measure) an outcome belongs to, checked against the actor's
    jurisdiction; a measure decides its letter and unit."""
    if measure is not None:
        if not Measure.objects.restrict(actor).filter(pk=measure.pk).exists():
            raise PermissionRefused()
        letter = measure.item.recommendation
        if recommendation is not None and recommendation.pk != letter.pk:
            raise DomainError(_("The measure is not under this recommendation."))
        recommendation, unit = letter, measure.unit
    elif recommendation is not None:
        if not Recommendation.objects.restrict(actor).filter(pk=recommendation.pk).exists():
            raise PermissionRefused()
        unit = recommendation.recipient_unit
    else:
        raise DomainError(_("Record the outcome against a recommendation or one of its measures."))
    if not open_to_outcomes(recommendation):
        raise TransitionRefused(OUTCOMES_AFTER_ISSUE)
    return unit, recommendation, measure


def _check_title(model, title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(
            _("Fill in the %(field)s.") % {"field": model._meta.get_field("title").verbose_name}
        )
    limit = model._meta.get_field("title").max_length
    if len(title) > limit:
        raise DomainError(
            _("The %(field)s is at most %(limit)d characters.")
            % {"field": model._meta.get_field("title").verbose_name, "limit": limit}
        )
    return title


def _check_rule_change(recommendation, *, kind, title, effective_on) -> dict:
    if kind not in RuleChange.Kind.values:
        raise DomainError(
            _("Choose whether the rule was established, revised, abolished or interpreted.")
        )
    issued_on = recommendation.issued_on
    if effective_on and issued_on and effective_on < issued_on:
        raise DomainError(_("The effective date cannot be before the recommendation was issued."))
    return {"kind": kind, "title": _check_title(RuleChange, title), "effective_on": effective_on}


def _check_activity(recommendation, *, kind, title, held_on, participant_count, notes) -> dict:
    if kind not in Activity.Kind.values:
        raise DomainError(_("Choose the kind of activity."))
    if held_on is None:
        raise DomainError(_("Give the date the activity was held."))
    if held_on > shanghai_today():
        raise DomainError(_("An activity is recorded once it has been held."))
    issued_on = recommendation.issued_on
    if issued_on and held_on < issued_on:
        raise DomainError(_("The activity date cannot be before the recommendation was issued."))
    if participant_count is None or participant_count < 1:
        raise DomainError(_("Give the number of participants (at least one)."))
    if participant_count > max_value_of(Activity, "participant_count"):
        raise DomainError(_("The number of participants is too large."))
    notes = notes or ""
    limit = Activity._meta.get_field("notes").max_length
    if len(notes) > limit:
        raise DomainError(
            _("The %(field)s is at most %(limit)d characters.")
            % {"field": Activity._meta.get_field("notes").verbose_name, "limit": limit}
        )
    return {
        "kind": kind,
        "title": _check_title(Activity, title),
        "held_on": held_on,
        "participant_count": participant_count,
        "notes": notes,
    }


@transaction.atomic
def rule_change_create(
    *,
    actor,
    kind: str,
    title: str,
    effective_on: datetime.date | None = None,
    measure: Measure | None = None,
    recommendation: Recommendation | None = None,
) -> RuleChange:
    """Record a rule the unit established, revised, abolished or interpreted (立改废释)."""
    require_perm(actor, "reforms.add_rulechange")
    unit, recommendation, measure = _outcome_target(
        actor, measure=measure, recommendation=recommendation
    )
    fields = _check_rule_change(recommendation, kind=kind, title=title, effective_on=effective_on)
    return RuleChange.objects.create(
        unit=unit, recommendation=recommendation, measure=measure, created_by=actor, **fields
    )


@transaction.atomic
def rule_change_update(
    *, rule_change: RuleChange, actor, kind: str, title: str, effective_on: datetime.date | None
) -> RuleChange:
    require_perm(actor, "reforms.change_rulechange", rule_change)
    lock_for_update(rule_change)
    fields = _check_rule_change(
        rule_change.recommendation or _NO_LETTER, kind=kind, title=title, effective_on=effective_on
    )
    for name, value in fields.items():
        setattr(rule_change, name, value)
    rule_change.save(update_fields=[*RULE_CHANGE_WRITABLE_FIELDS, "updated_at"])
    return rule_change


@transaction.atomic
def rule_change_delete(*, rule_change: RuleChange, actor) -> None:
    require_perm(actor, "reforms.delete_rulechange", rule_change)
    rule_change.delete()


@transaction.atomic
def activity_create(
    *,
    actor,
    kind: str,
    title: str,
    held_on: datetime.date,
    participant_count: int,
    notes: str = "",
    measure: Measure | None = None,
    recommendation: Recommendation | None = None,
) -> Activity:
    """Record warning education, a special meeting, talks or rotations, with the head count.

    An activity belongs to the letter; recorded from a measure's page it goes to the measure's
    letter and unit.
    """
    require_perm(actor, "reforms.add_activity")
    unit, recommendation, _measure = _outcome_target(
        actor, measure=measure, recommendation=recommendation
    )
    fields = _check_activity(
        recommendation,
        kind=kind,
        title=title,
        held_on=held_on,
        participant_count=participant_count,
        notes=notes,
    )
    return Activity.objects.create(
        unit=unit, recommendation=recommendation, created_by=actor, **fields
    )


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    actor,
    kind: str,
    title: str,
    held_on: datetime.date,
    participant_count: int,
    notes: str = "",
) -> Activity:
    require_perm(actor, "reforms.change_activity", activity)
    lock_for_update(activity)
    fields = _check_activity(
        activity.recommendation or _NO_LETTER,
        kind=kind,
        title=title,
        held_on=held_on,
        participant_count=participant_count,
        notes=notes,
    )
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save(update_fields=[*ACTIVITY_WRITABLE_FIELDS, "updated_at"])
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, actor) -> None:
    require_perm(actor, "reforms.delete_activity", activity)
    activity.delete()


class _NoLetter:
    """An outcome whose letter was deleted (``SET_NULL``): no issue date to check against."""

    issued_on = None


_NO_LETTER = _NoLetter()
