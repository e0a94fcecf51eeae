"""The problems counted by their case's unit, their own unit, category and stage
(``cases.ProblemTally``): kept by the database's triggers through every write path of problems
and cases, equal to a recount after a random series of them, read by 成效统计, and checked every
night.
"""

import random

import pytest
from django.db import connection, transaction
from django.db.models import F, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Problem, ProblemTally, ProcessStage
from cases.tally import PROBLEMS
from notifications.models import Notification
from reforms import tasks
from tests import factories


def assert_no_drift(after=()):
    assert PROBLEMS.drift() == [], after


class Operations:
    """Each write path of a problem or a case, applied to a random one it suits."""

    def __init__(self, world, rng: random.Random):
        self.world, self.rng = world, rng
        self.staff = world.users.city_staff
        self.units = [world.units.housing, world.units.station, world.units.health]
        self.stages = list(ProcessStage.objects.order_by("pk")[:3])

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def a_case(self):
        return self.pick(Case.objects.all()) or self.open_a_case()

    def fields(self, unit=None) -> dict:
        return {
            "unit": unit or self.rng.choice(self.units),
            "category": self.rng.choice(Problem.Category.values),
            "process_stage": self.rng.choice(self.stages),
        }

    def a_problem_in_its_case_unit(self):
        """One the service accepts: a problem sits in its case's unit (or under it)."""
        return self.pick(Problem.objects.filter(unit=F("case__case_unit")))

    def open_a_case(self):
        the_case = factories.case(
            case_unit=self.rng.choice(self.units),
            commission=self.world.units.city,
            created_by=self.staff,
        )
        for _ in range(self.rng.randint(0, 3)):
            factories.problem(the_case, **self.fields())
        return the_case

    def add_a_problem(self):
        the_case = self.a_case()
        services.problem_add(
            case=the_case,
            actor=self.staff,
            description="制度缺失",
            **self.fields(the_case.case_unit),
        )

    def correct_a_problem(self):
        problem = self.a_problem_in_its_case_unit()
        if problem:
            fields = self.fields(problem.case.case_unit)
            services.problem_update(problem=problem, actor=self.staff, **fields)

    def reword_a_problem(self):
        """A change of none of the key's columns moves nothing."""
        problem = self.a_problem_in_its_case_unit()
        if problem:
            services.problem_update(problem=problem, actor=self.staff, description="改写的描述")

    def add_problems_in_bulk(self):
        the_case = self.a_case()
        Problem.objects.bulk_create(
            Problem(case=the_case, description="批量写入的问题", **self.fields())
            for _ in range(self.rng.randint(2, 5))
        )

    def recategorise_in_bulk(self):
        Problem.objects.filter(pk__in=[p.pk for p in Problem.objects.order_by("pk")[::2]]).update(
            category=self.rng.choice(Problem.Category.values),
            process_stage=self.rng.choice(self.stages),
        )

    def move_a_problem_to_another_case(self):
        problem, other = self.pick(Problem.objects.all()), self.a_case()
        if problem:
            Problem.objects.filter(pk=problem.pk).update(case=other)

    def move_a_case_in_the_service(self):
        the_case = self.a_case()
        other = self.rng.choice([unit for unit in self.units if unit != the_case.case_unit])
        services.case_update(case=the_case, actor=self.staff, case_unit=other)

    def move_cases_in_bulk(self):
        Case.objects.filter(pk__in=[c.pk for c in Case.objects.order_by("pk")[::2]]).update(
            case_unit=self.rng.choice(self.units)
        )

    def delete_a_problem(self):
        problem = self.pick(Problem.objects.all())
        if problem:
            problem.delete()

    def delete_a_case(self):
        """Django deletes the case's problems first, then the case."""
        self.a_case().delete()

    def delete_a_case_before_its_problems(self):
        """Raw SQL in that order (the foreign key is checked at commit): the case's trigger
        takes its problems away, and theirs then find no case."""
        the_case = self.a_case()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_case WHERE id = %s", [the_case.pk])
            cursor.execute("DELETE FROM cases_problem WHERE case_id = %s", [the_case.pk])

    def all(self):
        return [
            self.open_a_case,
            self.add_a_problem,
            self.add_a_problem,
            self.correct_a_problem,
            self.reword_a_problem,
            self.add_problems_in_bulk,
            self.recategorise_in_bulk,
            self.move_a_problem_to_another_case,
            self.move_a_case_in_the_service,
            self.move_cases_in_bulk,
            self.delete_a_problem,
            self.delete_a_case,
            self.delete_a_case_before_its_problems,
        ]


@pytest.fixture
def operations(world):
    return Operations(world, random.Random(0))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tally_equals_a_recount_after_random_writes_by_every_path(world, seed):
    operations = Operations(world, random.Random(seed))
    # Every path three times, in a random order, the tally checked after each write.
    steps = list(enumerate(operations.all())) * 3
    operations.rng.shuffle(steps)
    for done, (_number, step) in enumerate(steps):
        with transaction.atomic():
            step()
        assert_no_drift(after=[number for number, _step in steps[: done + 1]])

    operations.open_a_case()
    operations.add_problems_in_bulk()
    assert_no_drift()
    assert PROBLEMS.kept()
    # Each reader's sum is the number of problems it may see: none for a unit officer.
    for user in (
        world.users.supervisor,
        world.users.county_staff,
        world.users.housing_officer,
        world.users.system_admin,
    ):
        kept = ProblemTally.objects.restrict(user).aggregate(n=Sum("n"))["n"] or 0
        assert kept == Problem.objects.restrict(user).count(), user


def test_a_rolled_back_write_leaves_the_tally_as_it_was(operations):
    operations.open_a_case()
    operations.add_problems_in_bulk()
    before = PROBLEMS.kept()
    with pytest.raises(RuntimeError), transaction.atomic():
        operations.add_problems_in_bulk()
        operations.move_cases_in_bulk()
        raise RuntimeError("broken off")
    assert PROBLEMS.kept() == before
    assert_no_drift()


def test_statistics_read_the_problems_from_the_tally_and_equal_their_lists(world, operations):
    for _ in range(4):
        operations.open_a_case()
        operations.add_problems_in_bulk()
    supervisor = world.users.supervisor
    client = APIClient()
    client.force_authenticate(supervisor)
    housing = world.units.housing
    today = timezone.localdate().isoformat()
    scopes = {
        # A scope of units is read from the tally; a period from the problems (it keeps no dates).
        "": True,
        f"unit={housing.pk}": True,
        "sector=construction": True,
        f"sector=healthcare&unit={housing.pk}": True,
        f"period_after={today}&period_before={today}": False,
    }
    for query, from_the_tally in scopes.items():
        with CaptureQueriesContext(connection) as queries:
            figures = client.get(f"/api/v1/statistics/?{query}").json()["problems"]
        read = " ".join(query["sql"] for query in queries.captured_queries)
        assert ("cases_problemtally" in read) is from_the_tally, query
        # Each figure is the count of the list it links to.
        for figure in [figures, *figures["by_category"], *figures["by_stage"]]:
            listed = client.get(figure["url"]).json()["count"]
            assert figure.get("total", figure.get("count")) == listed, (query, figure)
    assert figures["total"] == Problem.objects.count() > 0


def test_the_nightly_job_reports_drift_to_the_system_administrators_and_mends_it(world, operations):
    operations.open_a_case()
    operations.add_problems_in_bulk()
    ProblemTally.objects.update(n=F("n") + 2)  # as a broken trigger would

    result = tasks.roll_tally()

    assert result["problem_drift"] >= 1
    told = Notification.objects.get(dedupe_key=f"problem-tally-drift:{result['as_of']}")
    assert told.recipient == world.users.system_admin
    assert_no_drift()


def test_the_nightly_job_is_silent_when_the_tally_is_right(world, operations):
    operations.add_problems_in_bulk()
    assert tasks.roll_tally()["problem_drift"] == 0
    assert not Notification.objects.filter(dedupe_key__startswith="problem-tally-drift:").exists()
