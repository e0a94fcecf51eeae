"""Every measure transition from every state: allowed ones move and leave history, others change
nothing; who may do each; and extension requests, the only way the current due date moves."""

import datetime

import pytest

from core.domain import (
    DomainError,
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    max_length_of,
)
from core.uploads import UploadRefused
from reforms import services
from reforms.models import ExtensionRequest, Measure, MeasureTransition
from tests import factories

from .conftest import DUE_ON, Status

PAPER = MeasureTransition.ReturnReason.PAPER_RECTIFICATION


def report(measure, actor):
    return services.progress_report_add(
        measure=measure, actor=actor, content="已完成初稿", percent_complete=50
    )


def request_signoff(measure, actor):
    return services.measure_request_signoff(measure=measure, actor=actor)


def sign_off(measure, actor):
    return services.measure_sign_off(measure=measure, actor=actor, note="材料齐全")


def return_(measure, actor):
    return services.measure_return(measure=measure, actor=actor, reason_code=PAPER)


# action → (who does it, the states it starts from, the state it leads to)
TRANSITIONS = {
    report: ("housing_officer", {Status.NOT_STARTED, Status.RETURNED}, Status.IN_PROGRESS),
    # A returned measure asks again only after new work (see test_after_a_return_…).
    request_signoff: ("housing_officer", {Status.IN_PROGRESS}, Status.AWAITING_SIGNOFF),
    sign_off: ("city_staff", {Status.AWAITING_SIGNOFF}, Status.SIGNED_OFF),
    return_: ("city_staff", {Status.AWAITING_SIGNOFF}, Status.RETURNED),
}
CASES = [
    (action, start)
    for action in TRANSITIONS
    for start in Status
    if not (action is report and start == Status.IN_PROGRESS)  # a further report, no move
]


def with_evidence(measure, officer):
    """Evidence on file, added while the unit may still add it (a returned measure has its
    evidence from before the return: new evidence would move it back to in progress)."""
    if measure.status in {Status.NOT_STARTED, Status.IN_PROGRESS}:
        services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())
    return measure


@pytest.mark.parametrize(("action", "start"), CASES, ids=lambda v: getattr(v, "__name__", v))
def test_each_transition_from_each_state(world, measure_in, action, start):
    username, allowed_from, target = TRANSITIONS[action]
    measure = with_evidence(measure_in(start), world.users.housing_officer)
    history = measure.transitions.count()

    if start in allowed_from:
        action(measure, getattr(world.users, username))
        measure.refresh_from_db()
        last = measure.transitions.last()
        assert (measure.status, last.from_status, last.to_status) == (target, start, target)
        assert last.actor == getattr(world.users, username)
    else:
        # Wrong state is a TransitionRefused; reporting on a signed-off measure is not even
        # permitted (reforms.report_progress), so that one is a PermissionRefused.
        with pytest.raises(DomainError):
            action(measure, getattr(world.users, username))
        measure.refresh_from_db()
        assert (measure.status, measure.transitions.count()) == (start, history)


@pytest.mark.parametrize("action", list(TRANSITIONS), ids=lambda v: v.__name__)
@pytest.mark.parametrize(
    "intruder", ["health_officer", "county_staff", "other_staff", "supervisor", "system_admin"]
)
def test_nobody_outside_the_role_or_the_jurisdiction_moves_a_measure(
    world, measure_in, action, intruder
):
    _, allowed_from, _ = TRANSITIONS[action]
    start = min(allowed_from)
    measure = with_evidence(measure_in(start), world.users.housing_officer)

    with pytest.raises(PermissionRefused):
        action(measure, getattr(world.users, intruder))

    measure.refresh_from_db()
    assert measure.status == start


def test_staff_and_officers_cannot_do_each_others_part(world, measure_in):
    awaiting = measure_in(Status.AWAITING_SIGNOFF)
    in_progress = with_evidence(measure_in(Status.IN_PROGRESS), world.users.housing_officer)

    with pytest.raises(PermissionRefused):
        sign_off(awaiting, world.users.housing_officer)
    with pytest.raises(PermissionRefused):
        request_signoff(in_progress, world.users.city_staff)


def test_sign_off_needs_evidence_first(world, measure_in):
    measure = measure_in(Status.IN_PROGRESS)

    with pytest.raises(TransitionRefused, match="Upload evidence"):
        request_signoff(measure, world.users.housing_officer)


def test_signing_off_stamps_the_shanghai_date(world, measure_in, time_machine):
    measure = measure_in(Status.AWAITING_SIGNOFF)
    time_machine.move_to(datetime.datetime(2026, 5, 31, 17, tzinfo=datetime.UTC))  # 1 June, 01:00

    sign_off(measure, world.users.city_staff)

    assert measure.signed_off_on == datetime.date(2026, 6, 1)


def test_signing_off_records_the_verification_opinion(world, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    services.measure_sign_off(
        measure=measure, actor=world.users.city_staff, note="经核查，制度已印发并组织培训，同意销号"
    )

    last = measure.transitions.last()
    assert (last.to_status, last.reason) == (
        Status.SIGNED_OFF,
        "经核查，制度已印发并组织培训，同意销号",
    )


@pytest.mark.parametrize("note", ["", "   "])
def test_signing_off_without_an_opinion_is_refused(world, measure_in, note):
    measure = measure_in(Status.AWAITING_SIGNOFF)
    history = measure.transitions.count()

    with pytest.raises(TransitionRefused, match="verification opinion") as refused:
        services.measure_sign_off(measure=measure, actor=world.users.city_staff, note=note)

    assert list(refused.value.errors) == ["note"]
    measure.refresh_from_db()
    assert (measure.status, measure.transitions.count()) == (Status.AWAITING_SIGNOFF, history)


def test_an_opinion_or_a_reason_longer_than_the_history_row_is_refused(world, measure_in):
    limit = max_length_of(MeasureTransition, "reason")
    measure = measure_in(Status.AWAITING_SIGNOFF)

    with pytest.raises(InvalidInput, match=f"at most {limit} characters"):
        services.measure_sign_off(measure=measure, actor=world.users.city_staff, note="核" * 1001)
    with pytest.raises(InvalidInput, match=f"at most {limit} characters"):
        services.measure_return(
            measure=measure, actor=world.users.city_staff, reason_code=PAPER, reason="退" * 1001
        )

    services.measure_sign_off(measure=measure, actor=world.users.city_staff, note="核" * limit)
    assert measure.transitions.last().reason == "核" * limit


# --- After a return, sign-off is asked again only with something new ---------------------------

NEEDS_NEW_WORK = (
    "After a return, add new progress or new evidence before requesting sign-off again."
)


def test_right_after_a_return_sign_off_cannot_be_requested_again(world, measure_in):
    measure = measure_in(Status.RETURNED)  # its evidence is from before the return
    history = measure.transitions.count()

    with pytest.raises(TransitionRefused, match=NEEDS_NEW_WORK) as refused:
        request_signoff(measure, world.users.housing_officer)

    assert refused.value.code == "invalid_state"
    measure.refresh_from_db()
    assert (measure.status, measure.transitions.count()) == (Status.RETURNED, history)
    assert "request_signoff" not in services.available_actions(world.users.housing_officer, measure)


def test_a_new_progress_report_after_the_return_lets_the_unit_ask_again(world, measure_in):
    measure = measure_in(Status.RETURNED)
    officer = world.users.housing_officer

    report(measure, officer)

    measure.refresh_from_db()
    assert measure.status == Status.IN_PROGRESS
    assert "request_signoff" in services.available_actions(officer, measure)
    request_signoff(measure, officer)
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


def test_new_evidence_after_the_return_lets_the_unit_ask_again(world, measure_in):
    measure = measure_in(Status.RETURNED)
    officer = world.users.housing_officer

    services.evidence_add(
        measure=measure, actor=officer, file=factories.evidence_file("培训签到表.pdf")
    )

    measure.refresh_from_db()
    back = measure.transitions.last()
    assert (back.from_status, back.to_status, back.actor) == (
        Status.RETURNED,
        Status.IN_PROGRESS,
        officer,
    )
    request_signoff(measure, officer)
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


def test_each_return_asks_for_new_work_again(world, measure_in):
    measure = measure_in(Status.RETURNED)
    officer, staff = world.users.housing_officer, world.users.city_staff
    services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())
    request_signoff(measure, officer)
    return_(measure, staff)

    with pytest.raises(TransitionRefused, match=NEEDS_NEW_WORK):
        request_signoff(measure, officer)


def test_a_return_records_its_reason(world, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    services.measure_return(
        measure=measure, actor=world.users.city_staff, reason_code=PAPER, reason="只有文件没有落实"
    )

    last = measure.transitions.last()
    assert (last.return_reason, last.reason) == (PAPER, "只有文件没有落实")


@pytest.mark.parametrize(
    ("reason_code", "reason", "message"),
    [
        ("", "", "Choose a reason"),
        (MeasureTransition.ReturnReason.OTHER, " ", "Explain the reason"),
    ],
)
def test_a_return_without_a_reason_is_refused(world, measure_in, reason_code, reason, message):
    measure = measure_in(Status.AWAITING_SIGNOFF)

    with pytest.raises(TransitionRefused, match=message):
        services.measure_return(
            measure=measure, actor=world.users.city_staff, reason_code=reason_code, reason=reason
        )

    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF


def test_evidence_over_the_size_limit_is_refused_and_not_stored(world, measure_in, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    measure = measure_in(Status.IN_PROGRESS)

    with pytest.raises(UploadRefused):
        services.evidence_add(
            measure=measure,
            actor=world.users.housing_officer,
            file=factories.evidence_file(content=b"%PDF-" + b"x" * 6),
        )

    assert not measure.evidence.exists()


def test_a_refused_progress_report_stores_none_of_its_files(world, measure_in, settings):
    settings.EVIDENCE_MAX_BYTES = 20
    measure = measure_in(Status.NOT_STARTED)

    with pytest.raises(UploadRefused):
        services.progress_report_add(
            measure=measure,
            actor=world.users.housing_officer,
            content="已完成",
            percent_complete=100,
            files=(
                factories.evidence_file(content=b"%PDF-ok"),
                factories.evidence_file(content=b"%PDF-" + b"x" * 16),
            ),
        )

    measure.refresh_from_db()
    assert (measure.status, measure.progress_reports.count(), measure.evidence.count()) == (
        Status.NOT_STARTED,
        0,
        0,
    )


def ask_extension(measure, officer, days=30, reason="等待上级文件出台"):
    return services.extension_request_submit(
        measure=measure,
        actor=officer,
        requested_due_on=measure.due_on + datetime.timedelta(days=days),
        reason=reason,
    )


def test_an_approved_extension_moves_only_the_current_due_date(world, measure_in):
    measure = measure_in(Status.IN_PROGRESS)
    request = ask_extension(measure, world.users.housing_officer)

    services.extension_request_approve(request=request, actor=world.users.city_staff)

    measure.refresh_from_db()
    request.refresh_from_db()
    assert (measure.original_due_on, measure.due_on) == (
        DUE_ON,
        DUE_ON + datetime.timedelta(days=30),
    )
    assert (request.status, request.decided_by) == (
        ExtensionRequest.Status.APPROVED,
        world.users.city_staff,
    )


def test_a_rejected_extension_leaves_the_due_date_and_needs_a_note(world, measure_in):
    measure = measure_in(Status.IN_PROGRESS)
    request = ask_extension(measure, world.users.housing_officer)

    with pytest.raises(TransitionRefused, match="Say why"):
        services.extension_request_reject(request=request, actor=world.users.city_staff, note="")
    services.extension_request_reject(
        request=request, actor=world.users.city_staff, note="理由不充分"
    )

    measure.refresh_from_db()
    request.refresh_from_db()
    assert measure.due_on == DUE_ON
    assert request.status == ExtensionRequest.Status.REJECTED


def test_a_decided_request_cannot_be_decided_again(world, measure_in):
    request = ask_extension(measure_in(Status.IN_PROGRESS), world.users.housing_officer)
    services.extension_request_approve(request=request, actor=world.users.city_staff)

    with pytest.raises(TransitionRefused, match="already been decided"):
        services.extension_request_reject(request=request, actor=world.users.city_staff, note="否")


@pytest.mark.parametrize(
    ("start", "days", "reason", "message"),
    [
        (Status.SIGNED_OFF, 30, "理由", "needs no extension"),
        (Status.IN_PROGRESS, 0, "理由", "must be later"),
        (Status.IN_PROGRESS, 30, "  ", "Give the reason"),
    ],
)
def test_invalid_extension_requests_are_refused(world, measure_in, start, days, reason, message):
    measure = measure_in(start)

    with pytest.raises(TransitionRefused, match=message):
        ask_extension(measure, world.users.housing_officer, days=days, reason=reason)

    assert not measure.extension_requests.exists()


def test_a_standing_measure_has_no_due_date_to_extend(world, measure_in):
    measure = measure_in(Status.IN_PROGRESS, is_standing=True)
    officer = world.users.housing_officer

    assert "request_extension" not in services.available_actions(officer, measure)
    with pytest.raises(TransitionRefused, match="no due date to extend"):
        ask_extension(measure, officer)
    assert not measure.extension_requests.exists()


def test_a_request_left_pending_on_a_standing_measure_is_refused_not_approved(world, measure_in):
    measure = measure_in(Status.IN_PROGRESS)
    request = ask_extension(measure, world.users.housing_officer)
    # Made before standing measures refused extensions, on a measure since become standing.
    Measure.objects.filter(pk=measure.pk).update(is_standing=True)
    request = ExtensionRequest.objects.get(pk=request.pk)
    staff = world.users.city_staff

    assert services.available_actions(staff, request) == {"reject"}
    with pytest.raises(TransitionRefused, match="no due date to extend"):
        services.extension_request_approve(request=request, actor=staff)
    assert Measure.objects.get(pk=measure.pk).due_on == DUE_ON
    assert ExtensionRequest.objects.get(pk=request.pk).status == ExtensionRequest.Status.PENDING

    services.extension_request_reject(request=request, actor=staff, note="长期坚持，无需延期")
    assert ExtensionRequest.objects.get(pk=request.pk).status == ExtensionRequest.Status.REJECTED


def test_one_pending_extension_at_a_time(world, measure_in):
    measure = measure_in(Status.IN_PROGRESS)
    ask_extension(measure, world.users.housing_officer)

    with pytest.raises(TransitionRefused, match="already has a pending"):
        ask_extension(measure, world.users.housing_officer, days=60)


@pytest.mark.parametrize("intruder", ["health_officer", "city_staff", "supervisor"])
def test_only_the_units_officer_asks_for_an_extension(world, measure_in, intruder):
    measure = measure_in(Status.IN_PROGRESS)

    with pytest.raises(PermissionRefused):
        ask_extension(measure, getattr(world.users, intruder))


@pytest.mark.parametrize("intruder", ["housing_officer", "county_staff", "supervisor"])
def test_only_staff_in_jurisdiction_decide_an_extension(world, measure_in, intruder):
    request = ask_extension(measure_in(Status.IN_PROGRESS), world.users.housing_officer)

    with pytest.raises(PermissionRefused):
        services.extension_request_approve(request=request, actor=getattr(world.users, intruder))

    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.PENDING


def test_measures_are_planned_only_on_issued_recommendations(world, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)

    with pytest.raises(PermissionRefused):  # officers do not see drafts at all
        factories.measure(recommendation=draft, actor=world.users.housing_officer)
    with pytest.raises(TransitionRefused, match="only after issue"):
        factories.measure(recommendation=draft, actor=world.users.city_staff)

    assert not Measure.objects.exists()


def test_a_measure_cannot_fall_due_before_its_recommendation_was_issued(world, letter):
    with pytest.raises(TransitionRefused, match="cannot be before"):
        factories.measure(
            recommendation=letter,
            actor=world.users.housing_officer,
            due_on=letter.issued_on - datetime.timedelta(days=1),
        )


@pytest.mark.parametrize(
    "sent", [None, datetime.date(2026, 3, 1), datetime.date(2025, 1, 1)], ids=str
)
def test_a_standing_measure_keeps_the_letters_reply_deadline_whatever_date_it_came_with(
    world, letter, sent
):
    """A spreadsheet's cell or an API client's field beside 长期坚持 orders and bands nothing,
    not even a date before the letter, which a dated measure may not have."""
    measure = factories.measure(
        recommendation=letter, actor=world.users.housing_officer, is_standing=True, due_on=sent
    )

    measure.refresh_from_db()
    assert (measure.due_on, measure.original_due_on) == (letter.reply_due_on,) * 2
    assert measure.deadline is None


# --- available_actions: what the pages offer, from the services' own tables -------------------

# state → what the unit's officer, and the staff in jurisdiction, may do to a measure then.
OFFICER_ACTIONS = {
    Status.NOT_STARTED: {"report", "request_extension", "edit"},
    Status.IN_PROGRESS: {"report", "request_signoff", "request_extension", "edit"},
    Status.AWAITING_SIGNOFF: {"request_extension", "edit"},
    Status.RETURNED: {"report", "request_extension", "edit"},
    Status.SIGNED_OFF: set(),
}
STAFF_ACTIONS = {
    Status.NOT_STARTED: {"edit"},
    Status.IN_PROGRESS: {"edit"},
    Status.AWAITING_SIGNOFF: {"sign_off", "return", "edit"},
    Status.RETURNED: {"edit"},
    # A follow-up review may find it rebounded and reopen it (回头看).
    Status.SIGNED_OFF: {"reopen"},
}


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("housing_officer", OFFICER_ACTIONS),
        ("city_staff", STAFF_ACTIONS),
        ("health_officer", {}),
        ("county_staff", {}),
        ("supervisor", {}),
        ("system_admin", {}),
    ],
)
def test_available_actions_per_state_and_role(world, measure_in, start, username, expected):
    measure = measure_in(start)

    actions = services.available_actions(getattr(world.users, username), measure)

    assert actions == frozenset(expected.get(start, set()))


def test_available_actions_follow_the_services_tables(world, measure_in):
    """Whatever is offered, the service takes; the tables are the services' guards."""
    officer, staff = world.users.housing_officer, world.users.city_staff
    measure = with_evidence(measure_in(Status.IN_PROGRESS), officer)
    assert "request_signoff" in services.available_actions(officer, measure)
    request_signoff(measure, officer)
    measure.refresh_from_db()
    assert {"sign_off", "return"} <= services.available_actions(staff, measure)
    sign_off(measure, staff)
    measure.refresh_from_db()
    assert services.available_actions(staff, measure) == {"reopen"}
    assert services.available_actions(officer, measure) == frozenset()


def test_a_pending_extension_request_withdraws_the_offer_of_another(world, measure_in):
    officer = world.users.housing_officer
    measure = measure_in(Status.IN_PROGRESS)
    request = ask_extension(measure, officer)

    assert "request_extension" not in services.available_actions(officer, measure)
    assert services.available_actions(world.users.city_staff, request) == {"approve", "reject"}

    services.extension_request_reject(request=request, actor=world.users.city_staff, note="不予")
    assert "request_extension" in services.available_actions(officer, measure)
    assert services.available_actions(world.users.city_staff, request) == frozenset()


@pytest.mark.parametrize("username", ["housing_officer", "county_staff", "supervisor"])
def test_only_staff_in_jurisdiction_are_offered_an_extension_decision(world, measure_in, username):
    request = ask_extension(measure_in(Status.IN_PROGRESS), world.users.housing_officer)

    assert services.available_actions(getattr(world.users, username), request) == frozenset()


def test_scoped_rows_are_checked_at_model_level(world, measure_in):
    """A queue's rows came through restrict(user): the role decides, the state still counts."""
    awaiting = measure_in(Status.AWAITING_SIGNOFF)
    staff = world.users.city_staff

    assert services.available_actions(staff, awaiting, scoped=True) == {
        "sign_off",
        "return",
        "edit",
    }
    assert services.available_actions(world.users.supervisor, awaiting, scoped=True) == frozenset()
