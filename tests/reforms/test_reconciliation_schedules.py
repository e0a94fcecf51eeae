"""定期对账: schedules open a round each month or quarter through the real Celery task (called
directly), once a period, on a working day, in their maker's name; sector rounds; the reminders
of a round's answers on the deadline scan's ladder; schedules in the back office."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from core.domain import TransitionRefused, shanghai_today
from notifications.models import Notification
from reforms import calendar, reconciliation, reminders, tasks
from reforms.models import (
    CalendarDay,
    ReconciliationRound,
    ReconciliationSchedule,
    UrgingNotice,
)
from tests import factories

from .conftest import Status

Frequency = ReconciliationSchedule.Frequency
Scope = ReconciliationRound.Scope


@pytest.fixture
def working_today(db):
    """Today is a working day, whatever the calendar says of the day the tests run."""
    today = shanghai_today()
    CalendarDay.objects.update_or_create(date=today, defaults={"is_workday": True, "note": "测试"})
    return today


@pytest.fixture
def schedule(world, letter, measure_in):
    measure_in(Status.IN_PROGRESS, content="修订招投标管理办法")
    return ReconciliationSchedule.objects.create(
        scope=Scope.RECOMMENDATION,
        recommendation=letter,
        frequency=Frequency.MONTHLY,
        answer_working_days=5,
        created_by=world.users.city_staff,
    )


def to_reconcile(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, dedupe_key__endswith=":opened"))


def test_the_task_opens_this_periods_round_once(world, schedule, working_today):
    result = tasks.open_scheduled_reconciliations()

    round_ = ReconciliationRound.objects.get()
    assert result == {"opened": 1, "already": 0, "refused": 0, "not_a_workday": False}
    assert (round_.schedule, round_.recommendation, round_.opened_by) == (
        schedule,
        schedule.recommendation,
        world.users.city_staff,
    )
    assert round_.as_of == working_today
    assert round_.answer_due_on == calendar.add_workdays(working_today, 5)
    assert schedule.unit == world.units.housing  # a letter's schedule is scoped by its unit
    assert len(to_reconcile(world.users.housing_officer)) == 1

    again = tasks.open_scheduled_reconciliations()

    assert again == {"opened": 0, "already": 1, "refused": 0, "not_a_workday": False}
    assert ReconciliationRound.objects.count() == 1


def test_a_closed_round_of_the_period_still_counts(world, schedule, working_today):
    tasks.open_scheduled_reconciliations()
    round_ = ReconciliationRound.objects.get()
    ReconciliationRound.objects.filter(pk=round_.pk).update(
        status="closed", closed_at=round_.created_at
    )

    assert tasks.open_scheduled_reconciliations()["already"] == 1
    assert ReconciliationRound.objects.count() == 1


def test_a_round_of_the_last_period_does_not(world, schedule, working_today):
    tasks.open_scheduled_reconciliations()
    last_month = schedule.period_start(working_today) - datetime.timedelta(days=1)
    ReconciliationRound.objects.update(
        as_of=last_month, answer_due_on=last_month, status="closed", closed_at=timezone.now()
    )

    assert tasks.open_scheduled_reconciliations()["opened"] == 1
    assert ReconciliationRound.objects.count() == 2


def test_a_quarter_runs_from_its_first_month():
    quarterly = ReconciliationSchedule(frequency=Frequency.QUARTERLY)
    monthly = ReconciliationSchedule(frequency=Frequency.MONTHLY)
    day = datetime.date(2026, 11, 30)

    assert quarterly.period_start(day) == datetime.date(2026, 10, 1)
    assert quarterly.period_start(datetime.date(2026, 3, 31)) == datetime.date(2026, 1, 1)
    assert monthly.period_start(day) == datetime.date(2026, 11, 1)


def test_a_round_opened_by_hand_for_the_scope_is_left_alone(world, schedule, working_today):
    reconciliation.open_round(
        actor=world.users.city_staff,
        recommendation=schedule.recommendation,
        answer_due_on=working_today + datetime.timedelta(days=7),
    )

    result = tasks.open_scheduled_reconciliations()

    assert (result["opened"], result["refused"]) == (0, 1)
    assert ReconciliationRound.objects.count() == 1


def test_nothing_opens_on_a_holiday_nor_for_an_inactive_schedule(world, schedule, working_today):
    CalendarDay.objects.filter(date=working_today).update(is_workday=False)
    assert tasks.open_scheduled_reconciliations()["not_a_workday"] is True

    CalendarDay.objects.filter(date=working_today).update(is_workday=True)
    ReconciliationSchedule.objects.update(active=False)
    assert tasks.open_scheduled_reconciliations()["opened"] == 0
    assert not ReconciliationRound.objects.exists()


def test_a_maker_who_left_opens_nothing(world, schedule, working_today):
    world.users.city_staff.is_active = False
    world.users.city_staff.save()

    assert tasks.open_scheduled_reconciliations()["refused"] == 1
    assert not ReconciliationRound.objects.exists()


# ── Sector rounds ────────────────────────────────────────────────────────────────────────────


def test_a_sector_round_takes_the_units_of_that_sector_in_the_subtree(world, letter, measure_in):
    housing = measure_in(Status.IN_PROGRESS, content="住建局的措施")
    the_case = factories.case(
        case_unit=world.units.health,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    health_letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=the_case)
    factories.measure(
        recommendation=health_letter, actor=world.users.health_officer, content="卫健委的措施"
    )
    due = shanghai_today() + datetime.timedelta(days=7)

    round_ = reconciliation.open_round(
        actor=world.users.city_staff,
        unit=world.units.city,
        sector="construction",
        answer_due_on=due,
    )

    assert (round_.scope, round_.unit, round_.sector) == (
        Scope.SECTOR,
        world.units.city,
        "construction",
    )
    assert [row.measure for row in round_.rows.all()] == [housing]
    # The unit's officer sees the round that holds their measures, the health officer does not.
    assert ReconciliationRound.objects.restrict(world.users.housing_officer).get() == round_
    assert not ReconciliationRound.objects.restrict(world.users.health_officer).exists()
    with pytest.raises(TransitionRefused, match="already open"):
        reconciliation.open_round(
            actor=world.users.city_staff,
            unit=world.units.city,
            sector="construction",
            answer_due_on=due,
        )
    # Another sector of the same jurisdiction is a round of its own.
    other = reconciliation.open_round(
        actor=world.users.city_staff, unit=world.units.city, sector="healthcare", answer_due_on=due
    )
    assert [row.measure.content for row in other.rows.all()] == ["卫健委的措施"]


def test_a_sector_needs_a_unit_not_a_letter(world, letter, measure_in):
    measure_in(Status.IN_PROGRESS)
    due = shanghai_today() + datetime.timedelta(days=7)
    with pytest.raises(TransitionRefused, match="either a recommendation or a unit"):
        reconciliation.open_round(
            actor=world.users.city_staff,
            recommendation=letter,
            sector="construction",
            answer_due_on=due,
        )
    with pytest.raises(TransitionRefused, match="sector from the list"):
        reconciliation.open_round(
            actor=world.users.city_staff,
            unit=world.units.city,
            sector="nonsense",
            answer_due_on=due,
        )


def test_a_sector_schedule_opens_a_sector_round(world, letter, measure_in, working_today):
    measure_in(Status.IN_PROGRESS)
    ReconciliationSchedule.objects.create(
        scope=Scope.SECTOR,
        unit=world.units.city,
        sector="construction",
        frequency=Frequency.QUARTERLY,
        created_by=world.users.city_staff,
    )

    assert tasks.open_scheduled_reconciliations()["opened"] == 1
    round_ = ReconciliationRound.objects.get()
    assert (round_.scope, round_.sector) == (Scope.SECTOR, "construction")
    assert round_.answer_due_on == calendar.add_workdays(working_today, 10)


# ── Reminders of the answers ─────────────────────────────────────────────────────────────────


@pytest.fixture
def site_language():
    """Jobs write in the site's language, as workers do."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def answer_reminders(user):
    return list(
        Notification.objects.filter(recipient=user, dedupe_key__startswith="reconciliation:")
        .exclude(dedupe_key__endswith=":opened")
        .values_list("kind", "title")
    )


def test_the_unit_is_reminded_as_answers_fall_due_and_when_overdue(
    world, schedule, working_today, site_language
):
    round_ = reconciliation.open_round(
        actor=world.users.city_staff,
        recommendation=schedule.recommendation,
        answer_due_on=calendar.add_workdays(working_today, 1),
    )
    officer = world.users.housing_officer
    letter = schedule.recommendation.doc_number

    reminders.scan(today=working_today)
    reminders.scan(today=working_today)  # run twice: written once

    assert answer_reminders(officer) == [("yellow", f"对账答复即将到期：{letter}")]
    assert answer_reminders(world.users.city_staff) == []

    late = round_.answer_due_on + datetime.timedelta(days=3)
    result = reminders.scan(today=late)

    assert result.reconciliations == 1
    assert ("red", f"对账答复已逾期：{letter}") in answer_reminders(officer)
    # The overdue measure is urged (督办) as ever; the round's answers are not.
    assert not UrgingNotice.objects.filter(measure__isnull=True).exists()


def test_every_unit_still_owing_answers_in_a_sector_round_is_reminded(
    world, letter, measure_in, working_today, site_language
):
    measure_in(Status.IN_PROGRESS, content="住建局的措施")
    station_officer = factories.user(Role.UNIT_OFFICER, world.units.station, "station_officer")
    the_case = factories.case(
        case_unit=world.units.station,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    factories.measure(
        recommendation=factories.issued_recommendation(
            staff=world.users.city_staff, the_case=the_case
        ),
        actor=station_officer,
        content="质监站的措施",
    )
    # The round's unit is the commission, which has no officer: the units of its rows answer.
    round_ = reconciliation.open_round(
        actor=world.users.city_staff,
        unit=world.units.city,
        sector="construction",
        answer_due_on=calendar.add_workdays(working_today, 1),
    )
    due_soon = [("yellow", f"对账答复即将到期：{world.units.city.name}")]

    reminders.scan(today=working_today)

    assert answer_reminders(world.users.housing_officer) == due_soon
    assert answer_reminders(station_officer) == due_soon
    assert answer_reminders(world.users.health_officer) == []

    reconciliation.answer_row(
        row=round_.rows.select_related("round").get(measure__unit=world.units.station),
        actor=station_officer,
        answer="in_progress",
        note="推进中",
    )
    reminders.scan(today=round_.answer_due_on + datetime.timedelta(days=3))

    overdue = ("red", f"对账答复已逾期：{world.units.city.name}")
    assert overdue in answer_reminders(world.users.housing_officer)
    assert answer_reminders(station_officer) == due_soon  # answered: no longer chased


def test_an_answered_round_is_not_chased(world, schedule, working_today):
    round_ = reconciliation.open_round(
        actor=world.users.city_staff,
        recommendation=schedule.recommendation,
        answer_due_on=working_today,
    )
    for row in round_.rows.select_related("round"):
        reconciliation.answer_row(
            row=row, actor=world.users.housing_officer, answer="in_progress", note="过半"
        )

    result = reminders.scan(today=working_today + datetime.timedelta(days=5))

    assert result.reconciliations == 0
    assert answer_reminders(world.users.housing_officer) == []


# ── The back office ──────────────────────────────────────────────────────────────────────────


def test_staff_schedule_rounds_in_the_back_office(world, browse, letter):
    page = reverse("admin:reforms_reconciliationschedule_add")
    staff = browse(world.users.city_staff)

    answer = staff.post(
        page,
        {
            "scope": "unit",
            "unit": world.units.housing.pk,
            "sector": "",
            "frequency": "quarterly",
            "answer_working_days": 10,
            "active": "on",
        },
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    schedule = ReconciliationSchedule.objects.get()
    assert (schedule.unit, schedule.created_by) == (world.units.housing, world.users.city_staff)
    changelist = reverse("admin:reforms_reconciliationschedule_changelist")
    assert browse(world.users.county_staff).get(changelist).status_code == 200
    assert not ReconciliationSchedule.objects.restrict(world.users.county_staff).exists()
    assert browse(world.users.housing_officer).get(page).status_code == 403


def test_a_schedule_must_match_its_scope(world, browse, letter):
    answer = browse(world.users.city_staff).post(
        reverse("admin:reforms_reconciliationschedule_add"),
        {
            "scope": "sector",
            "unit": world.units.city.pk,
            "sector": "",
            "frequency": "monthly",
            "answer_working_days": 10,
        },
    )

    assert answer.status_code == 200
    assert "请按对账范围选择建议书、单位，或单位及行业领域。" in answer.content.decode()
    assert not ReconciliationSchedule.objects.exists()
