"""The shared lists over the API: a client reads the ids and values the writes take, so it never
has to guess them."""

import pytest

from cases.models import Problem, ProcessStage, ViolationType

pytestmark = pytest.mark.django_db


def test_the_lists_give_the_ids_the_writes_take(world, housing_case, api_as):
    client = api_as("staff")
    stages = client.get("/api/v1/process-stages/").json()
    assert [row["name"] for row in stages] == list(
        ProcessStage.objects.order_by("position", "name").values_list("name", flat=True)
    )
    tendering = next(row for row in stages if row["name"] == "招投标")
    categories = client.get("/api/v1/problem-categories/").json()
    assert {row["value"] for row in categories} == set(Problem.Category.values)

    answer = client.post(
        "/api/v1/problems/",
        {
            "case": housing_case.pk,
            "unit": world.units.housing.pk,
            "category": categories[0]["value"],
            "process_stage": tendering["id"],
            "description": "评审专家由局长指定",
        },
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["process_stage"] == "招投标"
    types = client.get("/api/v1/violation-types/").json()
    assert {row["id"] for row in types} == set(ViolationType.objects.values_list("pk", flat=True))


def test_choices_are_labelled_in_chinese(world, api_as):
    sectors = api_as("officer").get("/api/v1/sectors/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert {"value": "education", "label": "教育"} in sectors


@pytest.mark.parametrize("role", ["officer", "security_admin", "audit_admin"])
def test_roles_that_never_write_cases_do_not_read_the_case_lists(world, api_as, role):
    client = api_as(role)
    assert client.get("/api/v1/violation-types/").status_code == 403
    assert client.get("/api/v1/process-stages/").status_code == 403


def test_writes_take_the_names_the_reads_return(world, housing_case, api_as):
    client = api_as("staff")
    problem = client.post(
        "/api/v1/problems/",
        {
            "case": housing_case.pk,
            "unit": world.units.housing.pk,
            "category": "institutional_gap",
            "process_stage": "招投标",
            "description": "评审专家由局长指定",
        },
        format="json",
    )
    assert problem.status_code == 201, problem.json()
    assert Problem.objects.get(pk=problem.json()["id"]).process_stage.name == "招投标"

    read = client.get(f"/api/v1/cases/{housing_case.pk}/").json()
    bribery = ViolationType.objects.order_by("pk").first()
    answer = client.patch(
        f"/api/v1/cases/{housing_case.pk}/",
        {"violation_types": [bribery.name, *read["violation_types"]]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert bribery.name in answer.json()["violation_types"]


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ("没有这个环节", "列表中没有“没有这个环节”。"),
        (99999, "列表中没有“99999”。"),
        (True, "请填写条目的编号（数字）或名称（文字）。"),
        (2**80, f"列表中没有“{2**80}”。"),  # no database key holds it: refused, not an overflow
        ("招投\x00标", "列表中没有“招投\x00标”。"),  # the database refuses a NUL in a query
    ],
)
def test_an_unknown_entry_is_named_in_chinese(world, housing_case, api_as, stage, message):
    answer = api_as("staff").post(
        "/api/v1/problems/",
        {
            "case": housing_case.pk,
            "unit": world.units.housing.pk,
            "category": "institutional_gap",
            "process_stage": stage,
            "description": "评审专家由局长指定",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == (400 if stage is True else 422)  # a wrong type breaks the schema
    assert answer.json()["errors"]["process_stage"] == [message]
