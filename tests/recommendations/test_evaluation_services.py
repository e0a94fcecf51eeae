"""Evaluation sessions (现场答辩式评查) through their services: every allowed and refused
transition, for every role in and out of scope, and the combination's exact numbers."""

from decimal import Decimal

import pytest

from core.domain import DomainError, InvalidInput, PermissionRefused, TransitionRefused
from notifications.models import Notification
from recommendations import evaluation, services
from recommendations.models import (
    Evaluation,
    EvaluationSession,
    IndicatorScore,
    PanelMember,
    Recommendation,
)

from .evaluation_helpers import (
    SESSION_DAY,
    SessionStatus,
    default_template,
    full_marks,
    second_staff,
    session_in,
)

Status = Recommendation.Status


@pytest.fixture
def closed(recommendation_in):
    return recommendation_in(Status.CLOSED)


# ── The whole session, and the combination ───────────────────────────────────────────────────


def test_three_evaluators_are_combined_into_the_evaluation(world, closed):
    """Three evaluators score alone; the mean of each indicator, its spread, the weighted total,
    the whole score and the grade, and the letter moves to evaluated."""
    staff, supervisor = world.users.city_staff, world.users.supervisor
    third = second_staff(world)
    session = session_in(world, closed, SessionStatus.SCORING, members=[staff, supervisor, third])
    first, *others = list(session.template.indicators.all())
    assert (first.name, first.weight, first.max_score) == ("问题查找精准", 10, 10)

    def ballot(first_score, less):
        return {first.pk: first_score} | {i.pk: i.max_score - less for i in others}

    evaluation.evaluation_scores_submit(session=session, actor=staff, scores=ballot(10, 1))
    evaluation.evaluation_scores_submit(
        session=session, actor=supervisor, scores=ballot(9, 1), comments={first.pk: "问题找得准"}
    )
    evaluation.evaluation_scores_submit(session=session, actor=third, scores=ballot(7, 1))
    recorded = evaluation.evaluation_session_conclude(
        session=session, actor=staff, conclusion="整改总体到位，制度建设仍需加强"
    )

    combined = evaluation.results(session)
    row = combined.indicators[0]
    assert row.scores == [Decimal(10), Decimal(9), Decimal(7)]
    assert (row.mean, row.low, row.high, row.range, row.stdev) == (
        Decimal("8.67"),
        Decimal(10) - 3,
        Decimal(10),
        Decimal(3),
        Decimal("1.25"),
    )
    assert row.comments == [(str(supervisor), "问题找得准")]
    assert {r.range for r in combined.indicators[1:]} == {Decimal(0)}
    # 26/3 + (90 − 10) = 88.666… out of 100.
    assert (combined.total, combined.score, combined.rating) == (Decimal("88.67"), 89, "good")
    assert [(group["group"], group["weight"]) for group in combined.groups()] == [
        ("precise", 25),
        ("thorough", 45),
        ("effective", 30),
    ]
    assert combined.groups()[0]["points"] == Decimal("21.67")  # 8.67 + 9 + 4

    session.refresh_from_db()
    assert session.status == SessionStatus.CONCLUDED
    assert session.total_score == Decimal("88.67")
    assert (session.closed_by, session.evaluation) == (staff, recorded)
    assert (recorded.method, recorded.score, recorded.rating) == ("on_site", 89, "good")
    assert recorded.comments == "整改总体到位，制度建设仍需加强"
    assert Recommendation.objects.get(pk=closed.pk).status == Status.EVALUATED
    assert closed.transitions.last().to_status == Status.EVALUATED


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (100, "excellent"),
        (90, "excellent"),
        (89, "good"),
        (75, "good"),
        (74, "fair"),
        (60, "fair"),
        (59, "poor"),
        (0, "poor"),
    ],
)
def test_grades(score, rating):
    assert evaluation.grade_for(score) == rating


def test_the_whole_score_rounds_half_up_and_the_grade_follows_it(world, closed):
    """A total of 89.50 is a score of 90: excellent."""
    session = session_in(world, closed, SessionStatus.SCORING, members=[world.users.city_staff])
    indicators = list(session.template.indicators.all())
    scores = full_marks(session) | {indicators[0].pk: Decimal("9.5"), indicators[1].pk: 10}
    scores[indicators[2].pk] = 5  # weight 5, full
    scores[indicators[3].pk] = Decimal("14")  # weight 15: −1
    evaluation.evaluation_scores_submit(
        session=session, actor=world.users.city_staff, scores=scores
    )

    recorded = evaluation.evaluation_session_conclude(session=session, actor=world.users.city_staff)

    assert evaluation.results(session).total == Decimal("98.50")
    assert (recorded.score, recorded.rating) == (99, "excellent")


def test_weights_not_equal_to_the_maximum_are_scaled(world, closed):
    """Each indicator earns weight × mean ÷ maximum; the total is out of 100."""
    template = default_template()
    template.indicators.update(max_score=100)
    session = session_in(world, closed, SessionStatus.SCORING, members=[world.users.city_staff])
    scores = {indicator.pk: 80 for indicator in template.indicators.all()}
    evaluation.evaluation_scores_submit(
        session=session, actor=world.users.city_staff, scores=scores
    )

    recorded = evaluation.evaluation_session_conclude(session=session, actor=world.users.city_staff)

    assert (recorded.score, recorded.rating) == (80, "good")


def test_an_evaluator_may_change_their_scores_until_the_end(world, closed):
    session = session_in(world, closed, SessionStatus.SCORING, members=[world.users.city_staff])
    staff = world.users.city_staff
    evaluation.evaluation_scores_submit(session=session, actor=staff, scores=full_marks(session))
    lower = {pk: score - 1 for pk, score in full_marks(session).items()}

    evaluation.evaluation_scores_submit(session=session, actor=staff, scores=lower)

    assert IndicatorScore.objects.filter(member__session=session).count() == 11
    recorded = evaluation.evaluation_session_conclude(session=session, actor=staff)
    assert recorded.score == 89


# ── Notifications ────────────────────────────────────────────────────────────────────────────


def test_who_is_told(world, closed):
    officer, supervisor, staff = (
        world.users.housing_officer,
        world.users.supervisor,
        world.users.city_staff,
    )
    session = session_in(world, closed, SessionStatus.CONCLUDED)

    def told(user):
        rows = Notification.objects.filter(recipient=user, dedupe_key__startswith="evaluation:")
        assert {row.link for row in rows} <= {f"/recommendations/evaluation-sessions/{session.pk}/"}
        return {row.dedupe_key.split(":", 2)[2] for row in rows}

    assert told(officer) == {"scheduled", "concluded"}
    assert told(supervisor) == {f"invited:{supervisor.pk}", "scoring", "concluded"}
    # The staff who run it are not told of their own actions; the supervisor's last score is.
    assert told(staff) == {"scored"}
    concluded = Notification.objects.get(recipient=officer, dedupe_key__endswith=":concluded")
    assert "100.00" in concluded.body


# ── Every allowed transition, and every refusal by role and scope ────────────────────────────

# action → (the state it starts from, who may take it, the call)
TRANSITIONS = {
    "add_member": (
        SessionStatus.SCHEDULED,
        lambda session, actor, world: evaluation.evaluation_panel_add(
            session=session, actor=actor, user=second_staff(world)
        ),
    ),
    "remove_member": (
        SessionStatus.SCHEDULED,
        lambda session, actor, world: evaluation.evaluation_panel_remove(
            member=session.members.get(user=world.users.supervisor), actor=actor
        ),
    ),
    "record_hearing": (
        SessionStatus.SCHEDULED,
        lambda session, actor, world: evaluation.evaluation_hearing_record(
            session=session, actor=actor, reporter="局长 王某", report="汇报", questions=""
        ),
    ),
    "start_scoring": (
        SessionStatus.SCHEDULED,
        lambda session, actor, world: evaluation.evaluation_scoring_start(
            session=session, actor=actor
        ),
    ),
    "submit_scores": (
        SessionStatus.SCORING,
        lambda session, actor, world: evaluation.evaluation_scores_submit(
            session=session, actor=actor, scores=full_marks(session)
        ),
    ),
    "conclude": (
        SessionStatus.SCORING,
        lambda session, actor, world: evaluation.evaluation_session_conclude(
            session=session, actor=actor
        ),
    ),
    "cancel": (
        SessionStatus.SCHEDULED,
        lambda session, actor, world: evaluation.evaluation_session_cancel(
            session=session, actor=actor, reason="单位负责人出差"
        ),
    ),
}
# The users of the world who may take each action on the housing bureau's session (the panel is
# the city's staff and supervisor): everyone else is refused.
ALLOWED = {name: {"city_staff"} for name in TRANSITIONS} | {
    "submit_scores": {"city_staff", "supervisor"}
}
USERS = [
    "city_staff",
    "county_staff",
    "group_staff",
    "other_staff",
    "supervisor",
    "county_supervisor",
    "housing_officer",
    "health_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]


def ready(world, closed, name):
    from_status = TRANSITIONS[name][0]
    session = session_in(world, closed, from_status)
    if name == "conclude":  # everyone has scored
        for user in (world.users.city_staff, world.users.supervisor):
            evaluation.evaluation_scores_submit(
                session=session, actor=user, scores=full_marks(session)
            )
    return session


def snapshot(session):
    fresh = EvaluationSession.objects.get(pk=session.pk)
    return (
        fresh.status,
        fresh.report,
        fresh.cancel_reason,
        sorted(PanelMember.objects.filter(session=fresh).values_list("pk", "submitted_at")),
        sorted(IndicatorScore.objects.filter(member__session=fresh).values_list("pk", "score")),
        Evaluation.objects.filter(recommendation=fresh.recommendation).count(),
    )


@pytest.mark.parametrize("name", TRANSITIONS)
@pytest.mark.parametrize("username", USERS)
def test_each_transition_for_each_role_in_and_out_of_scope(name, username, world, closed):
    session = ready(world, closed, name)
    actor = getattr(world.users, username)
    call = TRANSITIONS[name][1]
    before = snapshot(session)

    if username in ALLOWED[name]:
        call(session, actor, world)
        assert snapshot(session) != before
    else:
        with pytest.raises(PermissionRefused):
            call(session, actor, world)
        assert snapshot(session) == before


AFTER = {
    "add_member": lambda s, w: s.members.filter(user__username="city_staff_2").exists(),
    "remove_member": lambda s, w: not s.members.filter(user=w.users.supervisor).exists(),
    "record_hearing": lambda s, w: (s.reporter, s.report) == ("局长 王某", "汇报"),
    "start_scoring": lambda s, w: s.status == SessionStatus.SCORING,
    "submit_scores": lambda s, w: s.members.get(user=w.users.city_staff).submitted_at,
    "conclude": lambda s, w: s.status == SessionStatus.CONCLUDED and s.total_score == 100,
    "cancel": lambda s, w: (s.status, s.cancel_reason) == ("cancelled", "单位负责人出差"),
}


@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_allowed_transition_does_what_it_says(name, world, closed):
    session = ready(world, closed, name)

    TRANSITIONS[name][1](session, world.users.city_staff, world)

    session = EvaluationSession.objects.get(pk=session.pk)
    assert AFTER[name](session, world)


WRONG_STATES = [
    (name, status)
    for name, (_from, _call) in TRANSITIONS.items()
    for status in SessionStatus
    if status not in evaluation.FROM_STATUSES[name]
]


@pytest.mark.parametrize(("name", "status"), WRONG_STATES)
def test_each_transition_is_refused_in_the_wrong_state(name, status, world, closed):
    session = session_in(world, closed, status)
    before = snapshot(session)

    with pytest.raises(TransitionRefused) as refusal:
        TRANSITIONS[name][1](session, world.users.city_staff, world)

    assert refusal.value.code == "invalid_state"
    assert snapshot(session) == before


# ── Opening ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("username", USERS)
def test_who_may_open_a_session(username, world, closed):
    actor = getattr(world.users, username)

    def open_():
        return evaluation.evaluation_session_open(
            recommendation=closed, actor=actor, scheduled_on=SESSION_DAY
        )

    if username == "city_staff":
        session = open_()
        assert (session.status, session.template, session.opened_by) == (
            "scheduled",
            default_template(),
            actor,
        )
    else:
        with pytest.raises(PermissionRefused):
            open_()
        assert not EvaluationSession.objects.exists()


@pytest.mark.parametrize("status", [s for s in Status if s != Status.CLOSED])
def test_only_a_closed_recommendation_is_evaluated_on_site(status, world, recommendation_in):
    letter = recommendation_in(status)
    with pytest.raises(TransitionRefused, match="Only a closed recommendation can be evaluated"):
        evaluation.evaluation_session_open(
            recommendation=letter, actor=world.users.city_staff, scheduled_on=SESSION_DAY
        )


def test_one_open_session_at_a_time_and_none_beside_a_written_evaluation(world, closed):
    staff = world.users.city_staff
    session_in(world, closed, SessionStatus.SCHEDULED)

    with pytest.raises(TransitionRefused, match="already has an evaluation session under way"):
        evaluation.evaluation_session_open(
            recommendation=closed, actor=staff, scheduled_on=SESSION_DAY
        )
    with pytest.raises(TransitionRefused, match="An evaluation session is under way"):
        services.recommendation_evaluate(
            recommendation=closed, actor=staff, method="written", score=80, rating="good"
        )


def test_a_cancelled_session_leaves_the_letter_closed_for_another(world, closed):
    session_in(world, closed, SessionStatus.CANCELLED)

    again = evaluation.evaluation_session_open(
        recommendation=closed, actor=world.users.city_staff, scheduled_on=SESSION_DAY
    )

    assert again.status == SessionStatus.SCHEDULED
    assert Recommendation.objects.get(pk=closed.pk).status == Status.CLOSED


def test_an_inactive_template_is_refused(world, closed):
    template = default_template()
    template.is_active = False
    template.save()

    with pytest.raises(InvalidInput, match="Choose an active evaluation template"):
        evaluation.evaluation_session_open(
            recommendation=closed, actor=world.users.city_staff, scheduled_on=SESSION_DAY
        )


# ── The panel ────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("housing_officer", InvalidInput),  # not an evaluator's role
        ("system_admin", InvalidInput),
        ("county_staff", InvalidInput),  # the county's staff do not see the city's units
        ("group_staff", InvalidInput),
        ("other_staff", PermissionRefused),  # another city: not even seen by the city's staff
    ],
)
def test_who_cannot_sit_on_the_panel(username, error, world, closed):
    session = session_in(world, closed, SessionStatus.SCHEDULED, members=[])
    user = getattr(world.users, username)

    with pytest.raises(error):
        evaluation.evaluation_panel_add(session=session, actor=world.users.city_staff, user=user)

    assert not session.members.exists()


def test_the_eligible_evaluators_are_the_staff_and_supervisors_over_the_unit(world, closed):
    session = session_in(world, closed, SessionStatus.SCHEDULED, members=[world.users.supervisor])

    eligible = evaluation.eligible_evaluators(world.users.city_staff, session)

    assert {user.username for user in eligible} == {"city_staff"}


def test_an_evaluator_who_has_scored_stays_on_the_panel(world, closed):
    session = session_in(world, closed, SessionStatus.SCORING)
    staff = world.users.city_staff
    evaluation.evaluation_scores_submit(session=session, actor=staff, scores=full_marks(session))

    with pytest.raises(TransitionRefused, match="their scores are part of the record"):
        evaluation.evaluation_panel_remove(member=session.members.get(user=staff), actor=staff)


def test_scoring_needs_an_evaluator(world, closed):
    session = session_in(world, closed, SessionStatus.SCHEDULED, members=[])

    with pytest.raises(TransitionRefused, match="Invite at least one evaluator first"):
        evaluation.evaluation_scoring_start(session=session, actor=world.users.city_staff)


# ── Scores ───────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda scores, first: scores | {first.pk: 11}, "Score 问题查找精准 from 0 to 10"),
        (lambda scores, first: scores | {first.pk: -1}, "Score 问题查找精准 from 0 to 10"),
        (lambda scores, first: scores | {first.pk: "9.55"}, "in steps of 0.1"),
        (lambda scores, first: scores | {first.pk: "九"}, "Score 问题查找精准"),
        (lambda scores, first: {k: v for k, v in scores.items() if k != first.pk}, "问题查找精准"),
        (lambda scores, first: scores | {999999: 5}, "this session's template only"),
    ],
)
def test_bad_scores_are_refused_whole(change, message, world, closed):
    session = session_in(world, closed, SessionStatus.SCORING)
    first = session.template.indicators.first()

    with pytest.raises(InvalidInput, match=message):
        evaluation.evaluation_scores_submit(
            session=session,
            actor=world.users.city_staff,
            scores=change(full_marks(session), first),
        )

    assert not IndicatorScore.objects.exists()
    assert session.members.get(user=world.users.city_staff).submitted_at is None


def test_a_session_concludes_only_when_every_evaluator_has_scored(world, closed):
    session = session_in(world, closed, SessionStatus.SCORING)
    staff = world.users.city_staff
    evaluation.evaluation_scores_submit(session=session, actor=staff, scores=full_marks(session))

    with pytest.raises(TransitionRefused, match="Waiting for the scores of supervisor"):
        evaluation.evaluation_session_conclude(session=session, actor=staff)


def test_a_session_concludes_only_with_the_report(world, closed):
    staff = world.users.city_staff
    session = evaluation.evaluation_session_open(
        recommendation=closed, actor=staff, scheduled_on=SESSION_DAY
    )
    evaluation.evaluation_panel_add(session=session, actor=staff, user=staff)
    evaluation.evaluation_scoring_start(session=session, actor=staff)
    evaluation.evaluation_scores_submit(session=session, actor=staff, scores=full_marks(session))

    with pytest.raises(TransitionRefused, match="Record the unit head's report first"):
        evaluation.evaluation_session_conclude(session=session, actor=staff)


def test_ballots_are_read_alone_until_the_end(world, closed):
    """Before the session is concluded an evaluator reads only their own scores; afterwards the
    case readers in scope read all, and the unit's officer none."""
    staff, supervisor = world.users.city_staff, world.users.supervisor
    session = session_in(world, closed, SessionStatus.SCORING)
    evaluation.evaluation_scores_submit(session=session, actor=staff, scores=full_marks(session))
    evaluation.evaluation_scores_submit(
        session=session, actor=supervisor, scores=full_marks(session)
    )

    def seen(user):
        return set(IndicatorScore.objects.restrict(user).values_list("member__user", flat=True))

    assert (seen(staff), seen(supervisor)) == ({staff.pk}, {supervisor.pk})
    evaluation.evaluation_session_conclude(session=session, actor=staff)
    assert seen(staff) == seen(supervisor) == {staff.pk, supervisor.pk}
    assert seen(world.users.housing_officer) == set()
    assert seen(world.users.county_staff) == set()


@pytest.mark.parametrize("status", list(SessionStatus))
def test_available_actions(status, world, closed):
    session = session_in(world, closed, status)
    staff_actions = {
        "scheduled": {"add_member", "remove_member", "record_hearing", "start_scoring", "cancel"},
        "scoring": {"add_member", "remove_member", "record_hearing", "submit_scores"}
        | {"conclude", "cancel"},
    }.get(status, set())

    assert evaluation.available_actions(world.users.city_staff, session) == staff_actions
    assert evaluation.available_actions(world.users.supervisor, session) == (
        {"submit_scores"} if status == "scoring" else set()
    )
    for username in ("county_staff", "housing_officer", "system_admin"):
        assert evaluation.available_actions(getattr(world.users, username), session) == set()


def test_domain_errors_carry_the_field(world, closed):
    session = session_in(world, closed, SessionStatus.SCHEDULED)
    with pytest.raises(DomainError) as refusal:
        evaluation.evaluation_session_cancel(
            session=session, actor=world.users.city_staff, reason=" "
        )
    assert refusal.value.errors == {"reason": ["Say why the session is cancelled."]}
