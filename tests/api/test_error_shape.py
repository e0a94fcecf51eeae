"""A refusal that concerns a field names it, in plain Chinese, in the one error shape: a taken
case number or a closing date missing are 400s like any other invalid input."""

import pytest

pytestmark = pytest.mark.django_db


def case_body(world, **fields) -> dict:
    return {
        "number": "长纪立〔2026〕9号",
        "title": "某局工程项目受贿案",
        "commission": world.units.city.pk,
        "case_unit": world.units.housing.pk,
        "sector": "construction",
        "level": "county",
        "amount": "350000.00",
        "opened_on": "2026-02-01",
        "subjects": [{"name": "李某", "position": "副局长", "is_top_leader": False}],
        **fields,
    }


def test_a_taken_case_number_is_a_422_on_the_number(world, housing_case, api_as):
    answer = api_as("staff").post(
        "/api/v1/cases/", case_body(world, number=housing_case.number), format="json"
    )

    assert answer.status_code == 422
    assert answer.json() == {
        "code": "invalid",
        "detail": "已有案件使用该案件编号。",
        "errors": {"number": ["已有案件使用该案件编号。"]},
    }


def test_a_rule_across_fields_is_a_422_with_its_message(world, api_as):
    answer = api_as("staff").post(
        "/api/v1/cases/", case_body(world, status="closed"), format="json"
    )

    assert answer.status_code == 422
    assert answer.json() == {
        "code": "invalid",
        "detail": "已结案的案件须填写结案日期。",
        "errors": {"non_field_errors": ["已结案的案件须填写结案日期。"]},
    }
