"""Evaluation sessions (质效评估, 现场答辩式评查): one function per transition, and the combination.

A session:  scheduled ──start_scoring──▶ scoring ──conclude──▶ concluded
                 │                          │
                 └──────── cancel ──────────┴──▶ cancelled

Staff in scope open a session for a closed recommendation on a template of weighted indicators
(``EvaluationTemplate``), invite the panel (discipline staff and supervisors who see the letter),
record the unit head's report and the panel's questions, and open the scoring. Each evaluator
scores every indicator alone, with a comment, and may revise their scores until the session is
concluded. Concluding (every evaluator has scored, the report is recorded) combines the scores —
each indicator's mean, with its spread — into a weighted total out of 100 and a grade, and records
the recommendation's ``Evaluation`` (on site) through ``services.recommendation_evaluate``: the
recommendation moves to evaluated. One session at a time is open per recommendation; a cancelled
one leaves the letter closed.

Every function checks the ``rules`` permission (``rules.py``) and the states of ``FROM_STATUSES``
(which ``available_actions`` reads too), runs in one transaction, is audited by the audit log's
signals, and refuses with a ``DomainError``. Evaluators are told when invited and when scoring
opens; the unit's officers when the session is scheduled, concluded or cancelled
(``reforms.workflow``).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import reads_cases
from core.domain import (
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    lock_for_update,
    max_length_of,
    require_perm,
    require_status,
    shanghai_today,
)
from reforms import workflow

from . import services
from .models import (
    Evaluation,
    EvaluationIndicator,
    EvaluationSession,
    EvaluationTemplate,
    IndicatorScore,
    PanelMember,
    Recommendation,
)

Status = EvaluationSession.Status
Rating = Evaluation.Rating
OPEN = frozenset(EvaluationSession.OPEN)

# The states each action on a session starts from: the functions enforce them, and
# ``available_actions`` offers an action only then. Opening one is the recommendation's
# "open_session" action (``services.FROM_STATUSES``: a closed recommendation).
FROM_STATUSES = {
    "add_member": OPEN,
    "remove_member": OPEN,
    "record_hearing": OPEN,
    "start_scoring": frozenset({Status.SCHEDULED}),
    "submit_scores": frozenset({Status.SCORING}),
    "conclude": frozenset({Status.SCORING}),
    "cancel": OPEN,
}
RUN = "recommendations.run_evaluation_session"
PERMS = {
    "open": services.PERMS["open_session"],
    "add_member": RUN,
    "remove_member": RUN,
    "record_hearing": RUN,
    "start_scoring": RUN,
    "submit_scores": "recommendations.score_evaluation",
    "conclude": RUN,
    "cancel": RUN,
}

# The grade of a whole score, the same bands for a written evaluation's suggestion.
GRADE_BANDS = ((90, Rating.EXCELLENT), (75, Rating.GOOD), (60, Rating.FAIR), (0, Rating.POOR))
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


def grade_for(score: int) -> str:
    """≥ 90 excellent, ≥ 75 good, ≥ 60 fair, else poor."""
    return next(rating for floor, rating in GRADE_BANDS if score >= floor)


def available_actions(user, session: EvaluationSession) -> frozenset[str]:
    """What ``user`` may do to ``session`` now (the services still check everything)."""
    return frozenset(
        name
        for name, states in FROM_STATUSES.items()
        if session.status in states and user.has_perm(PERMS[name], session)
    )


# ---------------------------------------------------------------------------------------------
# Who may sit on the panel


def eligible_evaluators(actor, session: EvaluationSession) -> QuerySet:
    """The accounts ``actor`` may invite: active discipline staff and supervisors whose
    jurisdiction covers the letter's unit (their node above it, or a group posted above it),
    not yet on the panel."""
    return (
        User.objects.restrict(actor)
        .case_readers()
        .filter(is_active=True)
        .covering(session.recommendation.recipient_unit)
        .exclude(evaluation_panels__session=session)
        .distinct()
        .order_by("role", "org_unit__path", "username")
    )


def _check_evaluator(actor, session: EvaluationSession, user) -> None:
    if not User.objects.restrict(actor).filter(pk=user.pk).exists():
        raise PermissionRefused(_("This account is outside your jurisdiction."))
    sees_letter = Recommendation.objects.restrict(user).filter(pk=session.recommendation_id)
    if not (user.is_active and reads_cases(user) and sees_letter.exists()):
        message = _(
            "An evaluator is an active discipline staff member or supervisor whose jurisdiction "
            "covers the unit."
        )
        raise InvalidInput(message, errors={"user": [message]})


# ---------------------------------------------------------------------------------------------
# Transitions


def _check_text(model, field_name: str, text: str, *, error_key: str | None = None) -> str:
    text = (text or "").strip()
    limit = max_length_of(model, field_name)
    if len(text) > limit:
        message = _("%(field)s is at most %(limit)d characters.") % {
            "field": model._meta.get_field(field_name).verbose_name,
            "limit": limit,
        }
        raise InvalidInput(message, errors={error_key or field_name: [message]})
    return text


def default_template() -> EvaluationTemplate | None:
    """The template offered first: the active one (by name) with indicators."""
    return (
        EvaluationTemplate.objects.filter(is_active=True, indicators__isnull=False)
        .distinct()
        .order_by("name")
        .first()
    )


@transaction.atomic
def evaluation_session_open(
    *,
    recommendation: Recommendation,
    actor,
    scheduled_on: datetime.date,
    place: str = "",
    template: EvaluationTemplate | None = None,
) -> EvaluationSession:
    """Staff in scope schedule an on-site evaluation of a closed recommendation on an active
    template (the default one when not given); the unit's officers are told."""
    require_perm(actor, PERMS["open"], recommendation)
    lock_for_update(recommendation)
    require_status(
        recommendation,
        services.FROM_STATUSES["open_session"],
        _("Only a closed recommendation can be evaluated."),
    )
    if EvaluationSession.objects.open().filter(recommendation=recommendation).exists():
        raise TransitionRefused(
            _("This recommendation already has an evaluation session under way."),
            code="invalid_state",
        )
    template = template or default_template()
    if template is None or not template.is_active or not template.indicators.exists():
        message = _("Choose an active evaluation template with indicators.")
        raise InvalidInput(message, errors={"template": [message]})
    if recommendation.issued_on and scheduled_on < recommendation.issued_on:
        message = _("The session cannot be before the recommendation was issued.")
        raise InvalidInput(message, errors={"scheduled_on": [message]})
    session = EvaluationSession.objects.create(
        recommendation=recommendation,
        template=template,
        scheduled_on=scheduled_on,
        place=_check_text(EvaluationSession, "place", place),
        opened_by=actor,
    )
    workflow.evaluation_session_event(session, "scheduled", actor=actor)
    return session


def _open_session(session: EvaluationSession, action: str, message) -> None:
    lock_for_update(session)
    require_status(session, FROM_STATUSES[action], message)


@transaction.atomic
def evaluation_panel_add(*, session: EvaluationSession, actor, user) -> PanelMember:
    """Staff invite an evaluator (discipline staff or a supervisor who sees the letter) while the
    session is open; the evaluator is told."""
    require_perm(actor, PERMS["add_member"], session)
    _open_session(session, "add_member", _("The panel is formed while the session is open."))
    _check_evaluator(actor, session, user)
    if session.members.filter(user=user).exists():
        message = _("This evaluator is already on the panel.")
        raise InvalidInput(message, errors={"user": [message]})
    member = PanelMember.objects.create(session=session, user=user, added_by=actor)
    workflow.evaluation_panel_invited(member, actor=actor)
    return member


@transaction.atomic
def evaluation_panel_remove(*, member: PanelMember, actor) -> None:
    """Staff take an evaluator off the panel before they have scored."""
    session = member.session
    require_perm(actor, PERMS["remove_member"], session)
    _open_session(session, "remove_member", _("The panel is formed while the session is open."))
    lock_for_update(member)
    if member.submitted_at is not None:
        raise TransitionRefused(
            _("This evaluator has scored: their scores are part of the record."),
            code="invalid_state",
        )
    member.delete()


@transaction.atomic
def evaluation_hearing_record(
    *, session: EvaluationSession, actor, reporter: str, report: str, questions: str = ""
) -> EvaluationSession:
    """Staff record the hearing: who reported for the unit, their report (required) and the
    panel's questions with the answers given. It may be corrected until the session ends."""
    require_perm(actor, PERMS["record_hearing"], session)
    _open_session(
        session, "record_hearing", _("The hearing is recorded while the session is open.")
    )
    reporter = _check_text(EvaluationSession, "reporter", reporter)
    report = _check_text(EvaluationSession, "report", report)
    questions = _check_text(EvaluationSession, "questions", questions)
    if not report:
        message = _("Record the unit head's report.")
        raise InvalidInput(message, errors={"report": [message]})
    if not reporter:
        message = _("Say who reported for the unit.")
        raise InvalidInput(message, errors={"reporter": [message]})
    session.reporter, session.report, session.questions = reporter, report, questions
    session.save(update_fields=["reporter", "report", "questions", "updated_at"])
    return session


@transaction.atomic
def evaluation_scoring_start(*, session: EvaluationSession, actor) -> EvaluationSession:
    """Staff open the scoring once the panel has at least one evaluator; each is told."""
    require_perm(actor, PERMS["start_scoring"], session)
    _open_session(session, "start_scoring", _("Scoring has already started or the session ended."))
    if not session.members.exists():
        raise TransitionRefused(_("Invite at least one evaluator first."), code="invalid_state")
    session.status = Status.SCORING
    session.save(update_fields=["status", "updated_at"])
    workflow.evaluation_session_event(session, "scoring", actor=actor)
    return session


def _as_score(value, indicator: EvaluationIndicator) -> Decimal:
    message = _("Score %(name)s from 0 to %(max)d, in steps of 0.1.") % {
        "name": indicator.name,
        "max": indicator.max_score,
    }
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(message, errors={str(indicator.pk): [message]}) from None
    if (
        not score.is_finite()
        or score < 0
        or score > indicator.max_score
        or score != score.quantize(ONE_PLACE)
    ):
        raise InvalidInput(message, errors={str(indicator.pk): [message]})
    return score.quantize(ONE_PLACE)


def _indicator_id(key) -> int:
    return key.pk if isinstance(key, EvaluationIndicator) else int(key)


@transaction.atomic
def evaluation_scores_submit(
    *,
    session: EvaluationSession,
    actor,
    scores: Mapping,
    comments: Mapping | None = None,
) -> list[IndicatorScore]:
    """An evaluator submits their own scores while the panel is scoring: every indicator of the
    template, each from 0 to its maximum (steps of 0.1), ``scores`` and ``comments`` keyed by
    indicator (or its id). Submitting again replaces their earlier scores; nobody else's are
    touched. Once every evaluator has scored, the staff who opened the session are told."""
    require_perm(actor, PERMS["submit_scores"], session)
    _open_session(session, "submit_scores", _("Scores are submitted while the panel is scoring."))
    member = session.members.select_for_update().get(user=actor)
    indicators = {indicator.pk: indicator for indicator in session.template.indicators.all()}
    try:
        given = {_indicator_id(key): value for key, value in scores.items()}
        notes = {_indicator_id(key): value for key, value in (comments or {}).items()}
    except (TypeError, ValueError):
        given, notes = {0: None}, {}
    unknown = (set(given) | set(notes)) - set(indicators)
    if unknown:
        message = _("Score the indicators of this session's template only.")
        raise InvalidInput(message, errors={"scores": [message]})
    missing = [indicators[pk].name for pk in indicators if given.get(pk) in (None, "")]
    if missing:
        message = _("Score every indicator: %(names)s.") % {"names": "、".join(missing)}
        raise InvalidInput(message, errors={"scores": [message]})
    rows = []
    for pk, indicator in indicators.items():
        score = _as_score(given[pk], indicator)
        comment = _check_text(IndicatorScore, "comment", notes.get(pk, ""), error_key=str(pk))
        row, _created = IndicatorScore.objects.update_or_create(
            member=member, indicator=indicator, defaults={"score": score, "comment": comment}
        )
        rows.append(row)
    first_time = member.submitted_at is None
    member.submitted_at = timezone.now()
    member.save(update_fields=["submitted_at"])
    if first_time and not session.members.filter(submitted_at__isnull=True).exists():
        workflow.evaluation_session_event(session, "scored", actor=actor)
    return rows


@transaction.atomic
def evaluation_session_conclude(
    *, session: EvaluationSession, actor, conclusion: str = ""
) -> Evaluation:
    """Staff conclude once every evaluator has scored and the report is recorded: the scores are
    combined (``results``), the session keeps the total, and the recommendation's evaluation is
    recorded on site with the whole score and its grade (``recommendation_evaluate``: closed →
    evaluated). The unit's officers and the panel are told."""
    require_perm(actor, PERMS["conclude"], session)
    _open_session(session, "conclude", _("Only a session being scored can be concluded."))
    members = list(session.members.select_related("user"))
    if not members:
        raise TransitionRefused(_("Invite at least one evaluator first."), code="invalid_state")
    waiting = [str(member.user) for member in members if member.submitted_at is None]
    if waiting:
        raise TransitionRefused(
            _("Waiting for the scores of %(names)s.") % {"names": "、".join(waiting)},
            code="invalid_state",
        )
    if not session.report:
        raise TransitionRefused(_("Record the unit head's report first."), code="invalid_state")
    conclusion = _check_text(EvaluationSession, "conclusion", conclusion)
    combined = results(session)
    session.status = Status.CONCLUDED
    session.total_score = combined.total
    session.conclusion = conclusion
    session.closed_by = actor
    session.closed_at = timezone.now()
    session.save()
    evaluation = services.recommendation_evaluate(
        recommendation=session.recommendation,
        actor=actor,
        method=Evaluation.Method.ON_SITE,
        score=combined.score,
        rating=combined.rating,
        comments=conclusion,
        evaluated_on=shanghai_today(),
    )
    session.evaluation = evaluation
    session.save(update_fields=["evaluation", "updated_at"])
    workflow.evaluation_session_event(session, "concluded", actor=actor)
    return evaluation


@transaction.atomic
def evaluation_session_cancel(
    *, session: EvaluationSession, actor, reason: str
) -> EvaluationSession:
    """Staff call off an open session, with the reason; the letter stays closed, and a new session
    (or a written evaluation) may follow. Scores given are kept with the cancelled session."""
    require_perm(actor, PERMS["cancel"], session)
    _open_session(session, "cancel", _("Only an open session can be cancelled."))
    reason = _check_text(EvaluationSession, "cancel_reason", reason, error_key="reason")
    if not reason:
        message = _("Say why the session is cancelled.")
        raise InvalidInput(message, errors={"reason": [message]})
    session.status = Status.CANCELLED
    session.cancel_reason = reason
    session.closed_by = actor
    session.closed_at = timezone.now()
    session.save()
    workflow.evaluation_session_event(session, "cancelled", actor=actor)
    return session


# ---------------------------------------------------------------------------------------------
# The combination


@dataclass
class IndicatorResult:
    """One indicator's scores across the panel: the mean, and how far the evaluators differed."""

    indicator: EvaluationIndicator
    scores: list[Decimal] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (evaluator, comment)
    points: Decimal | None = None  # its share of the total out of 100 (set by ``results``)

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def exact_mean(self) -> Fraction | None:
        return Fraction(sum(self.scores)) / self.count if self.scores else None

    @property
    def mean(self) -> Decimal | None:
        return _two_places(self.exact_mean)

    @property
    def low(self) -> Decimal | None:
        return min(self.scores) if self.scores else None

    @property
    def high(self) -> Decimal | None:
        return max(self.scores) if self.scores else None

    @property
    def range(self) -> Decimal | None:
        """The spread: the highest score less the lowest."""
        return self.high - self.low if self.scores else None

    @property
    def stdev(self) -> Decimal | None:
        """The population standard deviation of the scores."""
        if not self.scores:
            return None
        mean = self.exact_mean
        variance = sum((Fraction(score) - mean) ** 2 for score in self.scores) / self.count
        exact = Decimal(variance.numerator) / Decimal(variance.denominator)
        return exact.sqrt().quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

    @property
    def exact_points(self) -> Fraction:
        """What the mean earns of the indicator's weight."""
        if not self.scores:
            return Fraction(0)
        return self.indicator.weight * self.exact_mean / self.indicator.max_score


@dataclass
class Results:
    """A session's combined scores: per indicator, per group, the total out of 100, its whole
    score and grade. ``total`` is None while no evaluator has scored."""

    indicators: list[IndicatorResult]
    evaluators: int

    @property
    def weight(self) -> int:
        return sum(row.indicator.weight for row in self.indicators)

    def _scaled(self, points: Fraction) -> Decimal | None:
        if not self.evaluators or not self.weight:
            return None
        return _two_places(points * 100 / self.weight)

    def points(self, row: IndicatorResult) -> Decimal | None:
        """The indicator's share of the total out of 100."""
        return self._scaled(row.exact_points)

    @property
    def total(self) -> Decimal | None:
        """The weighted total: Σ weight × mean ÷ maximum, out of 100, to two places."""
        return self._scaled(sum((row.exact_points for row in self.indicators), Fraction(0)))

    @property
    def score(self) -> int | None:
        """The total rounded half up to a whole score (the evaluation's score)."""
        total = self.total
        return None if total is None else int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def rating(self) -> str | None:
        return None if self.score is None else grade_for(self.score)

    def groups(self) -> list[dict]:
        """The three questions, each with its indicators, weight and share of the total."""
        labels = dict(EvaluationIndicator.Group.choices)
        grouped = []
        for key, label in labels.items():
            rows = [row for row in self.indicators if row.indicator.group == key]
            if rows:
                grouped.append(
                    {
                        "group": key,
                        "label": label,
                        "rows": rows,
                        "weight": sum(row.indicator.weight for row in rows),
                        "points": self._scaled(sum((r.exact_points for r in rows), Fraction(0))),
                    }
                )
        return grouped


def _two_places(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def results(session: EvaluationSession) -> Results:
    """The panel's combined scores, from the evaluators who have submitted (two queries). Who may
    read the individual ballots is ``IndicatorScore.objects.restrict``; the combination is the
    session's, shown once it is concluded."""
    indicators = list(session.template.indicators.all())
    rows = {indicator.pk: IndicatorResult(indicator) for indicator in indicators}
    members = list(
        session.members.filter(submitted_at__isnull=False)
        .select_related("user")
        .prefetch_related(Prefetch("scores", queryset=IndicatorScore.objects.order_by("pk")))
        .order_by("added_at", "pk")
    )
    for member in members:
        for score in member.scores.all():
            row = rows.get(score.indicator_id)
            if row is None:
                continue
            row.scores.append(score.score)
            if score.comment:
                row.comments.append((str(member.user), score.comment))
    combined = Results(
        indicators=[rows[indicator.pk] for indicator in indicators], evaluators=len(members)
    )
    for row in combined.indicators:
        row.points = combined.points(row)
    return combined
