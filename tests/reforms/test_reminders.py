"""The deadline scan: the 三色预警 ladder on the official calendar, who is told, and once only.

The measure is due on Tuesday 2026-10-13, just after the National Day holiday (10-01 to 10-07)
with its make-up working Saturday (调休) on 10-10.
"""

import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pypdf import PdfReader

from notifications.models import Notification
from reforms import reminders
from reforms.models import Measure, ReminderPolicy, UrgingNotice
from tests import factories

Status = Measure.Status
Kind = Notification.Kind
DUE = datetime.date(2026, 10, 13)


@pytest.fixture(autouse=True)
def english():
    """Overrides the domain tests' English: jobs write in the site's language, as workers do."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def at(day: datetime.date):
    """Travel to 09:00 in Shanghai on ``day``."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), tzinfo=ZoneInfo("Asia/Shanghai")),
        tick=False,
    )


@pytest.fixture
def people(world):
    """The housing bureau's party head and the measure's accountable leader, with accounts."""
    party_head = factories.user("", world.units.housing, "housing_party_head")
    leader = factories.user("", world.units.housing, "housing_leader")
    world.units.housing.party_head = party_head
    world.units.housing.save()
    return party_head, leader


@pytest.fixture
def due(measure_in, people):
    """An open measure due on 2026-10-13, planned in September."""
    _party_head, leader = people
    with at(datetime.date(2026, 9, 1)):
        measure = measure_in(Status.IN_PROGRESS, due_on=DUE)
    Measure.objects.filter(pk=measure.pk).update(leader=leader)
    return measure


def reminders_of(measure) -> dict[str, set[str]]:
    """``{kind: {usernames}}`` of the reminders about ``measure`` (not its workflow events)."""
    found: dict[str, set[str]] = {}
    for kind, username in (
        Notification.objects.filter(dedupe_key__startswith=f"measure:{measure.pk}:")
        .exclude(kind=Notification.Kind.WORKFLOW)
        .values_list("kind", "recipient__username")
    ):
        found.setdefault(kind, set()).add(username)
    return found


def scan_on(day: datetime.date):
    with at(day):
        return reminders.scan()


class TestTheLadder:
    def test_nothing_before_ten_working_days(self, due):
        scan_on(datetime.date(2026, 9, 21))
        assert reminders_of(due) == {}

    def test_green_ten_working_days_before_across_the_holiday(self, due, people):
        scan_on(datetime.date(2026, 9, 22))
        assert reminders_of(due) == {Kind.GREEN: {"housing_officer"}}

    def test_the_make_up_saturday_counts_so_yellow_waits_for_friday(self, due):
        scan_on(datetime.date(2026, 10, 8))  # 10-09, 10-10 (调休), 10-12: three working days
        assert Kind.YELLOW not in reminders_of(due)
        scan_on(datetime.date(2026, 10, 9))
        assert reminders_of(due)[Kind.YELLOW] == {"housing_officer", "housing_leader"}

    def test_red_on_the_first_day_then_every_seven_days_with_the_party_head(self, due):
        for day in range(14, 29):  # 10-14 … 10-28: overdue days 1 … 15
            scan_on(datetime.date(2026, 10, day))
        red = Notification.objects.filter(
            kind=Kind.RED, recipient__username="housing_officer"
        ).values_list("dedupe_key", flat=True)
        assert sorted(red) == [
            f"measure:{due.pk}:red:2026-10-13:0",  # day 1
            f"measure:{due.pk}:red:2026-10-13:1",  # day 8
            f"measure:{due.pk}:red:2026-10-13:2",  # day 15
        ]
        assert reminders_of(due)[Kind.RED] == {
            "housing_officer",
            "housing_leader",
            "housing_party_head",
        }

    def test_urging_after_thirty_days_is_numbered_and_goes_to_the_commission(self, due, world):
        scan_on(datetime.date(2026, 11, 12))  # 30 days overdue: not yet
        assert not UrgingNotice.objects.exists()
        scan_on(datetime.date(2026, 11, 13))  # 31 days
        notice = UrgingNotice.objects.get()
        assert (notice.measure, notice.due_on, notice.days_overdue) == (due, DUE, 31)
        assert notice.number == "督办〔2026〕1号"
        assert reminders_of(due)[Kind.URGING] == {
            "housing_officer",
            "housing_leader",
            "housing_party_head",
            "city_staff",
            "supervisor",
        }

    def test_an_approved_extension_starts_the_ladder_afresh(self, due):
        scan_on(datetime.date(2026, 10, 14))
        Measure.objects.filter(pk=due.pk).update(due_on=datetime.date(2026, 10, 30))
        scan_on(datetime.date(2026, 10, 28))
        assert reminders_of(due)[Kind.YELLOW] == {"housing_officer", "housing_leader"}

    @pytest.mark.parametrize("status", [Status.AWAITING_SIGNOFF, Status.SIGNED_OFF])
    def test_measures_awaiting_or_past_sign_off_are_not_chased(self, measure_in, status):
        with at(datetime.date(2026, 9, 1)):
            measure = measure_in(status, due_on=DUE)
        scan_on(datetime.date(2026, 10, 20))
        assert reminders_of(measure) == {}

    def test_standing_measures_are_not_chased(self, measure_in):
        with at(datetime.date(2026, 9, 1)):
            measure = measure_in(Status.IN_PROGRESS, due_on=DUE, is_standing=True)
        scan_on(datetime.date(2026, 10, 20))
        assert reminders_of(measure) == {}

    def test_thresholds_come_from_the_policy(self, due):
        scan_on(datetime.date(2026, 9, 16))  # ten working days ahead is 09-30: too early
        assert reminders_of(due) == {}
        ReminderPolicy.objects.update_or_create(pk=1, defaults={"green_workdays": 15})
        scan_on(datetime.date(2026, 9, 16))  # fifteen reach 10-13 (09-20 is a make-up Sunday)
        assert reminders_of(due) == {Kind.GREEN: {"housing_officer"}}


class TestOnceOnly:
    def test_a_second_scan_writes_nothing(self, due):
        scan_on(datetime.date(2026, 11, 20))
        first = Notification.objects.count()
        second_result = scan_on(datetime.date(2026, 11, 20))
        assert first > 0
        assert Notification.objects.count() == first
        assert second_result.urging_notices == 0
        assert UrgingNotice.objects.count() == 1

    def test_the_scan_runs_a_constant_number_of_queries_whatever_the_rows(self, measure_in):
        def queries_of_a_first_scan(day):
            Notification.objects.all().delete()
            UrgingNotice.objects.all().delete()
            with at(day), CaptureQueriesContext(connection) as captured:
                reminders.scan()
            return len(captured)

        ReminderPolicy.current()  # the row the migration leaves
        with at(datetime.date(2026, 9, 1)):
            measure_in(Status.NOT_STARTED, due_on=DUE)
        with_one = queries_of_a_first_scan(datetime.date(2026, 11, 20))
        with at(datetime.date(2026, 9, 1)):
            for _ in range(12):
                measure_in(Status.NOT_STARTED, due_on=DUE)
        with_thirteen = queries_of_a_first_scan(datetime.date(2026, 11, 21))
        assert with_thirteen == with_one
        assert UrgingNotice.objects.count() == 13


class TestReplies:
    def test_a_late_reply_is_chased_like_a_measure(self, world, housing_case):
        with at(datetime.date(2026, 9, 1)):
            factories.issued_recommendation(
                staff=world.users.city_staff,
                the_case=housing_case,
                issued_on=datetime.date(2026, 9, 1),
                reply_due_on=DUE,
            )
        scan_on(datetime.date(2026, 10, 14))
        red = Notification.objects.get(kind=Kind.RED)
        assert red.recipient == world.users.housing_officer
        assert red.title.startswith("整改情况报告已逾期")


class TestPages:
    def test_the_measure_page_shows_its_urging_notice(self, due, client, world):
        scan_on(datetime.date(2026, 11, 13))
        client.force_login(world.users.housing_officer)

        html = client.get(f"/measures/{due.pk}/").content.decode()

        assert "已于 2026-11-13 发出督办〔2026〕1号：超期 31 天。" in html

    def test_the_inbox_shows_each_reminder_with_its_colour(self, due, client, world):
        scan_on(datetime.date(2026, 10, 9))
        client.force_login(world.users.housing_officer)

        html = client.get("/notifications/").content.decode()

        assert 'class="badge me-1 signal signal-yellow" data-testid="kind">即将到期' in html
        assert "整改措施即将到期：修订招投标管理办法" in html


class TestWeeklyReport:
    def test_each_supervisor_gets_the_overdue_report_once_a_week(self, due, world):
        from django.core import mail

        from notifications import delivery
        from oversight import reports

        world.users.supervisor.email = "supervisor@city.example"
        world.users.supervisor.save()
        monday = datetime.date(2026, 11, 16)

        with at(monday):
            digests = reports.weekly_reports(monday)
            assert reports.weekly_reports(monday) == []  # the same week again: nothing new
            assert [delivery.digest_deliver(pk) for pk in digests] == ["sent"]

        [message] = mail.outbox
        assert message.to == ["supervisor@city.example"]
        assert message.subject == "2026 年第 47 周逾期情况报告"
        assert "已超期 1 项" in message.body
        assert "长春市住房和城乡建设局：1" in message.body
        assert "超期 31–90 天：1" in message.body
        [(name, pdf, mimetype)] = message.attachments
        assert (name, mimetype) == ("逾期情况通报-2026-W47.pdf", "application/pdf")
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
        assert "逾期情况通报" in text and "长春市住房和城乡建设局" in text


def test_the_calendar_warns_when_next_years_holidays_are_missing(client, world):
    client.force_login(world.users.system_admin)
    with at(datetime.date(2026, 11, 23)):
        html = client.get("/admin/reforms/calendarday/").content.decode()

    assert "日历中还没有 2027 年的法定节假日" in html
    assert "日历中还没有 2026 年" not in html
