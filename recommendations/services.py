"""Writes to recommendations: drafting, and one function per transition (docs/architecture.md).

draft → issued → acknowledged → rectifying → replied → closed → evaluated
                                     ▲            │
                                     └─ returned ─┘

Every function checks who may call it (``rules.py``), validates, records a history row and runs in
one transaction; a refusal raises ``DomainError`` with a message fit for the user.
``available_actions`` tells the pages which of them a user may take now, from the same table.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from cases.models import Case, Problem
from core.domain import (
    PermissionRefused,
    TransitionRefused,
    apply_transition,
    lock_for_update,
    require_perm,
    require_status,
    shanghai_today,
)
from reforms import workflow
from reforms.models import Measure

from .models import Evaluation, EvaluationSession, Recommendation, RecommendationItem, Reply

Status = Recommendation.Status

# What ``recommendation_create`` and ``recommendation_update`` take about a draft.
DRAFT_FIELDS = (
    "kind",
    "title",
    "issuer",
    "recipient_unit",
    "recipient_name",
    "cases",
    "preamble",
    "copied_to",
    "reply_due_on",
)

# The states each action on a recommendation starts from: the services enforce them, and
# ``available_actions`` offers an action only then. Besides the transitions: "follow_up" schedules
# a follow-up review and "plan" adds measures (both written in ``reforms.services``).
FROM_STATUSES = {
    "issue": frozenset({Status.DRAFT}),
    "acknowledge": frozenset({Status.ISSUED}),
    "start": frozenset({Status.ACKNOWLEDGED}),
    "reply": frozenset({Status.RECTIFYING}),
    "return": frozenset({Status.REPLIED}),
    "close": frozenset({Status.REPLIED}),
    "evaluate": frozenset({Status.CLOSED}),
    # An on-site evaluation session (现场答辩式评查, ``recommendations.evaluation``).
    "open_session": frozenset({Status.CLOSED}),
    "follow_up": frozenset({Status.CLOSED, Status.EVALUATED}),
    "plan": frozenset(Recommendation.AWAITING_REPLY),
}
# The permission each action needs (``rules.py``), checked on the recommendation. Adding a measure
# is a role's permission: ``reforms.services.measure_create`` checks the item's jurisdiction.
PERMS = {
    "issue": "recommendations.issue_recommendation",
    "acknowledge": "recommendations.acknowledge_recommendation",
    "start": "recommendations.start_rectification",
    "reply": "recommendations.submit_reply",
    "return": "recommendations.return_reply",
    "close": "recommendations.close_recommendation",
    "evaluate": "recommendations.evaluate_recommendation",
    "open_session": "recommendations.open_evaluation_session",
    "follow_up": "reforms.add_followup",
    "plan": "reforms.add_measure",
}


def available_actions(user, recommendation: Recommendation) -> frozenset[str]:
    """The actions ``user`` may take on ``recommendation`` now.

    An action is offered when the state is in its ``FROM_STATUSES`` and ``user.has_perm`` allows
    it; the services still check both.
    """
    return frozenset(
        name
        for name, states in FROM_STATUSES.items()
        if recommendation.status in states and user.has_perm(PERMS[name], recommendation)
    )


def _require_in_scope(actor, model, objects: Iterable) -> None:
    ids = {obj.pk for obj in objects}
    if model.objects.restrict(actor).filter(pk__in=ids).count() != len(ids):
        raise PermissionRefused(_("Some of the chosen records are outside your jurisdiction."))


def _validate_parties(actor, *, issuer: OrgUnit, recipient_unit: OrgUnit, cases: list) -> None:
    _require_in_scope(actor, OrgUnit, [issuer, recipient_unit])
    _require_in_scope(actor, Case, cases)
    if issuer.kind not in {OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP}:
        raise TransitionRefused(_("The issuer must be a commission or a dispatched group."))
    if recipient_unit.kind != OrgUnit.Kind.UNIT:
        raise TransitionRefused(_("A recommendation is addressed to a unit."))


@transaction.atomic
def recommendation_create(
    *,
    actor,
    title: str,
    issuer: OrgUnit,
    recipient_unit: OrgUnit,
    cases: Iterable[Case],
    reply_due_on: datetime.date | None = None,
    kind: str = Recommendation.Kind.LETTER,
    recipient_name: str = "",
    preamble: str = "",
    copied_to: str = "",
) -> Recommendation:
    """Discipline staff start a draft for a unit in their jurisdiction, from cases they can see."""
    require_perm(actor, "recommendations.add_recommendation")
    cases = list(cases)
    _validate_parties(actor, issuer=issuer, recipient_unit=recipient_unit, cases=cases)
    recommendation = Recommendation.objects.create(
        kind=kind,
        title=title,
        issuer=issuer,
        recipient_unit=recipient_unit,
        recipient_name=recipient_name,
        preamble=preamble,
        copied_to=copied_to,
        reply_due_on=reply_due_on,
        created_by=actor,
    )
    recommendation.cases.set(cases)
    return recommendation


@transaction.atomic
def recommendation_update(
    *,
    recommendation: Recommendation,
    actor,
    title: str,
    issuer: OrgUnit,
    recipient_unit: OrgUnit,
    cases: Iterable[Case],
    reply_due_on: datetime.date | None,
    kind: str,
    recipient_name: str = "",
    preamble: str = "",
    copied_to: str = "",
) -> Recommendation:
    """Staff correct their draft. Cases its items cite cannot be taken off it."""
    require_perm(actor, "recommendations.change_recommendation", recommendation)
    lock_for_update(recommendation)
    require_status(recommendation, {Status.DRAFT}, _("Only a draft can be edited."))
    cases = list(cases)
    _validate_parties(actor, issuer=issuer, recipient_unit=recipient_unit, cases=cases)
    cited = Problem.objects.filter(recommendation_items__recommendation=recommendation)
    if cited.exclude(case__in=cases).exists():
        raise TransitionRefused(
            _("Items cite problems of a case you took off: change those items first.")
        )
    for field, value in {
        "title": title,
        "issuer": issuer,
        "recipient_unit": recipient_unit,
        "reply_due_on": reply_due_on,
        "kind": kind,
        "recipient_name": recipient_name,
        "preamble": preamble,
        "copied_to": copied_to,
    }.items():
        setattr(recommendation, field, value)
    recommendation.save()
    recommendation.cases.set(cases)
    return recommendation


@transaction.atomic
def recommendation_delete(*, recommendation: Recommendation, actor) -> None:
    """Staff throw away a draft they no longer want, with its items; an issued letter stays."""
    require_perm(actor, "recommendations.delete_recommendation", recommendation)
    lock_for_update(recommendation)
    require_status(recommendation, {Status.DRAFT}, _("Only a draft can be deleted."))
    recommendation.delete()


def _validate_item(recommendation, content: str, problems: list) -> None:
    case_ids = set(recommendation.cases.values_list("pk", flat=True))
    if any(problem.case_id not in case_ids for problem in problems):
        raise TransitionRefused(_("An item can only cite problems of the recommendation's cases."))
    if not content.strip():
        raise TransitionRefused(_("The item needs its content."))


@transaction.atomic
def recommendation_item_add(
    *, recommendation: Recommendation, actor, content: str, problems: Iterable[Problem]
) -> RecommendationItem:
    """Staff add the next numbered item to a draft, tied to problems of its cases."""
    require_perm(actor, "recommendations.change_recommendation", recommendation)
    lock_for_update(recommendation)
    require_status(recommendation, {Status.DRAFT}, _("Items can only be added to a draft."))
    problems = list(problems)
    _validate_item(recommendation, content, problems)
    last = recommendation.items.aggregate(last=Max("number"))["last"] or 0
    item = RecommendationItem.objects.create(
        recommendation=recommendation, number=last + 1, content=content
    )
    item.problems.set(problems)
    return item


@transaction.atomic
def recommendation_item_update(
    *, item: RecommendationItem, actor, content: str, problems: Iterable[Problem]
) -> RecommendationItem:
    """Reword a draft's item or change the problems it answers."""
    recommendation = item.recommendation
    require_perm(actor, "recommendations.change_recommendation", recommendation)
    lock_for_update(recommendation)
    require_status(recommendation, {Status.DRAFT}, _("Only a draft's items can be changed."))
    problems = list(problems)
    _validate_item(recommendation, content, problems)
    item.content = content
    item.save(update_fields=["content"])
    item.problems.set(problems)
    return item


@transaction.atomic
def recommendation_item_remove(*, item: RecommendationItem, actor) -> None:
    """Take an item off a draft; the items after it move up one number."""
    recommendation = item.recommendation
    require_perm(actor, "recommendations.change_recommendation", recommendation)
    lock_for_update(recommendation)
    require_status(recommendation, {Status.DRAFT}, _("Only a draft's items can be removed."))
    item.delete()
    # One by one in number order, so the unique (recommendation, number) holds at every step.
    for later in recommendation.items.filter(number__gt=item.number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])


def _next_doc_serial(*, issuer: OrgUnit, kind: str, year: int) -> int:
    used = Recommendation.objects.filter(issuer=issuer, kind=kind, doc_year=year)
    return (used.aggregate(last=Max("doc_serial"))["last"] or 0) + 1


def _validate_issuable(recommendation: Recommendation, issued_on: datetime.date) -> None:
    items = list(recommendation.items.prefetch_related("problems"))
    if not items:
        raise TransitionRefused(_("A recommendation needs at least one item before it is issued."))
    unlinked = [str(item.number) for item in items if not item.problems.all()]
    if unlinked:
        raise TransitionRefused(
            _("Items %(numbers)s are not linked to any problem.") % {"numbers": "、".join(unlinked)}
        )
    if recommendation.reply_due_on is None or recommendation.reply_due_on <= issued_on:
        raise TransitionRefused(_("Set a reply deadline after the issue date."))
    if not recommendation.issuer.doc_abbr:
        raise TransitionRefused(
            _("The issuer has no document abbreviation (机关代字) for the document number.")
        )


@transaction.atomic
def recommendation_issue(
    *,
    recommendation: Recommendation,
    actor,
    issued_on: datetime.date | None = None,
    doc_serial: int | None = None,
) -> Recommendation:
    """Staff issue a draft: it gets its document number (the next free serial unless given)."""
    require_perm(actor, PERMS["issue"], recommendation)
    lock_for_update(recommendation)
    require_status(recommendation, FROM_STATUSES["issue"], _("Only a draft can be issued."))
    issued_on = issued_on or shanghai_today()
    _validate_issuable(recommendation, issued_on)
    # Numbering is serialised per issuer: the issuer's row is the lock.
    issuer = lock_for_update(recommendation.issuer)
    year = issued_on.year
    if doc_serial is None:
        doc_serial = _next_doc_serial(issuer=issuer, kind=recommendation.kind, year=year)
    doc_number = Recommendation.format_doc_number(
        issuer=issuer, kind=recommendation.kind, year=year, serial=doc_serial
    )
    if (
        not 1 <= doc_serial <= Recommendation.MAX_DOC_SERIAL
        or Recommendation.objects.filter(
            issuer=issuer, kind=recommendation.kind, doc_year=year, doc_serial=doc_serial
        ).exists()
    ):
        raise TransitionRefused(
            _("Document number %(number)s is already used or invalid.") % {"number": doc_number}
        )
    recommendation.doc_year, recommendation.doc_serial = year, doc_serial
    recommendation.doc_number = doc_number
    recommendation.issued_on = issued_on
    transition = apply_transition(recommendation, to_status=Status.ISSUED, actor=actor)
    workflow.recommendation_event(recommendation, transition, actor=actor)
    return recommendation


@transaction.atomic
def self_inspection_list_create(
    *,
    actor,
    title: str,
    issuer: OrgUnit,
    recipient_unit: OrgUnit,
    findings: list[str],
    followed_by,
    issued_on: datetime.date,
    reply_due_on: datetime.date,
) -> tuple[Recommendation, list[RecommendationItem]]:
    """A unit's self-inspection rectification list (自查整改清单), one item per finding.

    Called by ``campaigns.services.submit_answers`` (which checks that ``actor`` is the unit's
    officer): no case stands behind it, so it is not drafted and issued like a letter; it is
    created acknowledged (the unit itself found the problems), numbered 机关代字 + 查 + 〔year〕 +
    serial (its own series), and the unit plans measures on it at once. ``followed_by`` (the
    campaign's creator) is its creator, the staff told when its measures await sign-off.
    """
    kind = Recommendation.Kind.SELF_INSPECTION
    serial = _next_doc_serial(issuer=issuer, kind=kind, year=issued_on.year)
    recommendation = Recommendation.objects.create(
        kind=kind,
        title=title,
        issuer=issuer,
        recipient_unit=recipient_unit,
        status=Status.ACKNOWLEDGED,
        doc_year=issued_on.year,
        doc_serial=serial,
        doc_number=Recommendation.format_doc_number(
            issuer=issuer, kind=kind, year=issued_on.year, serial=serial
        ),
        issued_on=issued_on,
        reply_due_on=reply_due_on,
        created_by=followed_by,
    )
    recommendation.transitions.create(
        from_status=Status.DRAFT, to_status=Status.ACKNOWLEDGED, actor=actor
    )
    items = RecommendationItem.objects.bulk_create(
        RecommendationItem(recommendation=recommendation, number=number, content=content)
        for number, content in enumerate(findings, start=1)
    )
    return recommendation, items


@transaction.atomic
def self_inspection_item_add(*, recommendation: Recommendation, content: str) -> RecommendationItem:
    """One more item on a self-inspection rectification list (自查整改清单), numbered after the
    last: a problem a spot check found after the list was made (``campaigns.services
    .spot_check_record``, which checks the actor's right). The list must still await its reply,
    so the unit plans measures for the item before replying."""
    lock_for_update(recommendation)
    if recommendation.kind != Recommendation.Kind.SELF_INSPECTION:
        raise TransitionRefused(_("Only a self-inspection list takes items this way."))
    require_status(
        recommendation,
        FROM_STATUSES["plan"],
        _("The unit has replied on its rectification list: it takes no more items."),
    )
    last = recommendation.items.aggregate(last=Max("number"))["last"] or 0
    return RecommendationItem.objects.create(
        recommendation=recommendation, number=last + 1, content=content
    )


@transaction.atomic
def recommendation_acknowledge(*, recommendation: Recommendation, actor) -> Recommendation:
    """The unit's officer confirms receipt (签收)."""
    require_perm(actor, PERMS["acknowledge"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation,
        FROM_STATUSES["acknowledge"],
        _("Only an issued recommendation can be acknowledged."),
    )
    transition = apply_transition(recommendation, to_status=Status.ACKNOWLEDGED, actor=actor)
    workflow.recommendation_event(recommendation, transition, actor=actor)
    return recommendation


@transaction.atomic
def recommendation_start_rectification(*, recommendation: Recommendation, actor) -> Recommendation:
    """The unit submits its plan: every item must have at least one measure."""
    require_perm(actor, PERMS["start"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation,
        FROM_STATUSES["start"],
        _("Rectification starts after the recommendation is acknowledged."),
    )
    unplanned = recommendation.items.filter(measures__isnull=True).values_list("number", flat=True)
    if unplanned:
        raise TransitionRefused(
            _("Items %(numbers)s have no measures yet.")
            % {"numbers": "、".join(str(number) for number in unplanned)}
        )
    apply_transition(recommendation, to_status=Status.RECTIFYING, actor=actor)
    return recommendation


@transaction.atomic
def recommendation_submit_reply(*, recommendation: Recommendation, actor, content: str) -> Reply:
    """The unit submits its written rectification report (整改报告)."""
    require_perm(actor, PERMS["reply"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation,
        FROM_STATUSES["reply"],
        _("A reply can be submitted only while rectifying."),
    )
    if not content.strip():
        raise TransitionRefused(_("The reply needs its content."))
    reply = Reply.objects.create(recommendation=recommendation, content=content, submitted_by=actor)
    transition = apply_transition(recommendation, to_status=Status.REPLIED, actor=actor)
    workflow.recommendation_event(recommendation, transition, actor=actor)
    return reply


@transaction.atomic
def recommendation_return_reply(
    *, recommendation: Recommendation, actor, reason: str
) -> Recommendation:
    """Staff send an unsatisfactory reply back; the unit keeps rectifying."""
    require_perm(actor, PERMS["return"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation, FROM_STATUSES["return"], _("Only a submitted reply can be returned.")
    )
    if not reason.strip():
        raise TransitionRefused(_("Say why the reply is returned."))
    transition = apply_transition(
        recommendation, to_status=Status.RECTIFYING, actor=actor, reason=reason
    )
    workflow.recommendation_event(recommendation, transition, actor=actor)
    return recommendation


@transaction.atomic
def recommendation_close(*, recommendation: Recommendation, actor) -> Recommendation:
    """Staff close a replied recommendation once every measure is signed off or standing."""
    require_perm(actor, PERMS["close"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation,
        FROM_STATUSES["close"],
        _("Only a recommendation with a reply can be closed."),
    )
    still_open = (
        Measure.objects.filter(item__recommendation=recommendation, is_standing=False)
        .open()
        .count()
    )
    if still_open:
        raise TransitionRefused(
            _("%(count)d measures are not signed off yet.") % {"count": still_open}
        )
    apply_transition(recommendation, to_status=Status.CLOSED, actor=actor)
    return recommendation


@transaction.atomic
def recommendation_evaluate(
    *,
    recommendation: Recommendation,
    actor,
    method: str,
    score: int,
    rating: str,
    comments: str = "",
    evaluated_on: datetime.date | None = None,
) -> Evaluation:
    """Staff record the effectiveness evaluation (质效评估) of a closed recommendation: written,
    or on site when an evaluation session concludes (``evaluation.evaluation_session_conclude``,
    which marks its session concluded first). Refused while a session is under way."""
    require_perm(actor, PERMS["evaluate"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation,
        FROM_STATUSES["evaluate"],
        _("Only a closed recommendation can be evaluated."),
    )
    if recommendation.evaluation_sessions.filter(status__in=EvaluationSession.OPEN).exists():
        raise TransitionRefused(
            _("An evaluation session is under way: conclude or cancel it first."),
            code="invalid_state",
        )
    if not 0 <= score <= 100:
        raise TransitionRefused(_("The score is between 0 and 100."))
    if method not in Evaluation.Method.values or rating not in Evaluation.Rating.values:
        raise TransitionRefused(_("Choose an evaluation method and rating."))
    evaluation = Evaluation.objects.create(
        recommendation=recommendation,
        method=method,
        score=score,
        rating=rating,
        comments=comments,
        evaluated_by=actor,
        evaluated_on=evaluated_on or shanghai_today(),
    )
    apply_transition(recommendation, to_status=Status.EVALUATED, actor=actor)
    return evaluation
