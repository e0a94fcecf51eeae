"""Bulk create: a case's whole problem list in one call, all rows or none, each refusal named by
its row."""

import pytest
from django.test import override_settings

from cases.models import Problem, ProcessStage

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

    assert answer.status_code == 400
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
