import datetime

import pytest

from accounts.models import OrgUnit
from core.domain import PermissionRefused, TransitionRefused
from recommendations import services
from recommendations.models import Evaluation, Recommendation, RecommendationTransition, Reply
from reforms.models import Measure
from tests import factories

from .conftest import ISSUED_ON, ORDER

Status = Recommendation.Status


# ── Document numbers (发文字号) ──────────────────────────────────────────────────────────────


def issue(world, the_case, *, staff=None, issued_on=ISSUED_ON, doc_serial=None, **fields):
    staff = staff or world.users.city_staff
    draft = factories.draft_recommendation(staff=staff, the_case=the_case, **fields)
    return services.recommendation_issue(
        recommendation=draft, actor=staff, issued_on=issued_on, doc_serial=doc_serial
    )


@pytest.fixture
def education_case(world):
    return factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
    )


def test_letters_are_numbered_one_after_another(world, housing_case):
    first = issue(world, housing_case)
    second = issue(world, housing_case)

    assert first.doc_number == "长纪建〔2026〕1号"
    assert second.doc_number == "长纪建〔2026〕2号"
    assert (second.doc_year, second.doc_serial) == (2026, 2)


def test_a_notice_has_its_own_series(world, housing_case):
    issue(world, housing_case)
    notice = issue(world, housing_case, kind=Recommendation.Kind.NOTICE)

    assert notice.doc_number == "长纪改〔2026〕1号"


def test_a_new_year_restarts_at_one(world, housing_case):
    issue(world, housing_case)
    issue(world, housing_case)
    next_year = issue(
        world,
        housing_case,
        issued_on=datetime.date(2027, 1, 4),
        reply_due_on=datetime.date(2027, 3, 31),
    )

    assert next_year.doc_number == "长纪建〔2027〕1号"


def test_another_issuer_restarts_at_one(world, housing_case, education_case):
    issue(world, housing_case)
    issue(world, housing_case)
    county_letter = issue(world, education_case, staff=world.users.county_staff)

    assert county_letter.doc_number == "朝纪建〔2026〕1号"


def test_an_explicit_serial_is_used_and_numbering_continues_after_it(world, housing_case):
    seventh = issue(world, housing_case, doc_serial=7)
    next_one = issue(world, housing_case)

    assert seventh.doc_number == "长纪建〔2026〕7号"
    assert next_one.doc_number == "长纪建〔2026〕8号"


@pytest.mark.parametrize(
    "doc_serial",
    [1, 0, Recommendation.MAX_DOC_SERIAL + 1, 2**31],
    ids=["duplicate", "zero", "past-the-limit", "past-the-column"],
)
def test_it_refuses_a_used_or_invalid_serial_and_saves_nothing(world, housing_case, doc_serial):
    issue(world, housing_case)
    staff = world.users.city_staff
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case)

    with pytest.raises(TransitionRefused) as refusal:
        services.recommendation_issue(
            recommendation=draft, actor=staff, issued_on=ISSUED_ON, doc_serial=doc_serial
        )

    assert "is already used or invalid" in refusal.value.message
    draft = Recommendation.objects.get(pk=draft.pk)
    assert (draft.status, draft.doc_serial, draft.doc_number, draft.issued_on) == (
        Status.DRAFT,
        None,
        "",
        None,
    )
    assert not draft.transitions.exists()


# ── Every allowed transition ─────────────────────────────────────────────────────────────────

TRANSITIONS = {
    "issue": (
        Status.DRAFT,
        "city_staff",
        lambda r, actor: services.recommendation_issue(
            recommendation=r, actor=actor, issued_on=ISSUED_ON
        ),
    ),
    "acknowledge": (
        Status.ISSUED,
        "housing_officer",
        lambda r, actor: services.recommendation_acknowledge(recommendation=r, actor=actor),
    ),
    "start_rectification": (
        Status.ACKNOWLEDGED,
        "housing_officer",
        lambda r, actor: services.recommendation_start_rectification(recommendation=r, actor=actor),
    ),
    "submit_reply": (
        Status.RECTIFYING,
        "housing_officer",
        lambda r, actor: services.recommendation_submit_reply(
            recommendation=r, actor=actor, content="整改报告"
        ),
    ),
    "return_reply": (
        Status.REPLIED,
        "city_staff",
        lambda r, actor: services.recommendation_return_reply(
            recommendation=r, actor=actor, reason="整改报告过于笼统，缺少制度文件"
        ),
    ),
    "close": (
        Status.REPLIED,
        "city_staff",
        lambda r, actor: services.recommendation_close(recommendation=r, actor=actor),
    ),
    "evaluate": (
        Status.CLOSED,
        "city_staff",
        lambda r, actor: services.recommendation_evaluate(
            recommendation=r,
            actor=actor,
            method=Evaluation.Method.WRITTEN,
            score=92,
            rating=Evaluation.Rating.EXCELLENT,
        ),
    ),
}
OUTCOMES = {
    "issue": (Status.ISSUED, ""),
    "acknowledge": (Status.ACKNOWLEDGED, ""),
    "start_rectification": (Status.RECTIFYING, ""),
    "submit_reply": (Status.REPLIED, ""),
    "return_reply": (Status.RECTIFYING, "整改报告过于笼统，缺少制度文件"),
    "close": (Status.CLOSED, ""),
    "evaluate": (Status.EVALUATED, ""),
}


def ready_for(name, recommendation_in):
    """A recommendation in the state the transition starts from (with its plan, if it needs one)."""
    from_status = TRANSITIONS[name][0]
    if name == "start_rectification":
        recommendation = recommendation_in(Status.ISSUED)
        services.recommendation_acknowledge(
            recommendation=recommendation, actor=recommendation.recipient_unit.members.get()
        )
        factories.measure(
            recommendation=recommendation, actor=recommendation.recipient_unit.members.get()
        )
        recommendation.refresh_from_db()
        return recommendation
    return recommendation_in(from_status)


def snapshot(recommendation):
    fresh = Recommendation.objects.get(pk=recommendation.pk)
    return (
        fresh.status,
        fresh.doc_number,
        list(fresh.transitions.values_list("pk", flat=True)),
        fresh.replies.count(),
        Evaluation.objects.filter(recommendation=fresh).count(),
    )


@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_allowed_transition_moves_the_state_and_writes_one_history_row(
    name, world, recommendation_in
):
    from_status, actor_key, call = TRANSITIONS[name]
    to_status, reason = OUTCOMES[name]
    recommendation = ready_for(name, recommendation_in)
    history_before = recommendation.transitions.count()
    actor = getattr(world.users, actor_key)

    call(recommendation, actor)

    recommendation = Recommendation.objects.get(pk=recommendation.pk)
    assert recommendation.status == to_status
    assert recommendation.transitions.count() == history_before + 1
    row = recommendation.transitions.last()
    assert (row.actor, row.from_status, row.to_status, row.reason) == (
        actor,
        from_status,
        to_status,
        reason,
    )


def test_a_returned_reply_is_followed_by_another(world, recommendation_in):
    officer, staff = world.users.housing_officer, world.users.city_staff
    recommendation = recommendation_in(Status.REPLIED)

    services.recommendation_return_reply(
        recommendation=recommendation, actor=staff, reason="未附制度文件"
    )
    second = services.recommendation_submit_reply(
        recommendation=recommendation, actor=officer, content="补充后的整改报告"
    )

    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.REPLIED
    assert list(recommendation.replies.values_list("content", flat=True)) == [
        "整改报告：各项措施已落实",
        "补充后的整改报告",
    ]
    assert second.submitted_by == officer
    assert list(recommendation.transitions.values_list("to_status", flat=True)) == [
        Status.ISSUED,
        Status.ACKNOWLEDGED,
        Status.RECTIFYING,
        Status.REPLIED,
        Status.RECTIFYING,
        Status.REPLIED,
    ]


def test_the_evaluation_and_reply_are_kept(world, recommendation_in):
    evaluated = recommendation_in(Status.EVALUATED)

    assert evaluated.replies.get().submitted_by == world.users.housing_officer
    evaluation = Evaluation.objects.get(recommendation=evaluated)
    assert (evaluation.score, evaluation.evaluated_by) == (88, world.users.city_staff)


# ── Every refused transition: wrong state ────────────────────────────────────────────────────

WRONG_STATES = [
    (name, status)
    for name, (from_status, _actor, _call) in TRANSITIONS.items()
    for status in ORDER
    if status != from_status
]


@pytest.mark.parametrize(("name", "status"), WRONG_STATES)
def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(
    name, status, world, recommendation_in
):
    _from_status, actor_key, call = TRANSITIONS[name]
    recommendation = recommendation_in(status)
    before = snapshot(recommendation)
    # Officers never see drafts, so for them a draft is out of reach, not merely in a wrong state.
    expected = (
        PermissionRefused
        if status == Status.DRAFT and actor_key == "housing_officer"
        else TransitionRefused
    )

    with pytest.raises(expected):
        call(recommendation, getattr(world.users, actor_key))

    assert snapshot(recommendation) == before


# ── Every refused transition: wrong role or outside jurisdiction ─────────────────────────────

STAFF_ONLY_REFUSED = [
    "county_staff",  # county commission: the housing bureau is a city-level unit
    "group_staff",  # posted to the health commission only
    "other_staff",  # another city
    "supervisor",  # reads, never acts
    "housing_officer",
    "system_admin",
    "audit_admin",
    "inactive_city_staff",
]
OFFICER_ONLY_REFUSED = [
    "health_officer",  # another unit
    "city_staff",
    "supervisor",
    "security_admin",
    "inactive_housing_officer",
]


def actor_named(world, key):
    if key.startswith("inactive_"):
        user = getattr(world.users, key.removeprefix("inactive_"))
        user.is_active = False
        user.save()
        return type(user).objects.get(pk=user.pk)
    return getattr(world.users, key)


@pytest.mark.parametrize(
    ("name", "actor_key"),
    [
        (name, key)
        for name, (_status, allowed, _call) in TRANSITIONS.items()
        for key in (STAFF_ONLY_REFUSED if allowed == "city_staff" else OFFICER_ONLY_REFUSED)
    ],
)
def test_a_transition_by_the_wrong_person_is_refused_and_changes_nothing(
    name, actor_key, world, recommendation_in
):
    call = TRANSITIONS[name][2]
    recommendation = ready_for(name, recommendation_in)
    before = snapshot(recommendation)

    with pytest.raises(PermissionRefused):
        call(recommendation, actor_named(world, actor_key))

    assert snapshot(recommendation) == before


def test_county_staff_issue_their_own_units_letters(world, education_case):
    letter = issue(world, education_case, staff=world.users.county_staff)

    assert letter.status == Status.ISSUED
    assert letter.transitions.get().actor == world.users.county_staff


def test_group_staff_issue_letters_to_the_unit_they_are_posted_to(world):
    health_case = factories.case(
        case_unit=world.units.health,
        commission=world.units.group,
        created_by=world.users.group_staff,
    )

    letter = issue(world, health_case, staff=world.users.group_staff)

    assert letter.doc_number == "长纪卫建〔2026〕1号"


# ── What the services check before a transition ──────────────────────────────────────────────


def refused(call, recommendation, message):
    before = snapshot(recommendation)
    with pytest.raises(TransitionRefused) as refusal:
        call()
    assert message in refusal.value.message
    assert snapshot(recommendation) == before


def test_it_refuses_to_issue_a_letter_without_items(world, housing_case):
    staff = world.users.city_staff
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case, items=0)

    refused(
        lambda: services.recommendation_issue(recommendation=draft, actor=staff),
        draft,
        "needs at least one item",
    )


def test_it_refuses_to_issue_items_not_linked_to_a_problem(world, housing_case):
    staff = world.users.city_staff
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case, items=2)
    services.recommendation_item_add(
        recommendation=draft, actor=staff, content="第3项：加强监督", problems=[]
    )
    draft.items.get(number=1).problems.clear()

    refused(
        lambda: services.recommendation_issue(recommendation=draft, actor=staff),
        draft,
        "Items 1、3 are not linked to any problem.",
    )


@pytest.mark.parametrize(
    "reply_due_on", [None, ISSUED_ON], ids=["no_deadline", "deadline_on_issue_day"]
)
def test_it_refuses_to_issue_without_a_reply_deadline_after_the_issue_date(
    world, housing_case, reply_due_on
):
    staff = world.users.city_staff
    draft = factories.draft_recommendation(
        staff=staff, the_case=housing_case, reply_due_on=reply_due_on
    )

    refused(
        lambda: services.recommendation_issue(
            recommendation=draft, actor=staff, issued_on=ISSUED_ON
        ),
        draft,
        "Set a reply deadline after the issue date.",
    )


def test_it_refuses_to_issue_in_the_name_of_an_issuer_without_doc_abbr(world):
    staff = world.users.city_staff
    nameless = factories.org_child(world.units.city, "某开发区纪工委", kind=OrgUnit.Kind.COMMISSION)
    the_case = factories.case(case_unit=world.units.housing, commission=nameless, created_by=staff)
    draft = factories.draft_recommendation(staff=staff, the_case=the_case)

    refused(
        lambda: services.recommendation_issue(recommendation=draft, actor=staff),
        draft,
        "The issuer has no document abbreviation",
    )


def test_it_refuses_to_start_rectification_while_items_have_no_measures(world, recommendation_in):
    officer = world.users.housing_officer
    recommendation = recommendation_in(Status.ACKNOWLEDGED, items=3)
    factories.measure(
        recommendation=recommendation, actor=officer, item=recommendation.items.get(number=2)
    )

    refused(
        lambda: services.recommendation_start_rectification(
            recommendation=recommendation, actor=officer
        ),
        recommendation,
        "Items 1、3 have no measures yet.",
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda r, w: services.recommendation_submit_reply(
                recommendation=r, actor=w.users.housing_officer, content="  "
            ),
            "The reply needs its content.",
        ),
    ],
    ids=["empty_reply"],
)
def test_it_refuses_an_empty_reply(world, recommendation_in, call, message):
    recommendation = recommendation_in(Status.RECTIFYING)

    refused(lambda: call(recommendation, world), recommendation, message)
    assert not Reply.objects.exists()


def test_it_refuses_to_return_a_reply_without_saying_why(world, recommendation_in):
    recommendation = recommendation_in(Status.REPLIED)

    refused(
        lambda: services.recommendation_return_reply(
            recommendation=recommendation, actor=world.users.city_staff, reason=" "
        ),
        recommendation,
        "Say why the reply is returned.",
    )


def test_it_refuses_to_close_while_measures_are_not_signed_off(world, recommendation_in):
    recommendation = recommendation_in(Status.ACKNOWLEDGED)
    officer = world.users.housing_officer
    factories.measure(recommendation=recommendation, actor=officer)  # not started, not standing
    factories.measure(recommendation=recommendation, actor=officer, is_standing=True)
    services.recommendation_start_rectification(recommendation=recommendation, actor=officer)
    services.recommendation_submit_reply(
        recommendation=recommendation, actor=officer, content="整改报告"
    )

    refused(
        lambda: services.recommendation_close(
            recommendation=recommendation, actor=world.users.city_staff
        ),
        recommendation,
        "1 measures are not signed off yet.",
    )
    assert Measure.objects.filter(item__recommendation=recommendation).count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"score": 101}, "The score is between 0 and 100."),
        ({"score": -1}, "The score is between 0 and 100."),
        ({"method": "phone"}, "Choose an evaluation method and rating."),
        ({"rating": "brilliant"}, "Choose an evaluation method and rating."),
    ],
    ids=["score_above_100", "negative_score", "unknown_method", "unknown_rating"],
)
def test_it_refuses_an_evaluation_out_of_range(world, recommendation_in, fields, message):
    recommendation = recommendation_in(Status.CLOSED)
    values = {"method": Evaluation.Method.WRITTEN, "score": 80, "rating": Evaluation.Rating.GOOD}

    refused(
        lambda: services.recommendation_evaluate(
            recommendation=recommendation, actor=world.users.city_staff, **values | fields
        ),
        recommendation,
        message,
    )


@pytest.mark.parametrize("score", [0, 100], ids=["zero", "hundred"])
def test_the_score_range_includes_its_ends(world, recommendation_in, score):
    recommendation = recommendation_in(Status.CLOSED)

    evaluation = services.recommendation_evaluate(
        recommendation=recommendation,
        actor=world.users.city_staff,
        method=Evaluation.Method.WRITTEN,
        score=score,
        rating=Evaluation.Rating.POOR,
    )

    assert Evaluation.objects.get(pk=evaluation.pk).score == score


# ── Drafting ─────────────────────────────────────────────────────────────────────────────────


def test_items_are_numbered_in_order_and_cite_only_problems_of_the_cases(
    world, housing_case, education_case
):
    staff = world.users.city_staff
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case, items=2)
    foreign = factories.problem(education_case)

    with pytest.raises(TransitionRefused):
        services.recommendation_item_add(
            recommendation=draft, actor=staff, content="第3项", problems=[foreign]
        )

    assert list(draft.items.values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("actor_key", "recipient", "issuer"),
    [
        ("county_staff", "housing", "city"),
        ("other_staff", "housing", "city"),
        ("supervisor", "housing", "city"),
        ("housing_officer", "housing", "city"),
    ],
)
def test_a_draft_for_a_unit_outside_jurisdiction_is_refused(
    world, housing_case, actor_key, recipient, issuer
):
    with pytest.raises(PermissionRefused):
        services.recommendation_create(
            actor=getattr(world.users, actor_key),
            title="越权的建议书",
            issuer=getattr(world.units, issuer),
            recipient_unit=getattr(world.units, recipient),
            cases=[],
        )

    assert not Recommendation.objects.exists()


def test_staff_cannot_issue_in_the_name_of_a_commission_outside_their_jurisdiction(
    world, education_case
):
    """County staff may write to the county's units, but not as 长纪 (the city commission)."""
    with pytest.raises(PermissionRefused):
        services.recommendation_create(
            actor=world.users.county_staff,
            title="以市纪委名义的建议书",
            issuer=world.units.city,
            recipient_unit=world.units.education,
            cases=[education_case],
            reply_due_on=datetime.date(2026, 12, 31),
        )

    assert not Recommendation.objects.exists()


def test_history_is_scoped_like_its_recommendation(world, recommendation_in):
    recommendation_in(Status.ACKNOWLEDGED)

    assert RecommendationTransition.objects.restrict(world.users.housing_officer).count() == 2
    assert not RecommendationTransition.objects.restrict(world.users.county_staff).exists()


# ── available_actions: what the detail page offers, from FROM_STATUSES ───────────────────────

# state → what the staff in jurisdiction, and the unit's officer, may do to a recommendation then.
STAFF_ACTIONS = {
    Status.DRAFT: {"issue"},
    Status.ISSUED: {"plan"},
    Status.ACKNOWLEDGED: {"plan"},
    Status.RECTIFYING: {"plan"},
    Status.REPLIED: {"return", "close"},
    Status.CLOSED: {"evaluate", "open_session", "follow_up"},
    Status.EVALUATED: {"follow_up"},
}
OFFICER_ACTIONS = {
    Status.DRAFT: set(),
    Status.ISSUED: {"acknowledge", "plan"},
    Status.ACKNOWLEDGED: {"start", "plan"},
    Status.RECTIFYING: {"reply", "plan"},
    Status.REPLIED: set(),
    Status.CLOSED: set(),
    Status.EVALUATED: set(),
}


@pytest.mark.parametrize("state", list(Status))
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("city_staff", STAFF_ACTIONS),
        ("housing_officer", OFFICER_ACTIONS),
        ("supervisor", {}),
        ("system_admin", {}),
    ],
)
def test_available_actions_per_state_and_role(world, recommendation_in, state, username, expected):
    recommendation = recommendation_in(state)

    actions = services.available_actions(getattr(world.users, username), recommendation)

    assert actions == frozenset(expected.get(state, set()))


@pytest.mark.parametrize("username", ["county_staff", "health_officer"])
def test_nothing_is_offered_outside_the_jurisdiction(world, recommendation_in, username):
    """Every transition is scoped; "plan" is the role's (the service checks the item's scope)."""
    user = getattr(world.users, username)
    for state in Status:
        offered = services.available_actions(user, recommendation_in(state)) - {"plan"}
        assert offered == frozenset(), state


def test_every_action_has_its_permission():
    assert set(services.FROM_STATUSES) == set(services.PERMS)
