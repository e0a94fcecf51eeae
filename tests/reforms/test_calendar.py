"""Working days on the official calendar: holidays, make-up days (调休) and unannounced years."""

import datetime
import logging

import pytest
from django.urls import reverse

from reforms import calendar
from reforms.models import CalendarDay

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_official_calendar_is_loaded_from_chinesecalendar():
    national_day = CalendarDay.objects.get(date=D(2026, 10, 1))
    make_up_saturday = CalendarDay.objects.get(date=D(2026, 10, 10))

    assert (national_day.is_workday, national_day.note) == (False, "国庆节")
    assert (make_up_saturday.is_workday, make_up_saturday.note) == (True, "国庆节调休")
    assert calendar.year_is_known(2004) and calendar.year_is_known(2026)
    assert not calendar.year_is_known(2027)


def test_an_ordinary_week_skips_the_weekend():
    # Thursday 2026-03-12 + 2 working days: Friday, then (over the weekend) Monday.
    assert calendar.add_workdays(D(2026, 3, 12), 2) == D(2026, 3, 16)
    assert calendar.add_workdays(D(2026, 3, 12), 0) == D(2026, 3, 12)


def test_the_national_day_holiday_is_skipped():
    # Wednesday 30 September 2026; 1–7 October are the holiday; Thursday the 8th is back at work.
    assert calendar.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert not calendar.is_workday(D(2026, 10, 5))  # a Monday, yet a holiday


def test_a_make_up_saturday_is_a_working_day():
    # Friday 9 October 2026 + 1 working day is Saturday the 10th (调休), not Monday the 12th.
    assert calendar.is_workday(D(2026, 10, 10))
    assert calendar.add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert calendar.add_workdays(D(2026, 10, 9), 2) == D(2026, 10, 12)


def test_an_unannounced_year_counts_monday_to_friday_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="reforms.calendar"):
        # Friday 1 January 2027 + 1 working day: Monday the 4th (New Year is not known yet).
        due = calendar.add_workdays(D(2027, 1, 1), 1)

    assert due == D(2027, 1, 4)
    assert "No official holidays recorded for 2027" in caplog.text


def test_a_deadline_crossing_into_an_unannounced_year_does_not_crash(caplog):
    # Wednesday 30 December 2026: Thursday the 31st, then Friday 1 January 2027 (unknown year).
    with caplog.at_level(logging.WARNING, logger="reforms.calendar"):
        assert calendar.add_workdays(D(2026, 12, 30), 2) == D(2027, 1, 1)
    assert "2027" in caplog.text


def test_once_admins_add_the_year_its_holidays_count(caplog):
    CalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")

    with caplog.at_level(logging.WARNING, logger="reforms.calendar"):
        due = calendar.add_workdays(D(2026, 12, 30), 2)

    assert due == D(2027, 1, 4)
    assert caplog.text == ""


def test_counting_backwards_is_refused():
    with pytest.raises(ValueError):
        calendar.add_workdays(D(2026, 3, 12), -1)


def test_a_long_count_reads_each_year_once(django_assert_num_queries):
    with django_assert_num_queries(2):  # 2026 and 2027
        calendar.add_workdays(D(2026, 6, 1), 250)


def test_a_system_admin_adds_next_years_holidays_in_the_back_office(world, client):
    client.force_login(world.users.system_admin)

    response = client.post(
        reverse("admin:reforms_calendarday_add"),
        {"date": "2027-10-01", "is_workday": "", "note": "国庆节"},
    )

    assert response.status_code == 302
    assert CalendarDay.objects.get(date=D(2027, 10, 1)).note == "国庆节"


def test_staff_read_the_calendar_but_do_not_edit_it(world, client):
    client.force_login(world.users.city_staff)

    assert client.get(reverse("admin:reforms_calendarday_changelist")).status_code == 200
    assert client.get(reverse("admin:reforms_calendarday_add")).status_code == 403
