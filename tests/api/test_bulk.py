"""Bulk create: a case's whole problem list in one call, all rows or none, each refusal named by
its row."""

import math

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from audit.models import AuditEntry
from cases.models import Problem, ProcessStage
from reforms.models import Measure, RuleChange
from tests import factories

pytestmark = pytest.mark.django_db


def problem_row(case, unit, description: str) -> dict:
    return {
        "case": case.pk,
        "unit": unit.pk,
        "category": Problem.Category.RISK_POINT,
        "process_stage": ProcessStage.objects.get(name="招投标").pk,
        "description": description,
    }


def test_staff_send_a_problem_list_at_once(world, housing_case, api_as):
    rows = [problem_row(housing_case, world.units.housing, f"问题{n}") for n in range(1, 31)]

    answer = api_as("staff").post("/api/v1/problems/bulk/", rows, format="json")

    assert answer.status_code == 201, answer.json()
    assert [row["description"] for row in answer.json()] == [f"问题{n}" for n in range(1, 31)]
    assert Problem.objects.filter(case=housing_case).count() == 30


def test_an_invalid_row_saves_nothing_and_is_named(world, housing_case, api_as):
    rows = [problem_row(housing_case, world.units.housing, f"问题{n}") for n in range(1, 4)]
    rows[1]["category"] = "no_such_category"

    answer = api_as("staff").post("/api/v1/problems/bulk/", rows, format="json")

    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["2.category"]
    assert not Problem.objects.exists()


def test_a_row_the_service_refuses_rolls_back_the_rows_before_it(world, housing_case, api_as):
    rows = [problem_row(housing_case, world.units.housing, f"问题{n}") for n in range(1, 4)]
    rows[2]["unit"] = world.units.health.pk  # in jurisdiction, but not under the case unit

    answer = api_as("staff").post("/api/v1/problems/bulk/", rows, format="json")

    assert answer.status_code == 422
    body = answer.json()
    assert list(body["errors"]) == ["3.unit"]
    assert body["detail"].startswith("第 3 条")
    assert not Problem.objects.exists()


@override_settings(API_BULK_MAX=2)
def test_a_call_carries_at_most_the_maximum(world, housing_case, api_as):
    rows = [problem_row(housing_case, world.units.housing, f"问题{n}") for n in range(1, 4)]
    answer = api_as("staff").post("/api/v1/problems/bulk/", rows, format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "每次最多提交 2 条记录。"
    assert api_as("staff").post("/api/v1/problems/bulk/", {}, format="json").status_code == 400


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_only_staff_bulk_create(world, housing_case, api_as, role):
    rows = [problem_row(housing_case, world.units.housing, "问题")]
    assert api_as(role).post("/api/v1/problems/bulk/", rows, format="json").status_code == 403
    assert not Problem.objects.exists()


@pytest.fixture
def letter(world, housing_case):
    return factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=2
    )


def measure_row(item, content: str, **fields) -> dict:
    return {
        "item": item.pk,
        "content": content,
        "standard": "印发",
        "owner_name": "李明",
        "leader_name": "王局长",
        "due_on": "2026-08-31",
        **fields,
    }


def test_the_unit_sends_its_plan_at_once_with_owners_as_accounts(world, letter, api_as):
    first, second = letter.items.order_by("number")
    officer = world.users.housing_officer
    rows = [
        measure_row(first, "修订招投标办法", owner=officer.pk, owner_name=""),
        measure_row(second, "建立台账"),
    ]

    answer = api_as("officer").post("/api/v1/measures/bulk/", rows, format="json")

    assert answer.status_code == 201, answer.json()
    made = Measure.objects.order_by("pk")
    assert [m.content for m in made] == ["修订招投标办法", "建立台账"]
    assert (made[0].owner, made[0].owner_name) == (officer, officer.full_name or officer.username)


def test_an_owner_outside_the_unit_is_refused_on_its_row(world, letter, api_as):
    first = letter.items.first()
    rows = [
        measure_row(first, "修订招投标办法"),
        measure_row(first, "建立台账", owner=world.users.city_staff.pk),
    ]

    answer = api_as("staff").post("/api/v1/measures/bulk/", rows, format="json")

    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["2.owner"]
    assert not Measure.objects.exists()


def test_an_owner_below_the_unit_is_refused_for_they_could_not_open_the_measure(
    world, letter, api_as
):
    """Reminders would reach an account of a subunit with a link to a measure it may not see."""
    below = factories.org_child(world.units.housing, "住建局质量监督站")
    officer_below = factories.user(Role.UNIT_OFFICER, below, "quality_officer")
    rows = [measure_row(letter.items.first(), "建立台账", owner=officer_below.pk)]

    answer = api_as("officer").post("/api/v1/measures/bulk/", rows, format="json")

    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["1.owner"]
    assert "无法查看其整改措施" in answer.json()["errors"]["1.owner"][0]
    assert not Measure.objects.exists()


def test_rule_changes_and_activities_come_in_bulk_too(world, letter, api_as):
    client = api_as("officer")
    rules_answer = client.post(
        "/api/v1/rule-changes/bulk/",
        [
            {"recommendation": letter.pk, "kind": "established", "title": f"制度{n}"}
            for n in range(1, 4)
        ],
        format="json",
    )
    assert rules_answer.status_code == 201, rules_answer.json()
    assert RuleChange.objects.filter(recommendation=letter).count() == 3


def checked_with_queries(client, path: str, rows: list) -> tuple:
    """The answer to a bulk call of ``rows`` and the number of queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(path, rows, format="json")
    return answer, len(queries)


def test_the_rows_records_are_read_at_once_not_one_query_a_row(world, letter, api_as):
    """A plan of a thousand rows is checked with the queries of one: each id field's records are
    read together, and an id the user may not see is refused on its row all the same."""
    first, second = letter.items.order_by("number")
    hidden = factories.issued_recommendation(
        staff=world.users.other_staff,
        the_case=factories.case(
            case_unit=world.units.water,
            commission=world.units.other_city,
            created_by=world.users.other_staff,
        ),
        items=1,
    ).items.get()
    officer = world.users.housing_officer

    def plan(count: int) -> list:
        rows = [
            measure_row((first, second)[n % 2], f"措施{n}", owner=officer.pk) for n in range(count)
        ]
        return [*rows[:-1], measure_row(hidden, "看不到的建议项")]

    client = api_as("officer")
    few, few_queries = checked_with_queries(client, "/api/v1/measures/bulk/", plan(3))
    many, many_queries = checked_with_queries(client, "/api/v1/measures/bulk/", plan(300))

    assert few.status_code == many.status_code == 422
    assert list(few.json()["errors"]) == ["3.item"]
    assert list(many.json()["errors"]) == ["300.item"]
    assert few_queries == many_queries
    assert not Measure.objects.exists()


@pytest.mark.parametrize("kind", ["measures", "problems"])
def test_a_lists_rows_go_in_by_one_statement_each_in_the_audit_log(
    kind, world, letter, housing_case, api_as
):
    """A tally's triggers then run once a list, not once a row (``insert_together``); beyond the
    audit log's entry for each row, a list of 300 asks what a list of 3 asks."""
    first, second = letter.items.order_by("number")
    officer = world.users.housing_officer
    model, role = {"measures": (Measure, "officer"), "problems": (Problem, "staff")}[kind]

    def rows(count: int, name: str) -> list:
        if kind == "problems":
            unit = world.units.housing
            return [problem_row(housing_case, unit, f"{name}{n}") for n in range(count)]
        item = (first, second)
        return [measure_row(item[n % 2], f"{name}{n}", owner=officer.pk) for n in range(count)]

    def not_the_audit_logs(queries) -> list[str]:
        audit_log = ("accounts_auditentry", "pg_advisory_xact_lock")
        return [q["sql"] for q in queries if not any(name in q["sql"] for name in audit_log)]

    client = api_as(role)
    path = f"/api/v1/{kind}/bulk/"
    few_rows, many_rows = rows(3, "甲"), rows(300, "乙")
    with CaptureQueriesContext(connection) as few:
        few_answer = client.post(path, few_rows, format="json")
    with CaptureQueriesContext(connection) as many:
        answer = client.post(path, many_rows, format="json")

    assert few_answer.status_code == answer.status_code == 201
    insert = f'INSERT INTO "{model._meta.db_table}"'
    inserts = [sql for sql in not_the_audit_logs(many) if sql.startswith(insert)]
    # One on PostgreSQL; SQLite takes as many rows a statement as its parameter limit allows.
    columns = [field for field in model._meta.concrete_fields if not field.primary_key]
    assert len(inserts) == math.ceil(300 / connection.ops.bulk_batch_size(columns, [None] * 300))
    others = [sql for sql in not_the_audit_logs(many) if not sql.startswith(insert)]
    assert len(others) == len(not_the_audit_logs(few)) - 1
    assert len(answer.json()) == 300
    created = AuditEntry.objects.filter(object_type=model._meta.label_lower, action="create")
    made = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
    assert set(created.values_list("object_id", flat=True)) == made


def test_a_problem_lists_cases_units_and_stages_are_read_at_once(world, housing_case, api_as):
    def problems(count: int) -> list:
        rows = [problem_row(housing_case, world.units.housing, f"问题{n}") for n in range(count)]
        for row in rows[::2]:
            row["process_stage"] = " 招投标 "  # an entry by its name, as the reads give it
        return [*rows[:-1], {**rows[-1], "unit": 0}]  # no such unit

    client = api_as("staff")
    few, few_queries = checked_with_queries(client, "/api/v1/problems/bulk/", problems(3))
    many, many_queries = checked_with_queries(client, "/api/v1/problems/bulk/", problems(300))

    assert few.status_code == many.status_code == 422
    assert list(few.json()["errors"]) == ["3.unit"]
    assert list(many.json()["errors"]) == ["300.unit"]
    assert few_queries == many_queries
