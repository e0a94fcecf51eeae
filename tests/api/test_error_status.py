"""Whose fault an error is, in its status (``core/api.py``): 400 when the request breaks the
schema, 422 when it fits the schema but a rule the schema cannot state refuses it; bodies are
JSON but where files are sent."""

import re
import sys

import pytest

from cases.models import ProcessStage
from core.api import LAST_SPACE


@pytest.fixture
def schema(client, db):
    return client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def problem_body(world, housing_case, **fields):
    return {
        "case": housing_case.pk,
        "unit": world.units.housing.pk,
        "category": "blind_spot",
        "process_stage": ProcessStage.objects.get(name="招投标").pk,
        "description": "质量验收无人监督",
    } | fields


def test_every_write_documents_the_422(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch") and "409" in operation["responses"]:
                assert "422" in operation["responses"], (method, path)


def test_bodies_are_json_but_where_files_are_sent(schema):
    def content_of(path, method="post"):
        return set(schema["paths"][path][method]["requestBody"]["content"])

    assert content_of("/api/v1/problems/") == {"application/json"}
    assert content_of("/api/v1/measures/{id}/request-signoff/") == {"application/json"}
    assert content_of("/api/v1/evidence/") == {"multipart/form-data"}
    assert content_of("/api/v1/measures/{id}/progress/") == {
        "multipart/form-data",
        "application/json",
    }


def test_a_form_body_is_refused_as_a_format_the_operation_does_not_take(
    world, housing_case, api_as
):
    body = problem_body(world, housing_case)
    answer = api_as("staff").post("/api/v1/problems/", body, format="multipart")
    assert answer.status_code == 415
    assert answer.json()["code"] == "unsupported_media_type"


def test_text_of_only_spaces_breaks_the_schema_and_is_a_400(world, housing_case, api_as, schema):
    description = schema["components"]["schemas"]["ProblemWriteRequest"]["properties"][
        "description"
    ]
    assert description["minLength"] == 1
    assert not re.search(description["pattern"], " \t") and re.search(description["pattern"], " 是")
    answer = api_as("staff").post(
        "/api/v1/problems/", problem_body(world, housing_case, description=" ")
    )
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["description"]


@pytest.mark.parametrize("text", ["\x1d", "\u3000", " \t\x1f"])
def test_what_drf_trims_away_the_schema_calls_blank(schema, text):
    # ECMA's \s, which OpenAPI's patterns use, leaves out \x1c–\x1f that Python trims.
    description = schema["components"]["schemas"]["ProblemWriteRequest"]["properties"]
    assert not re.search(description["description"]["pattern"], text) and not text.strip()
    assert re.search(description["description"]["pattern"], "\ufeff") and "\ufeff".strip()


def test_no_space_to_python_is_past_the_last_the_schema_names():
    assert max(code for code in range(sys.maxunicode + 1) if chr(code).isspace()) == LAST_SPACE


@pytest.mark.parametrize("text", ["\x00", "问题\x00描述"])
def test_a_nul_in_text_breaks_the_schema_and_is_a_400(world, housing_case, api_as, schema, text):
    problem = schema["components"]["schemas"]["ProblemWriteRequest"]["properties"]
    case = schema["components"]["schemas"]["CaseWriteRequest"]["properties"]
    assert not re.search(problem["description"]["pattern"], text)
    assert not re.search(case["summary"]["pattern"], text)  # a text that may be blank, too
    answer = api_as("staff").post(
        "/api/v1/problems/", problem_body(world, housing_case, description=text)
    )
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"description": ["文本中不能含有空字符（NUL）。"]}


@pytest.mark.parametrize("who", ["staff", "county_staff"])
def test_an_id_of_no_record_in_sight_fits_the_schema_and_is_a_422(world, housing_case, api_as, who):
    # No case holds the id 10⁹; the city's case is out of the county staff's sight.
    case = 10**9 if who == "staff" else housing_case.pk
    answer = api_as(who).post("/api/v1/problems/", problem_body(world, housing_case, case=case))
    assert answer.status_code == 422, answer.json()
    assert list(answer.json()["errors"]) == ["case"]


def test_a_count_past_what_its_column_holds_is_a_400_not_a_500(api_as, schema):
    count = schema["components"]["schemas"]["ActivityCreateRequest"]["properties"]
    assert count["participant_count"]["maximum"] == 2**31 - 1
    body = {"kind": "admonition_talk", "title": "警示教育", "held_on": "2026-06-20"}
    answer = api_as("staff").post("/api/v1/activities/", body | {"participant_count": 2**58})
    assert answer.status_code == 400
    assert "participant_count" in answer.json()["errors"]


def test_a_number_where_the_schema_says_text_is_a_400(world, housing_case, api_as):
    answer = api_as("staff").post(
        "/api/v1/problems/", problem_body(world, housing_case, description=0)
    )
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["description"]


def test_the_schema_states_what_drf_checks_beyond_types(schema, settings):
    measures = schema["paths"]["/api/v1/measures/bulk/"]["post"]["requestBody"]["content"]
    assert measures["application/json"]["schema"]["minItems"] == 1
    assert measures["application/json"]["schema"]["maxItems"] == settings.API_BULK_MAX
    amount = schema["components"]["schemas"]["CaseWriteRequest"]["properties"]["amount"]
    assert amount["pattern"] == r"^\d{1,12}(?:\.\d{1,2})?$"  # ".", "-" or "-1" is no amount
    typical = schema["components"]["schemas"]["TypicalMarkRequest"]["properties"]["reasons"]
    assert typical["minItems"] == 1
    assert schema["components"]["schemas"]["ScoresRequest"]["properties"]["scores"]["minItems"] == 1


def test_a_process_stage_no_list_holds_is_a_422(world, housing_case, api_as):
    body = problem_body(world, housing_case, process_stage="没有这个环节")
    answer = api_as("staff").post("/api/v1/problems/", body)
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["process_stage"]


def test_a_json_progress_report_takes_no_files(world, api_as, schema):
    json_body = schema["components"]["schemas"]["ProgressCreateRequest"]["properties"]
    assert "files" not in json_body
    assert "files" in schema["components"]["schemas"]["ProgressWithFilesRequest"]["properties"]


def test_a_nul_in_a_search_breaks_the_schema_and_is_a_400(api_as, schema):
    searched = {
        path: parameter["schema"]["pattern"]
        for path, operations in schema["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["name"] == "q"
    }
    assert "/api/v1/measures/" in searched and "/api/v1/cases/" in searched
    for path, pattern in searched.items():
        assert not re.search(pattern, "整改\x00") and re.search(pattern, "整改"), path
        answer = api_as("staff").get(path, {"q": "整改\x00"})
        assert answer.status_code == 400, (path, answer.status_code)
        assert list(answer.json()["errors"]) == ["q"], path
