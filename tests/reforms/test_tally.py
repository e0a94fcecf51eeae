"""The measure tally (``reforms/tally.py``): kept by the database's triggers through every write
path, equal to a recount after a random series of them, rolled to each new day, and drift told.

Today is Monday 15 June 2026 (Beijing); the tally is counted for it before any measure exists,
so every number below was written by the triggers.
"""

import datetime
import random
from collections import Counter

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import F
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import OrgUnit
from core.domain import SHANGHAI
from notifications.models import Notification
from reforms import services, tally, tasks
from reforms.filters import AGING_BUCKETS, MeasureFilter
from reforms.models import (
    ExtensionRequest,
    Measure,
    MeasureTally,
    TallyBasis,
    UnitTally,
    WorkGroup,
)
from tests import factories
from tests.test_excel import PLAN_HEADINGS, plan_row, xlsx

D = datetime.date
TODAY = D(2026, 6, 15)
LATER = D(2026, 7, 31)
Band = MeasureTally.Band
Status = Measure.Status


@pytest.fixture(autouse=True)
def today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=SHANGHAI)):
        yield TODAY


@pytest.fixture
def counted(db, today):
    tally.roll(today)


@pytest.fixture
def letters(world, counted):
    """An issued letter of three items to the housing bureau and one to its quality station."""
    staff = world.users.city_staff

    def letter_to(unit):
        the_case = factories.case(case_unit=unit, commission=world.units.city, created_by=staff)
        return factories.issued_recommendation(
            staff=staff, the_case=the_case, items=3, issued_on=D(2026, 5, 4)
        )

    return [letter_to(world.units.housing), letter_to(world.units.station)]


def assert_no_drift(as_of=TODAY, after=()):
    assert tally.drift(tally.recount(as_of), tally.kept()) == [], after
    assert tally.unit_drift() == [], after


def plan(letter, officer, **fields):
    return factories.measure(recommendation=letter, actor=officer, **{"due_on": LATER, **fields})


# --- Every write path -----------------------------------------------------------------------------


class Operations:
    """Each write path of a measure, applied to a random measure it suits."""

    def __init__(self, world, letters, rng: random.Random):
        self.world, self.letters, self.rng = world, letters, rng
        self.staff = world.users.city_staff
        self.officers = {world.units.housing.pk: world.users.housing_officer}
        station_officer = factories.user("unit_officer", world.units.station, "station_officer")
        self.officers[world.units.station.pk] = station_officer

    def pick(self, *statuses):
        candidates = list(Measure.objects.filter(status__in=statuses).order_by("pk"))
        return self.rng.choice(candidates) if candidates else None

    def letter(self):
        return self.rng.choice(self.letters)

    def officer_of(self, letter_or_measure):
        unit = getattr(letter_or_measure, "recipient_unit_id", None)
        return self.officers[unit or letter_or_measure.unit_id]

    def a_due_date(self):
        return TODAY + datetime.timedelta(days=self.rng.randint(0, 60))

    # Planning: the service, the bulk API, an Excel plan, the ORM's bulk_create.
    def plan_by_service(self):
        letter = self.letter()
        plan(
            letter,
            self.officer_of(letter),
            due_on=self.a_due_date(),
            is_standing=self.rng.random() < 0.2,
        )

    def plan_by_bulk_api(self):
        letter = self.letter()
        client = APIClient()
        client.force_authenticate(self.officer_of(letter))
        rows = [
            {
                "item": item.pk,
                "content": f"措施{n}",
                "standard": "印发",
                "department": "办公室",
                "owner_name": "李明",
                "leader_name": "王局长",
                "due_on": self.a_due_date().isoformat(),
            }
            for n, item in enumerate(letter.items.all())
        ]
        answer = client.post("/api/v1/measures/bulk/", rows, format="json")
        assert answer.status_code == 201, answer.json()

    def plan_by_spreadsheet(self, client):
        letter = self.letter()
        due = [self.a_due_date().isoformat() for _ in range(2)]
        upload = xlsx(PLAN_HEADINGS, [plan_row(1, due=due[0]), plan_row(2, due=due[1])])
        client.force_login(self.officer_of(letter))
        answer = client.post(reverse("documents:plan_import", args=[letter.pk]), {"file": upload})
        assert answer.status_code == 302

    def plan_by_bulk_create(self):
        letter = self.letter()
        item = letter.items.first()
        due = self.a_due_date()
        Measure.objects.bulk_create(
            Measure(
                item=item,
                unit_id=letter.recipient_unit_id,
                content="批量写入的措施",
                standard="印发",
                department="办公室",
                owner_name="李明",
                leader_name="王局长",
                original_due_on=due,
                due_on=due,
                created_by=self.staff,
            )
            for _ in range(3)
        )

    # The transitions, by the services.
    def ask_for_sign_off(self):
        measure = self.pick(Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)
        if measure:
            officer = self.officer_of(measure)
            services.progress_report_add(
                measure=measure, actor=officer, content="已完成", percent_complete=100
            )
            services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())
            services.measure_request_signoff(measure=measure, actor=officer)

    def sign_off(self):
        if measure := self.pick(Status.AWAITING_SIGNOFF):
            services.measure_sign_off(measure=measure, actor=self.staff, note="经核查，整改到位")

    def send_back(self):
        if measure := self.pick(Status.AWAITING_SIGNOFF):
            services.measure_return(
                measure=measure, actor=self.staff, reason_code="paper_rectification"
            )

    def reopen(self):
        if measure := self.pick(Status.SIGNED_OFF):
            due_on = max(measure.original_due_on, TODAY) + datetime.timedelta(days=30)
            services.measure_reopen(
                measure=measure, actor=self.staff, due_on=due_on, reason="整改反弹"
            )

    # An extension, approved in the back office.
    def extend_in_the_back_office(self, client):
        measure = self.pick(Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)
        if measure is None or measure.is_standing:
            return
        request = services.extension_request_submit(
            measure=measure,
            actor=self.officer_of(measure),
            requested_due_on=measure.due_on + datetime.timedelta(days=self.rng.randint(1, 40)),
            reason="工程工期顺延",
        )
        client.force_login(self.staff)
        answer = client.post(
            reverse("admin:reforms_extensionrequest_changelist"),
            {"action": "extension_request_approve", "_selected_action": [request.pk]},
        )
        assert answer.status_code == 302
        assert ExtensionRequest.objects.get(pk=request.pk).status == "approved"

    # Data fixes by the ORM: due dates moved back (overdue now), a unit changed, a deletion.
    def move_due_dates_back(self):
        days = datetime.timedelta(days=self.rng.choice([1, 7, 8, 30, 31, 90, 91, 200]))
        chosen = [m.pk for m in Measure.objects.order_by("?")[:3]]
        Measure.objects.filter(pk__in=chosen).update(
            original_due_on=F("original_due_on") - days, due_on=F("due_on") - days
        )

    def move_to_the_other_unit(self):
        if measure := self.pick(*Status.values):
            other = next(unit for unit in self.officers if unit != measure.unit_id)
            Measure.objects.filter(pk=measure.pk).update(unit_id=other)

    def delete(self):
        if measure := self.pick(Status.NOT_STARTED):
            measure.delete()

    def all(self, client):
        return [
            self.plan_by_service,
            self.plan_by_bulk_api,
            lambda: self.plan_by_spreadsheet(client),
            self.plan_by_bulk_create,
            self.ask_for_sign_off,
            self.ask_for_sign_off,
            self.sign_off,
            self.send_back,
            self.reopen,
            lambda: self.extend_in_the_back_office(client),
            self.move_due_dates_back,
            self.move_to_the_other_unit,
            self.delete,
        ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tally_equals_a_recount_after_random_writes_by_every_path(world, letters, client, seed):
    operations = Operations(world, letters, random.Random(seed))
    # Every path three times, in a random order, the tally checked after each write.
    steps = list(enumerate(operations.all(client))) * 3
    operations.rng.shuffle(steps)
    for done, (_number, step) in enumerate(steps):
        step()
        assert_no_drift(after=[number for number, _step in steps[: done + 1]])

    assert Measure.objects.count() >= 20
    assert len(set(Measure.objects.values_list("status", flat=True))) >= 3
    # The readers' numbers: the same from the tally as from the measures.
    supervisor = world.users.supervisor
    from_tally = tally.source(supervisor, TODAY)
    assert isinstance(from_tally.queryset.model(), MeasureTally)
    counted = tally.counted(Measure.objects.restrict(supervisor), TODAY)
    by_status = sorted(from_tally.rows("status"), key=lambda row: row["status"])
    assert by_status == sorted(counted.rows("status"), key=lambda row: row["status"])
    by_unit = sorted(from_tally.rows("unit"), key=lambda row: row["unit"])
    assert by_unit == sorted(counted.rows("unit"), key=lambda row: row["unit"])
    # The statistics' reading: the unit tally's sums, and the measures' count by status.
    assert from_tally.units is not None and counted.units is None
    assert from_tally.by_status() == counted.by_status()
    assert sum(counted.by_status()[1].values()) == Measure.objects.count()
    assert sorted(from_tally.unit_rows(), key=lambda row: row["unit"]) == by_unit
    # With the unit's columns: read with the unit tally, or beside the measures' count.
    named = sorted(from_tally.unit_rows("name", "path"), key=lambda row: row["unit"])
    assert named == sorted(counted.unit_rows("name", "path"), key=lambda row: row["unit"])
    assert [row["path"] for row in named] == [
        OrgUnit.objects.get(pk=row["unit"]).path for row in by_unit
    ]


def test_a_rolled_back_write_leaves_the_tally_as_it_was(world, letters):
    plan(letters[0], world.users.housing_officer)
    before = tally.kept()
    with pytest.raises(RuntimeError), transaction.atomic():
        plan(letters[0], world.users.housing_officer)
        Measure.objects.update(due_on=F("due_on") + datetime.timedelta(days=1))
        raise RuntimeError("broken off")
    assert tally.kept() == before
    assert_no_drift()


# --- Bands --------------------------------------------------------------------------------------


def test_each_due_date_falls_in_its_band(world, letters, settings):
    officer = world.users.housing_officer
    window = settings.WARNING_WINDOW_DAYS
    bands = {
        -200: Band.OVER_90,
        -91: Band.OVER_90,
        -90: Band.OVER_30,
        -31: Band.OVER_30,
        -30: Band.OVER_7,
        -8: Band.OVER_7,
        -7: Band.OVERDUE,
        -1: Band.OVERDUE,
        0: Band.DUE_TODAY,
        1: Band.DUE_SOON,
        window: Band.DUE_SOON,
        window + 1: Band.LATER,
    }
    for days in bands:
        measure = plan(letters[0], officer, content=f"到期{days}")
        due = TODAY + datetime.timedelta(days=days)
        Measure.objects.filter(pk=measure.pk).update(original_due_on=due, due_on=due)
    plan(letters[0], officer, is_standing=True)

    held = {band: n for (_unit, _status, band), n in tally.kept().items()}
    assert held == Counter(bands.values()) | {Band.STANDING: 1}
    assert_no_drift()


def test_the_overdue_bands_are_the_lists_aging_buckets():
    assert set(tally.AGING_BANDS) == set(AGING_BUCKETS)


# --- The day's roll -------------------------------------------------------------------------------


def test_the_roll_moves_the_bands_to_the_new_day(world, letters):
    plan(letters[0], world.users.housing_officer, due_on=TODAY)
    assert tally.is_current(TODAY)
    assert tally.kept() == {(world.units.housing.pk, Status.NOT_STARTED, Band.DUE_TODAY): 1}

    tomorrow = TODAY + datetime.timedelta(days=1)
    assert not tally.is_current(tomorrow)
    result = tally.roll(tomorrow)

    assert (result.previous, result.as_of, result.drift) == (TODAY, tomorrow, [])
    assert tally.is_current(tomorrow) and not tally.is_current(TODAY)
    assert tally.kept() == {(world.units.housing.pk, Status.NOT_STARTED, Band.OVERDUE): 1}


def test_a_changed_warning_window_makes_the_tally_stale(world, counted, settings):
    settings.WARNING_WINDOW_DAYS += 1
    assert not tally.is_current(TODAY)
    tally.roll(TODAY)
    assert tally.is_current(TODAY)


def test_the_nightly_job_reports_drift_to_the_system_administrators_and_mends_it(world, letters):
    plan(letters[0], world.users.housing_officer)
    MeasureTally.objects.filter(n__gt=0).update(n=F("n") + 2)  # as a broken trigger would

    with time_machine.travel(datetime.datetime(2026, 6, 16, 0, 1, tzinfo=SHANGHAI)):
        result = tasks.roll_tally()

    assert result == {
        "as_of": "2026-06-16",
        "rows": 1,
        "drift": 1,
        "item_drift": 0,
        "problem_drift": 0,
    }
    told = Notification.objects.get(dedupe_key="tally-drift:2026-06-16")
    assert told.recipient == world.users.system_admin
    assert "2026-06-15" in told.body
    assert_no_drift(D(2026, 6, 16))


def test_the_nightly_job_is_silent_when_the_tally_is_right(world, letters):
    plan(letters[0], world.users.housing_officer)
    assert tasks.roll_tally()["drift"] == 0
    assert not Notification.objects.filter(dedupe_key__startswith="tally-drift:").exists()


def test_with_no_basis_the_triggers_write_nothing_and_readers_count_the_measures(world, db):
    TallyBasis.objects.all().delete()
    MeasureTally.objects.all().delete()
    letter = factories.issued_recommendation(
        staff=world.users.city_staff,
        the_case=factories.case(
            case_unit=world.units.housing,
            commission=world.units.city,
            created_by=world.users.city_staff,
        ),
    )
    plan(letter, world.users.housing_officer)

    assert not MeasureTally.objects.exists()
    assert not tally.is_current(TODAY)
    numbers = tally.source(world.users.supervisor, TODAY)
    assert numbers.queryset.model is Measure
    assert [row["open"] for row in numbers.rows("unit")] == [1]


def test_the_numbers_of_each_unit_are_one_query_of_the_unit_tally_whatever_the_measures(
    world, letters
):
    def read():
        with CaptureQueriesContext(connection) as queries:
            rows = tally.source(world.users.supervisor, TODAY).unit_rows()
        return rows, [query["sql"] for query in queries]

    plan(letters[0], world.users.housing_officer)
    read()  # the supervisor's jurisdiction, read once and kept
    _rows, few = read()
    for _ in range(10):
        plan(letters[0], world.users.housing_officer)
    rows, many = read()

    assert len(many) == len(few)
    assert "reforms_unittally" in many[-1]
    assert "reforms_measuretally" not in many[-1] and '"reforms_measure"' not in many[-1]
    assert [row["open"] for row in rows] == [11]


def test_a_unit_whose_measures_are_all_gone_is_not_among_the_units_numbers(world, letters):
    gone = plan(letters[0], world.users.housing_officer)
    plan(letters[1], world.users.housing_officer)
    Measure.objects.filter(pk=gone.pk).delete()

    assert UnitTally.objects.filter(unit=world.units.housing).exists()  # a row of zeros
    rows = tally.source(world.users.supervisor, TODAY).unit_rows()
    assert [(row["unit"], row["total"]) for row in rows] == [(world.units.station.pk, 1)]


def test_the_roll_reports_and_mends_a_drifted_unit_tally(world, letters):
    plan(letters[0], world.users.housing_officer)
    UnitTally.objects.update(open_later=F("open_later") + 3)  # as a broken trigger would

    result = tally.roll(TODAY)

    assert result.drift == [
        {"unit": world.units.housing.pk, "column": "open_later", "kept": 4, "counted": 1}
    ]
    assert_no_drift()


def test_a_unit_deleted_with_its_tally_rows_leaves_no_unit_tally_row(world, letters):
    """The cascade may delete the unit's row before its tally rows: their subtraction must not
    write it back (on PostgreSQL the foreign key, checked at commit, would fail)."""
    unit = factories.org_child(world.units.housing, "临时工作专班")
    measure = plan(letters[0], world.users.housing_officer)
    Measure.objects.filter(pk=measure.pk).update(unit=unit)
    Measure.objects.filter(pk=measure.pk).delete()
    assert MeasureTally.objects.filter(unit=unit).exists()

    unit.delete()

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not UnitTally.objects.filter(unit_id=unit.pk).exists()
    assert_no_drift()


def test_a_measure_deleted_after_its_tally_row_writes_no_row_on_sqlite(world, letters):
    """Django's flush (tests) empties the tables in no set order: on SQLite a measure deleted after
    the tally was emptied must not write a row for a unit about to go too. PostgreSQL's flush is
    a TRUNCATE, which fires no trigger; there the subtraction shows as a drift."""
    measure = plan(letters[0], world.users.housing_officer)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reforms_measuretally")
    Measure.objects.filter(pk=measure.pk).delete()

    if connection.vendor == "sqlite":
        assert not MeasureTally.objects.exists()
    else:
        assert tally.kept() == {(world.units.housing.pk, Status.NOT_STARTED, Band.LATER): -1}
        assert len(tally.drift(tally.recount(TODAY), tally.kept())) == 1


def test_a_measure_deleted_after_its_units_row_writes_no_unit_row_back(world, letters):
    """The measure's deletion updates its tally row; that update changes the unit's row only if it
    exists. Before, it was written back, and the unit's deletion then failed at commit on the
    foreign key (SQLite's flush between tests met it, emptying the unit tally first)."""
    measure = plan(letters[0], world.users.housing_officer)
    UnitTally.objects.filter(unit=world.units.housing).delete()

    Measure.objects.filter(pk=measure.pk).delete()

    assert not UnitTally.objects.filter(unit=world.units.housing).exists()
    assert MeasureTally.objects.get(unit=world.units.housing).n == 0


def test_a_tally_row_moved_to_another_unit_moves_its_count(world, letters):
    plan(letters[0], world.users.housing_officer)
    unit = factories.org_child(world.units.housing, "临时工作专班")
    assert not UnitTally.objects.filter(unit=unit).exists()

    MeasureTally.objects.filter(unit=world.units.housing).update(unit=unit)

    assert UnitTally.objects.get(unit=unit).open_later == 1
    assert UnitTally.objects.get(unit=world.units.housing).open_later == 0


# --- The lists' count -----------------------------------------------------------------------------


@pytest.fixture
def every_band(world, letters, settings):
    """Measures of the housing bureau and its station in every band, open, returned and signed
    off."""
    officer = world.users.housing_officer
    window = settings.WARNING_WINDOW_DAYS
    for letter in letters:
        for days in (-200, -91, -90, -31, -30, -8, -7, -1, 0, 1, window, window + 1, 90):
            measure = plan(letter, officer, content=f"到期{days}")
            due = TODAY + datetime.timedelta(days=days)
            Measure.objects.filter(pk=measure.pk).update(original_due_on=due, due_on=due)
        plan(letter, officer, is_standing=True)
    ids = list(Measure.objects.order_by("pk").values_list("pk", flat=True))
    Measure.objects.filter(pk__in=ids[::3]).update(status=Status.SIGNED_OFF, signed_off_on=TODAY)
    Measure.objects.filter(pk__in=ids[1::3]).update(status=Status.RETURNED)
    assert_no_drift()


def list_count(client, params: dict) -> tuple[int, list[str]]:
    """The measure list's count with ``params``, and the SQL of the page's count."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reforms:measure_list"), params)
    assert response.status_code == 200
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    counting += [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    return response.context["page_obj"].paginator.count, counting


def counted_from_the_measures(user, params: dict) -> int:
    request = RequestFactory().get("/", params)
    request.user = user
    measures = MeasureFilter(params, queryset=Measure.objects.restrict(user), request=request).qs
    return measures.all().count()  # .all(): a copy, without the kept count


HELD_FILTERS = [
    {},
    {"status": Status.SIGNED_OFF},
    {"status": Status.RETURNED},
    {"is_open": "true"},
    {"is_open": "false"},
    {"signal": "red"},
    {"signal": "yellow"},
    {"signal": "green"},
    {"signal": "blue"},
    {"overdue": "current"},
    *({"aging": key} for key in AGING_BUCKETS),
    {"is_standing": "true"},
    {"is_standing": "false"},
    *({"group": group} for group in WorkGroup),
    {"sector": "construction", "signal": "green", "ordering": "-due_on"},
    {"unit": "station", "overdue": "current", "is_open": "true"},
    {"unit": "housing", "status": Status.RETURNED, "page": "2"},
]


@pytest.mark.parametrize("params", HELD_FILTERS, ids=lambda params: repr(params))
def test_the_list_counts_from_the_tally_what_its_rows_are(world, every_band, client, params):
    supervisor = world.users.supervisor
    client.force_login(supervisor)
    if "unit" in params:
        params = {**params, "unit": getattr(world.units, params["unit"]).pk}

    count, counting = list_count(client, params)

    assert count == counted_from_the_measures(supervisor, params)
    # Summed from the tally: no count of the measures.
    assert not [sql for sql in counting if 'FROM "reforms_measure"' in sql], counting
    assert [sql for sql in counting if "reforms_measuretally" in sql], counting


@pytest.mark.parametrize(
    "params", [{"q": "到期-9"}, {"overdue": "original"}, {"due_before": "2026-06-01"}]
)
def test_a_filter_the_tally_does_not_hold_counts_the_rows(world, every_band, client, params):
    supervisor = world.users.supervisor
    client.force_login(supervisor)

    count, counting = list_count(client, params)

    assert count == counted_from_the_measures(supervisor, params)
    assert [sql for sql in counting if 'FROM "reforms_measure"' in sql], counting


def test_a_list_narrower_than_the_scope_counts_its_rows(world, every_band, rf):
    officer = world.users.housing_officer
    request = rf.get("/")
    request.user = officer
    narrowed = Measure.objects.restrict(officer).filter(unit=world.units.station)
    rows = MeasureFilter({}, queryset=narrowed, request=request).qs
    whole = MeasureFilter({}, queryset=Measure.objects.restrict(officer), request=request).qs

    assert rows.count() == narrowed.count() < whole.count()
    assert whole.count() == Measure.objects.restrict(officer).count()


def test_a_stale_tally_leaves_the_count_to_the_rows(world, every_band, client, settings):
    settings.WARNING_WINDOW_DAYS += 1
    client.force_login(world.users.supervisor)

    count, counting = list_count(client, {"signal": "yellow"})

    assert count == counted_from_the_measures(world.users.supervisor, {"signal": "yellow"})
    assert [sql for sql in counting if 'FROM "reforms_measure"' in sql], counting


@pytest.mark.parametrize("colour", ["red", "yellow", "green", "blue"])
def test_each_colours_list_holds_the_measures_of_that_colour(world, every_band, colour):
    supervisor = world.users.supervisor
    measures = Measure.objects.restrict(supervisor)
    request = RequestFactory().get("/", {"signal": colour})
    request.user = supervisor
    listed = MeasureFilter({"signal": colour}, queryset=measures, request=request).qs

    assert set(listed) == {m for m in measures if m.signal(today=TODAY) == colour}
    assert listed.exists()


def test_the_work_groups_share_out_the_open_measures(world, every_band):
    """Each open measure is in one of the officer's groups: returned first, then by colour."""
    measures = Measure.objects.restrict(world.users.supervisor)
    groups = {group: set(measures.in_work_group(group, today=TODAY)) for group in WorkGroup}

    assert sum(map(len, groups.values())) == measures.open().count()
    assert set().union(*groups.values()) == set(measures.open())
    assert {m.status for m in groups[WorkGroup.RETURNED]} == {Status.RETURNED}
    others = {group: measures for group, measures in groups.items() if group != "returned"}
    assert all(m.status != Status.RETURNED for group in others.values() for m in group)
    colours = {WorkGroup.OVERDUE: {"red"}, WorkGroup.DUE_SOON: {"yellow"}}
    colours[WorkGroup.LATER] = {"green", "blue"}
    for group, allowed in colours.items():
        assert groups[group], group
        assert {m.signal(today=TODAY) for m in groups[group]} <= allowed, group
