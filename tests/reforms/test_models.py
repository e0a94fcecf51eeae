import datetime

import pytest
import time_machine
from django.utils import timezone

from reforms.models import ExtensionRequest, FollowUp, Measure, ProgressReport
from tests.accounts.conftest import assert_refused_by_database_and_validation

from .conftest import DUE_ON

Status = Measure.Status


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"due_on": DUE_ON - datetime.timedelta(days=1)},
            "The current due date cannot be earlier than the original one.",
        ),
        (
            {"status": Status.SIGNED_OFF, "signed_off_on": None},
            "Only a signed-off measure has a sign-off date.",
        ),
        (
            {"status": Status.IN_PROGRESS, "signed_off_on": DUE_ON},
            "Only a signed-off measure has a sign-off date.",
        ),
    ],
    ids=["due_before_original", "signed_off_without_date", "date_without_sign_off"],
)
def test_the_database_refuses_an_impossible_measure(measure_in, fields, message):
    measure = measure_in(Status.NOT_STARTED)
    for name, value in fields.items():
        setattr(measure, name, value)

    assert_refused_by_database_and_validation(measure, message)

    measure.refresh_from_db()
    assert (measure.status, measure.due_on, measure.signed_off_on) == (
        Status.NOT_STARTED,
        DUE_ON,
        None,
    )


@pytest.fixture
def request_for(world):
    def build(measure, **fields):
        values = {
            "measure": measure,
            "previous_due_on": measure.due_on,
            "requested_due_on": measure.due_on + datetime.timedelta(days=30),
            "reason": "需提请党组会研究",
            "requested_by": world.users.housing_officer,
        }
        return ExtensionRequest(**values | fields)

    return build


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "This measure already has a pending extension request."),
        (
            {"requested_due_on": DUE_ON},
            "The requested due date must be later than the current one.",
        ),
        (
            {"status": ExtensionRequest.Status.APPROVED},
            "Only a decided request has a decision time.",
        ),
        (
            {"status": ExtensionRequest.Status.REJECTED},
            "Only a decided request has a decision time.",
        ),
    ],
    ids=["second_pending", "not_later", "approved_without_time", "rejected_without_time"],
)
def test_the_database_refuses_an_impossible_extension_request(
    measure_in, request_for, fields, message
):
    measure = measure_in(Status.IN_PROGRESS)
    request_for(measure).save()
    # The first pending request is gone for the other cases, so only the named constraint bites.
    if fields:
        ExtensionRequest.objects.all().delete()

    assert_refused_by_database_and_validation(request_for(measure, **fields), message)
    assert ExtensionRequest.objects.count() == (0 if fields else 1)


def test_a_pending_request_has_no_decision_time(measure_in, request_for):
    pending = request_for(measure_in(Status.IN_PROGRESS), decided_at=timezone.now())

    assert_refused_by_database_and_validation(
        pending, "Only a decided request has a decision time."
    )


def test_decided_requests_may_pile_up_beside_one_pending(measure_in, request_for, world):
    measure = measure_in(Status.IN_PROGRESS)
    for status in (ExtensionRequest.Status.REJECTED, ExtensionRequest.Status.REJECTED, "pending"):
        row = request_for(
            measure,
            status=status,
            decided_at=None if status == "pending" else timezone.now(),
            decided_by=None if status == "pending" else world.users.city_staff,
        )
        row.validate_constraints()
        row.save()

    assert measure.extension_requests.count() == 3


def test_the_database_refuses_progress_above_100_percent(measure_in, world):
    report = ProgressReport(
        measure=measure_in(Status.NOT_STARTED),
        content="超额完成",
        percent_complete=101,
        reported_by=world.users.housing_officer,
    )

    assert_refused_by_database_and_validation(report, "Percent complete is between 0 and 100.")
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"conducted_on": datetime.date(2026, 10, 8), "outcome": ""},
        {"conducted_on": None, "outcome": FollowUp.Outcome.CONSOLIDATED},
    ],
    ids=["conducted_without_outcome", "outcome_before_conducted"],
)
def test_the_database_refuses_a_follow_up_outcome_without_its_visit(letter, world, fields):
    follow_up = FollowUp(
        recommendation=letter,
        scheduled_on=datetime.date(2026, 10, 1),
        created_by=world.users.city_staff,
        **fields,
    )

    assert_refused_by_database_and_validation(
        follow_up, "A conducted follow-up needs its outcome, and only then."
    )
    assert not FollowUp.objects.exists()


# Overdue is derived (docs/architecture.md): from the current or original due date, against
# Shanghai's today.


@pytest.fixture
def ledger(measure_in):
    """Four measures all first due on 30 June, in the situations that matter for lateness."""
    plain = measure_in(Status.IN_PROGRESS)
    standing = measure_in(Status.NOT_STARTED, is_standing=True)
    signed_off = measure_in(Status.SIGNED_OFF)
    extended = measure_in(Status.IN_PROGRESS)
    Measure.objects.filter(pk=extended.pk).update(due_on=datetime.date(2026, 7, 31))
    extended.refresh_from_db()
    return {"plain": plain, "standing": standing, "signed_off": signed_off, "extended": extended}


@pytest.mark.parametrize(
    ("today", "against_original", "late", "days"),
    [
        (DUE_ON, False, set(), {}),
        (datetime.date(2026, 7, 3), False, {"plain"}, {"plain": 3}),
        (datetime.date(2026, 7, 3), True, {"plain", "extended"}, {"plain": 3, "extended": 3}),
        (datetime.date(2026, 8, 2), False, {"plain", "extended"}, {"plain": 33, "extended": 2}),
    ],
    ids=["due_today", "past_due", "against_original", "past_extension"],
)
def test_a_measure_is_overdue_only_past_due_and_never_when_standing_or_signed_off(
    ledger, today, against_original, late, days
):
    overdue = Measure.objects.overdue(today=today, against_original=against_original)

    assert set(overdue) == {ledger[name] for name in late}
    for name, measure in ledger.items():
        assert measure.days_overdue(today=today, against_original=against_original) == days.get(
            name, 0
        )


@pytest.mark.parametrize(
    ("utc_time", "overdue"),
    [
        (datetime.datetime(2026, 7, 1, 15, 59, tzinfo=datetime.UTC), False),  # 23:59 in Shanghai
        (datetime.datetime(2026, 7, 1, 16, 1, tzinfo=datetime.UTC), True),  # 00:01 on 2 July
    ],
    ids=["before_shanghai_midnight", "after_shanghai_midnight"],
)
def test_today_is_the_date_in_shanghai_whatever_the_utc_date(measure_in, utc_time, overdue):
    measure = measure_in(Status.IN_PROGRESS, due_on=datetime.date(2026, 7, 1))

    with time_machine.travel(utc_time, tick=False):
        assert timezone.now().date() == datetime.date(2026, 7, 1)  # still 1 July in UTC
        assert (measure in Measure.objects.overdue()) is overdue
        assert measure.is_overdue is overdue
        assert measure.days_overdue() == (1 if overdue else 0)
