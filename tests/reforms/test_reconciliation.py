"""Reconciliation rounds (对账销号): what a round freezes, every allowed and refused transition of
a round and of its rows, for each role in and out of scope, and who is told."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.domain import (
    DomainError,
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    shanghai_today,
)
from notifications.models import Notification
from oversight import documents
from recommendations import services as recommendation_services
from reforms import reconciliation, services
from reforms.models import Measure, ReconciliationRound, ReconciliationRow, Signal
from tests import factories

from .conftest import DUE_ON, Status

Answer = ReconciliationRow.Answer
Confirmation = ReconciliationRow.Confirmation
RowStatus = ReconciliationRow.Status
INTRUDERS = ["health_officer", "county_staff", "group_staff", "other_staff", "system_admin"]


def today():
    return shanghai_today()


def due():
    return today() + datetime.timedelta(days=14)


def open_for(letter, actor, **fields):
    return reconciliation.open_round(
        actor=actor, recommendation=letter, answer_due_on=due(), **fields
    )


@pytest.fixture
def measures(world, measure_in):
    """One housing measure in each state, and one signed off long ago."""
    made = {status: measure_in(status, content=f"措施 {status}") for status in Status}
    old = measure_in(Status.SIGNED_OFF, content="早已销号的措施")
    Measure.objects.filter(pk=old.pk).update(signed_off_on=today() - datetime.timedelta(days=91))
    made["old"] = old
    return made


@pytest.fixture
def station_letter(world):
    """An acknowledged letter to the quality station, under the housing bureau."""
    the_case = factories.case(
        case_unit=world.units.station,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=the_case)
    return recommendation_services.recommendation_acknowledge(
        recommendation=letter, actor=world.users.housing_officer
    )


@pytest.fixture
def round_(world, letter, measure_in):
    """An open round over one housing measure in progress, with evidence on file."""
    measure = measure_in(Status.IN_PROGRESS)
    services.evidence_add(
        measure=measure, actor=world.users.housing_officer, file=factories.evidence_file()
    )
    return open_for(letter, world.users.city_staff)


def the_row(round_):
    return round_.rows.select_related("round", "measure").get()


def answer(row, actor, value=Answer.IN_PROGRESS, note="制度草案已提交党组会审议"):
    return reconciliation.answer_row(row=row, actor=actor, answer=value, note=note)


def confirm(row, actor, value=Confirmation.AGREED, note=""):
    return reconciliation.confirm_row(row=row, actor=actor, confirmation=value, note=note)


def told(user, key_part):
    return Notification.objects.filter(recipient=user, dedupe_key__contains=key_part)


# ── Opening: what is frozen ─────────────────────────────────────────────────────────────────


def test_opening_freezes_the_open_and_recently_signed_off_measures(world, letter, measures):
    round_ = open_for(letter, world.users.city_staff)

    rows = {row.measure_id: row for row in round_.rows.all()}
    expected = {measures[status].pk for status in Status}
    assert set(rows) == expected  # the one signed off 91 days ago is left out
    for status in Status:
        row = rows[measures[status].pk]
        assert (row.snapshot_status, row.snapshot_due_on, row.status) == (
            status,
            DUE_ON,
            RowStatus.PENDING,
        )
    # Due 30 June 2026: red while open, green once signed off (read on the round's date).
    assert rows[measures[Status.SIGNED_OFF].pk].snapshot_signal == Signal.GREEN
    assert rows[measures[Status.IN_PROGRESS].pk].snapshot_signal == measures[
        Status.IN_PROGRESS
    ].signal(today=round_.as_of)
    assert (round_.status, round_.unit, round_.opened_by, round_.scope) == (
        ReconciliationRound.Status.OPEN,
        world.units.housing,
        world.users.city_staff,
        ReconciliationRound.Scope.RECOMMENDATION,
    )


def test_the_snapshot_stays_when_the_measure_moves_on(world, letter, measure_in):
    measure = measure_in(Status.AWAITING_SIGNOFF)
    round_ = open_for(letter, world.users.city_staff)

    services.measure_sign_off(measure=measure, actor=world.users.city_staff, note="核查属实")

    row = round_.rows.select_related("measure").get()
    assert row.snapshot_status == Status.AWAITING_SIGNOFF
    assert row.differences() == ["status now Signed off"]


def test_a_standing_measure_is_frozen_without_a_date(world, browse_en, letter, measure_in):
    measure_in(Status.NOT_STARTED, is_standing=True)

    round_ = open_for(letter, world.users.city_staff)

    row = round_.rows.select_related("measure__item__recommendation").get()
    assert (row.snapshot_due_on, row.snapshot_signal) == (None, Signal.BLUE)
    assert row.differences() == []
    # The sheet and the page print its state and colour, not its placeholder date.
    documents.reconciliation_sheet_rows([row], one_letter=True)
    assert row.snapshot.splitlines() == ["未开始", "长期坚持"]
    url = reverse("reforms:reconciliation_detail", args=[round_.pk])
    page = browse_en(world.users.city_staff).get(url).content.decode()
    assert "Not started" in page and "Due" not in page


def test_a_signal_is_read_on_the_rounds_date(world, letter, measure_in):
    measure_in(Status.IN_PROGRESS)

    round_ = open_for(letter, world.users.city_staff, as_of=DUE_ON - datetime.timedelta(days=60))

    assert round_.rows.get().snapshot_signal == Signal.GREEN


def test_a_unit_round_takes_the_subunits_measures(world, letter, station_letter, measure_in):
    housing_measure = measure_in(Status.IN_PROGRESS)
    station_measure = factories.measure(
        recommendation=station_letter, actor=world.users.housing_officer
    )

    whole = reconciliation.open_round(
        actor=world.users.city_staff, unit=world.units.housing, answer_due_on=due()
    )
    station_only = reconciliation.open_round(
        actor=world.users.city_staff, unit=world.units.station, answer_due_on=due()
    )

    assert set(whole.rows.values_list("measure", flat=True)) == {
        housing_measure.pk,
        station_measure.pk,
    }
    assert list(station_only.rows.values_list("measure", flat=True)) == [station_measure.pk]
    assert whole.scope == ReconciliationRound.Scope.UNIT and whole.recommendation is None


def test_opening_tells_the_officers_of_each_unit_in_the_round(
    world, letter, station_letter, measure_in
):
    measure_in(Status.IN_PROGRESS)
    factories.measure(recommendation=station_letter, actor=world.users.housing_officer)
    station_officer = factories.user("unit_officer", world.units.station, "station_officer")

    round_ = reconciliation.open_round(
        actor=world.users.city_staff, unit=world.units.housing, answer_due_on=due()
    )

    for officer in (world.users.housing_officer, station_officer):
        notice = told(officer, f"reconciliation:{round_.pk}:opened").get()
        assert notice.link == f"/measures/reconciliation/{round_.pk}/"
    assert not told(world.users.health_officer, "reconciliation").exists()
    assert not told(world.users.city_staff, "reconciliation").exists()  # not the actor


def test_an_officer_of_a_subunit_sees_the_round_and_only_their_rows(
    world, letter, station_letter, measure_in
):
    measure_in(Status.IN_PROGRESS)
    station_measure = factories.measure(
        recommendation=station_letter, actor=world.users.housing_officer
    )
    station_officer = factories.user("unit_officer", world.units.station, "station_officer")
    round_ = reconciliation.open_round(
        actor=world.users.city_staff, unit=world.units.housing, answer_due_on=due()
    )

    assert list(ReconciliationRound.objects.restrict(station_officer)) == [round_]
    assert [row.measure_id for row in ReconciliationRow.objects.restrict(station_officer)] == [
        station_measure.pk
    ]
    assert ReconciliationRow.objects.restrict(world.users.housing_officer).count() == 2


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("city_staff", True),
        ("supervisor", True),
        ("housing_officer", True),
        ("county_staff", False),
        ("county_supervisor", False),
        ("group_staff", False),
        ("other_staff", False),
        ("health_officer", False),
        ("system_admin", False),
        ("audit_admin", False),
    ],
)
def test_who_sees_a_round_and_its_rows(world, round_, username, visible):
    user = getattr(world.users, username)

    assert ReconciliationRound.objects.restrict(user).filter(pk=round_.pk).exists() is visible
    assert ReconciliationRow.objects.restrict(user).filter(round=round_).exists() is visible


# ── Opening: who may, and when not ──────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "username",
    [
        "housing_officer",
        "supervisor",
        "county_staff",
        "group_staff",
        "other_staff",
        "system_admin",
        "security_admin",
        "audit_admin",
    ],
)
def test_only_staff_in_scope_open_a_round(world, letter, measure_in, username):
    measure_in(Status.IN_PROGRESS)
    actor = getattr(world.users, username)

    with pytest.raises(PermissionRefused):
        open_for(letter, actor)
    with pytest.raises(PermissionRefused):
        reconciliation.open_round(actor=actor, unit=world.units.housing, answer_due_on=due())
    with pytest.raises(PermissionRefused):
        reconciliation.open_round(
            actor=actor, unit=world.units.city, sector="construction", answer_due_on=due()
        )

    assert not ReconciliationRound.objects.exists()
    assert not Notification.objects.filter(dedupe_key__startswith="reconciliation").exists()


def test_county_staff_open_a_round_for_a_unit_of_their_own(world):
    the_case = factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
    )
    letter = factories.issued_recommendation(staff=world.users.county_staff, the_case=the_case)
    factories.measure(recommendation=letter, actor=world.users.county_staff)

    round_ = reconciliation.open_round(
        actor=world.users.county_staff, unit=world.units.education, answer_due_on=due()
    )

    assert round_.rows.count() == 1
    with pytest.raises(PermissionRefused):
        reconciliation.open_round(
            actor=world.users.county_staff, unit=world.units.housing, answer_due_on=due()
        )


def test_one_open_round_per_scope(world, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    open_for(letter, world.users.city_staff)

    with pytest.raises(TransitionRefused, match="already open for this scope"):
        open_for(letter, world.users.city_staff)

    # Another scope covering the same measures may still be opened.
    reconciliation.open_round(
        actor=world.users.city_staff, unit=world.units.housing, answer_due_on=due()
    )
    with pytest.raises(TransitionRefused, match="already open for this scope"):
        reconciliation.open_round(
            actor=world.users.city_staff, unit=world.units.housing, answer_due_on=due()
        )
    assert ReconciliationRound.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"as_of": "tomorrow"}, "cannot be dated in the future"),
        ({"answer_due_on": "yesterday"}, "cannot be due before today"),
        ({"unit": "housing"}, "either a recommendation or a unit"),
    ],
)
def test_opening_refuses_bad_dates_and_scopes(world, letter, measure_in, fields, message):
    measure_in(Status.IN_PROGRESS)
    values = {
        "tomorrow": today() + datetime.timedelta(days=1),
        "yesterday": today() - datetime.timedelta(days=1),
        "housing": world.units.housing,
    }
    arguments = {"answer_due_on": due()} | {k: values[v] for k, v in fields.items()}

    with pytest.raises(TransitionRefused, match=message):
        reconciliation.open_round(actor=world.users.city_staff, recommendation=letter, **arguments)
    assert not ReconciliationRound.objects.exists()


def test_opening_needs_something_to_reconcile(world, letter, measures):
    Measure.objects.filter(pk__in=[m.pk for m in measures.values()]).delete()

    with pytest.raises(TransitionRefused, match="nothing to reconcile"):
        open_for(letter, world.users.city_staff)
    with pytest.raises(TransitionRefused, match="either a recommendation or a unit"):
        reconciliation.open_round(actor=world.users.city_staff, answer_due_on=due())


# ── Answering ───────────────────────────────────────────────────────────────────────────────


def test_the_officer_answers_in_progress_with_the_latest_state(world, round_):
    row = the_row(round_)

    answer(row, world.users.housing_officer)

    row.refresh_from_db()
    assert (row.status, row.answer, row.answer_note, row.answered_by) == (
        RowStatus.ANSWERED,
        Answer.IN_PROGRESS,
        "制度草案已提交党组会审议",
        world.users.housing_officer,
    )
    assert row.answered_at is not None
    assert row.measure.status == Status.IN_PROGRESS  # nothing moves


def test_completed_asks_for_sign_off_of_a_measure_in_progress(world, round_):
    row = the_row(round_)

    answer(row, world.users.housing_officer, Answer.COMPLETED, note="已印发新办法")

    row.measure.refresh_from_db()
    assert row.measure.status == Status.AWAITING_SIGNOFF
    last = row.measure.transitions.last()
    assert (last.to_status, last.reason, last.actor) == (
        Status.AWAITING_SIGNOFF,
        "已印发新办法",
        world.users.housing_officer,
    )
    assert row.differences() == [
        "the unit says completed",
        "status now Awaiting sign-off",
    ]
    # The staff are told of the sign-off request as for any other.
    assert told(world.users.city_staff, f"measure:{row.measure_id}:transition").exists()


@pytest.mark.parametrize("status", [Status.AWAITING_SIGNOFF, Status.SIGNED_OFF])
def test_completed_leaves_a_measure_already_up_for_or_past_sign_off(
    world, letter, measure_in, status
):
    measure = measure_in(status)
    history = measure.transitions.count()
    row = the_row(open_for(letter, world.users.city_staff))

    answer(row, world.users.housing_officer, Answer.COMPLETED, note="")

    measure.refresh_from_db()
    assert (measure.status, measure.transitions.count()) == (status, history)
    assert row.status == RowStatus.ANSWERED and row.differences() == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.NOT_STARTED, "Report progress and upload evidence"),
        (Status.RETURNED, "add new progress or new evidence"),
        (Status.IN_PROGRESS, "Upload evidence before requesting sign-off"),  # none on file
    ],
)
def test_completed_is_refused_while_the_measure_cannot_ask_for_sign_off(
    world, letter, measure_in, status, message
):
    measure = measure_in(status)
    row = the_row(open_for(letter, world.users.city_staff))

    with pytest.raises(TransitionRefused, match=message):
        answer(row, world.users.housing_officer, Answer.COMPLETED)

    row.refresh_from_db()
    measure.refresh_from_db()
    assert (row.status, row.answer, measure.status) == (RowStatus.PENDING, "", status)


@pytest.mark.parametrize(
    ("value", "note", "message"),
    [
        (Answer.IN_PROGRESS, "  ", "Describe where the measure stands now"),
        (Answer.DISPUTED, "", "Give the reason for disputing"),
        ("done", "好", "Choose your answer"),
    ],
)
def test_an_answer_needs_its_words(world, round_, value, note, message):
    row = the_row(round_)

    with pytest.raises(TransitionRefused, match=message) as refusal:
        answer(row, world.users.housing_officer, value, note=note)

    assert refusal.value.errors  # shown under the field it concerns
    row.refresh_from_db()
    assert row.status == RowStatus.PENDING


def test_an_answer_too_long_is_refused(world, round_):
    row = the_row(round_)

    with pytest.raises(InvalidInput, match="at most 1000 characters"):
        answer(row, world.users.housing_officer, Answer.DISPUTED, note="争" * 1001)


def test_a_dispute_is_a_difference(world, round_):
    row = the_row(round_)

    answer(row, world.users.housing_officer, Answer.DISPUTED, note="该措施已于上月完成，台账有误")

    assert row.differences() == ["the unit disputes the snapshot"]


def test_the_unit_may_change_its_answer_until_it_is_confirmed(world, round_):
    row = the_row(round_)
    answer(row, world.users.housing_officer)

    answer(row, world.users.housing_officer, Answer.DISPUTED, note="数据有误")
    confirm(row, world.users.city_staff)

    with pytest.raises(TransitionRefused, match="already confirmed"):
        answer(row, world.users.housing_officer)
    row.refresh_from_db()
    assert (row.answer, row.status) == (Answer.DISPUTED, RowStatus.CONFIRMED)


@pytest.mark.parametrize("username", ["city_staff", "supervisor", *INTRUDERS])
def test_only_the_units_officer_answers(world, round_, username):
    row = the_row(round_)

    with pytest.raises(PermissionRefused):
        answer(row, getattr(world.users, username))

    row.refresh_from_db()
    assert row.status == RowStatus.PENDING


def test_the_staff_are_told_once_every_row_is_answered(world, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    measure_in(Status.NOT_STARTED)
    round_ = open_for(letter, world.users.city_staff)
    first, second = round_.rows.select_related("round", "measure")

    answer(first, world.users.housing_officer)
    assert not told(world.users.city_staff, "reconciliation").exists()

    answer(second, world.users.housing_officer, Answer.DISPUTED, note="尚未启动，另有安排")
    answer(second, world.users.housing_officer, Answer.IN_PROGRESS, note="已启动")

    notice = told(world.users.city_staff, f"reconciliation:{round_.pk}:answered").get()
    assert notice.link == f"/measures/reconciliation/{round_.pk}/"
    assert not told(world.users.supervisor, "reconciliation").exists()


# ── Confirming ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("value", "note"), [(Confirmation.AGREED, ""), (Confirmation.RETURNED, "进展与台账不符")]
)
def test_staff_confirm_an_answer(world, round_, value, note):
    row = the_row(round_)
    answer(row, world.users.housing_officer)

    confirm(row, world.users.city_staff, value, note=note)

    row.refresh_from_db()
    assert (row.status, row.confirmation, row.confirmation_note, row.confirmed_by) == (
        RowStatus.CONFIRMED,
        value,
        note,
        world.users.city_staff,
    )
    assert row.confirmed_at is not None


def test_a_return_needs_its_reason(world, round_):
    row = the_row(round_)
    answer(row, world.users.housing_officer)

    with pytest.raises(TransitionRefused, match="reason for returning"):
        confirm(row, world.users.city_staff, Confirmation.RETURNED, note=" ")
    with pytest.raises(TransitionRefused, match="agree with the unit's answer or return"):
        confirm(row, world.users.city_staff, "maybe")

    row.refresh_from_db()
    assert row.status == RowStatus.ANSWERED


def test_staff_confirm_only_an_answered_row_and_only_once(world, round_):
    row = the_row(round_)

    with pytest.raises(TransitionRefused, match="not answered this row yet"):
        confirm(row, world.users.city_staff)

    answer(row, world.users.housing_officer)
    confirm(row, world.users.city_staff)
    with pytest.raises(TransitionRefused, match="already confirmed"):
        confirm(row, world.users.city_staff, Confirmation.RETURNED, note="再看")
    row.refresh_from_db()
    assert row.confirmation == Confirmation.AGREED


@pytest.mark.parametrize("username", ["housing_officer", "supervisor", *INTRUDERS])
def test_only_staff_in_scope_confirm(world, round_, username):
    row = the_row(round_)
    answer(row, world.users.housing_officer)

    with pytest.raises(PermissionRefused):
        confirm(row, getattr(world.users, username))

    row.refresh_from_db()
    assert row.status == RowStatus.ANSWERED


# ── Closing ─────────────────────────────────────────────────────────────────────────────────


def test_a_round_closes_once_every_row_is_confirmed(world, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    measure_in(Status.NOT_STARTED)
    round_ = open_for(letter, world.users.city_staff)
    first, second = round_.rows.select_related("round", "measure")
    answer(first, world.users.housing_officer)
    answer(second, world.users.housing_officer, Answer.DISPUTED, note="尚未启动")
    confirm(first, world.users.city_staff)

    with pytest.raises(TransitionRefused, match=r"\(1 left\)"):
        reconciliation.close_round(round_=round_, actor=world.users.city_staff)
    round_.refresh_from_db()
    assert round_.status == ReconciliationRound.Status.OPEN

    confirm(second, world.users.city_staff, Confirmation.RETURNED, note="请尽快启动")
    reconciliation.close_round(round_=round_, actor=world.users.city_staff)

    round_.refresh_from_db()
    assert (round_.status, round_.closed_by) == (
        ReconciliationRound.Status.CLOSED,
        world.users.city_staff,
    )
    assert round_.closed_at is not None
    notice = told(world.users.housing_officer, f"reconciliation:{round_.pk}:closed").get()
    assert notice.body == "对账已结束，退回 1 行，请查看退回理由。"


def test_a_closed_round_changes_no_more(world, round_):
    row = the_row(round_)
    answer(row, world.users.housing_officer)
    confirm(row, world.users.city_staff)
    reconciliation.close_round(round_=round_, actor=world.users.city_staff)
    row = the_row(round_)

    with pytest.raises(TransitionRefused, match="already closed"):
        reconciliation.close_round(round_=round_, actor=world.users.city_staff)
    with pytest.raises(TransitionRefused, match="round is closed"):
        answer(row, world.users.housing_officer)
    with pytest.raises(TransitionRefused, match="round is closed"):
        confirm(row, world.users.city_staff)
    # A new round for the same letter may now be opened.
    assert open_for(round_.recommendation, world.users.city_staff).pk != round_.pk


@pytest.mark.parametrize("username", ["housing_officer", "supervisor", *INTRUDERS])
def test_only_staff_in_scope_close(world, round_, username):
    row = the_row(round_)
    answer(row, world.users.housing_officer)
    confirm(row, world.users.city_staff)

    with pytest.raises(PermissionRefused):
        reconciliation.close_round(round_=round_, actor=getattr(world.users, username))

    round_.refresh_from_db()
    assert round_.status == ReconciliationRound.Status.OPEN


# ── What each role is offered ───────────────────────────────────────────────────────────────


def test_available_actions_follow_the_tables(world, round_):
    row = the_row(round_)
    officer, staff, supervisor = (
        world.users.housing_officer,
        world.users.city_staff,
        world.users.supervisor,
    )

    assert reconciliation.available_actions(officer, row) == {"answer"}
    assert reconciliation.available_actions(staff, row) == set()
    assert reconciliation.available_actions(staff, round_) == set()  # a row left

    answer(row, officer)
    assert reconciliation.available_actions(officer, row) == {"answer"}
    assert reconciliation.available_actions(staff, row) == {"confirm"}
    assert reconciliation.available_actions(supervisor, row) == set()

    confirm(row, staff)
    assert reconciliation.available_actions(officer, row) == set()
    assert reconciliation.available_actions(staff, row) == set()
    assert reconciliation.available_actions(staff, round_) == {"close"}
    assert reconciliation.available_actions(supervisor, round_) == set()
    assert reconciliation.available_actions(world.users.county_staff, round_) == set()

    reconciliation.close_round(round_=round_, actor=staff)
    assert reconciliation.available_actions(staff, round_) == set()


def test_every_refusal_is_a_domain_error_with_a_chinese_message(world, round_):
    row = the_row(round_)
    with translation.override("zh-hans"), pytest.raises(DomainError) as refusal:
        confirm(row, world.users.city_staff)

    assert str(refusal.value.message) == "单位尚未答复此行。"


# ── Sector rounds: the same transitions, the same scope ─────────────────────────────────────


@pytest.fixture
def sector_round(world, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    return reconciliation.open_round(
        actor=world.users.city_staff,
        unit=world.units.city,
        sector="construction",
        answer_due_on=due(),
    )


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("city_staff", True),
        ("supervisor", True),
        ("housing_officer", True),
        ("county_staff", False),
        ("county_supervisor", False),
        ("group_staff", False),
        ("other_staff", False),
        ("health_officer", False),
        ("system_admin", False),
    ],
)
def test_who_sees_a_sector_round(world, sector_round, username, visible):
    user = getattr(world.users, username)

    assert ReconciliationRound.objects.restrict(user).filter(pk=sector_round.pk).exists() is visible
    assert ReconciliationRow.objects.restrict(user).filter(round=sector_round).exists() is visible


@pytest.mark.parametrize("username", ["housing_officer", "supervisor", *INTRUDERS])
def test_a_sector_round_is_confirmed_and_closed_by_staff_in_scope_only(
    world, sector_round, username
):
    row = sector_round.rows.select_related("round", "measure").get()
    reconciliation.answer_row(
        row=row, actor=world.users.housing_officer, answer=Answer.IN_PROGRESS, note="过半"
    )
    intruder = getattr(world.users, username)

    with pytest.raises(PermissionRefused):
        reconciliation.confirm_row(row=row, actor=intruder, confirmation="agreed")
    reconciliation.confirm_row(row=row, actor=world.users.city_staff, confirmation="agreed")
    with pytest.raises(PermissionRefused):
        reconciliation.close_round(round_=sector_round, actor=intruder)
    reconciliation.close_round(round_=sector_round, actor=world.users.city_staff)

    sector_round.refresh_from_db()
    assert sector_round.status == ReconciliationRound.Status.CLOSED


@pytest.mark.parametrize("username", ["city_staff", "supervisor", *INTRUDERS])
def test_only_the_units_officer_answers_a_sector_round(world, sector_round, username):
    row = sector_round.rows.select_related("round", "measure").get()

    with pytest.raises(PermissionRefused):
        reconciliation.answer_row(
            row=row, actor=getattr(world.users, username), answer=Answer.IN_PROGRESS, note="过半"
        )
