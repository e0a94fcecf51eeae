"""The server answers what the schema says, and refuses what it does not allow (found by
schemathesis, run as a discipline-staff user)."""

import pytest
from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/v1/schema/?format=json").json()


def test_options_on_the_digest_choice_describes_what_put_takes(world, api_as):
    answer = api_as("staff").options("/api/v1/notifications/digest/")

    assert answer.status_code == 200
    assert "digest_kinds" in answer.json()["actions"]["PUT"]


def _project_model_serializers():
    import config.api_urls  # noqa: F401  (imports every API serializer)

    pending, found = [serializers.ModelSerializer], []
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if not subclass.__module__.startswith(("rest_framework", "drf_spectacular")):
                found.append(subclass)
    return found


def test_every_choice_answered_blank_is_documented_blank():
    """DRF drops ``allow_blank`` from read-only fields, so a blank choice (a round with no
    sector, a row not yet answered) was answered "" where the schema's enum did not allow it."""
    undocumented = [
        f"{serializer.__name__}.{name}"
        for serializer in _project_model_serializers()
        if getattr(getattr(serializer, "Meta", None), "model", None)
        for name, field in serializer().fields.items()
        if isinstance(field, serializers.ChoiceField)
        and not field.allow_blank
        and getattr(_model_field(serializer, field), "blank", False)
    ]

    assert undocumented == []


def _model_field(serializer, field):
    try:
        return serializer.Meta.model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


def test_a_reconciliation_row_not_yet_answered_matches_its_schema(schema):
    row = schema["components"]["schemas"]["ReconciliationRow"]["properties"]
    blank = {"$ref": "#/components/schemas/BlankEnum"}

    assert blank in row["answer"]["oneOf"]
    assert blank in row["confirmation"]["oneOf"]
    round_sector = schema["components"]["schemas"]["ReconciliationRound"]["properties"]["sector"]
    assert blank in round_sector["oneOf"]


def test_writes_answering_a_list_document_a_bare_array(schema):
    """``POST /follow-ups/{id}/measures/`` and the bulk creations answer the array they made;
    the schema said a list's page (and took the list's filters as query parameters)."""
    chosen = schema["paths"]["/api/v1/follow-ups/{id}/measures/"]["post"]
    assert chosen["responses"]["201"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/FollowUpMeasure"},
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch"):
                assert "Paginated" not in str(operation["responses"]), (method, path)
                assert not [p for p in operation.get("parameters", []) if p["in"] == "query"]


@pytest.mark.parametrize("day", ["", "2026-13-01", "yesterday"])
def test_the_ranking_refuses_a_period_day_that_is_not_a_date(day, world, api_as):
    answer = api_as("staff").get("/api/v1/evaluation-ranking/", {"evaluated_to": day})

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert list(answer.json()["errors"]) == ["evaluated_to"]


def test_the_ranking_reads_a_period_given_as_dates(world, api_as):
    period = {"evaluated_from": "2026-01-01", "evaluated_to": "2026-06-30"}
    answer = api_as("staff").get("/api/v1/evaluation-ranking/", period)

    assert answer.status_code == 200
    assert (answer.json()["start"], answer.json()["end"]) == ("2026-01-01", "2026-06-30")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page_size": 0}, "请确保该值大于或者等于 1。"),
        ({"page_size": "ten"}, "请填写合法的整数值。"),
        ({"page_size": ""}, "请填写合法的整数值。"),
        ({"page": 0}, "请确保该值大于或者等于 1。"),
        ({"page": "last"}, "请填写合法的整数值。"),
    ],
)
def test_every_list_takes_a_page_and_a_page_size_from_1(query, message, world, api_as):
    client = api_as("staff")
    for endpoint in ("evaluation-templates", "notifications", "measures"):
        answer = client.get(f"/api/v1/{endpoint}/", query)

        assert answer.status_code == 400, endpoint
        assert answer.json()["errors"] == {next(iter(query)): [message]}


def test_the_schema_documents_the_page_bounds(schema):
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in schema["paths"]["/api/v1/evaluation-templates/"]["get"]["parameters"]
    }

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}


@pytest.mark.parametrize(
    "query", ["unit=1&unit=2", "page=1&page=1", "page_size=5&page_size=9", "ordering=a&ordering=b"]
)
def test_a_list_parameter_given_twice_is_refused_not_read_as_the_last(query, world, api_as):
    answer = api_as("staff").get(f"/api/v1/activities/?{query}")

    assert answer.status_code == 400
    assert answer.json()["errors"] == {query.split("=")[0]: ["该参数只能给出一次。"]}


@pytest.mark.parametrize("value", ["null", "yes", "2"])
def test_a_yes_no_filter_refuses_anything_but_true_or_false(value, world, api_as):
    client = api_as("staff")
    # The last a generated filter set's (core.filters.FilterSet maps a BooleanField to it).
    yes_no = [
        ("notifications", "unread"),
        ("measures", "is_open"),
        ("spot-check-findings", "missed"),
    ]
    for endpoint, name in yes_no:
        answer = client.get(f"/api/v1/{endpoint}/", {name: value})

        assert answer.status_code == 400, endpoint
        assert answer.json()["errors"] == {name: ["请填写 true（是）或 false（否）。"]}


def test_a_yes_no_filter_reads_true_or_false_and_the_api_refuses_a_blank(
    world, notifications, api_as
):
    client = api_as("staff")

    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 1
    assert client.get("/api/v1/notifications/", {"unread": "false"}).json()["count"] == 0
    assert client.get("/api/v1/notifications/", {"unread": ""}).status_code == 400


def test_a_put_of_the_case_analysis_needs_every_field(world, inside, api_as):
    """PUT replaces the analysis: a body that lost its fields (schemathesis sent a multipart body
    that was no object) is refused, not taken as an analysis wiped blank."""
    case = inside.cases
    answer = api_as("staff").put(f"/api/v1/cases/{case.pk}/analysis/", {})

    assert answer.status_code == 400
    assert answer.json()["errors"].keys() == {
        "trajectory",
        "root_causes",
        "loopholes",
        "lessons",
        "completed_on",
    }


def test_an_item_may_answer_no_recorded_problem(world, inside, api_as):
    """As on the letter's page, ``problems`` may be left out (the schema says so too)."""
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=inside.cases)
    answer = api_as("staff").post(
        f"/api/v1/recommendations/{draft.pk}/items/", {"content": "建立健全工程招投标监督制度"}
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["problems"] == []


def test_every_operation_documents_the_web_servers_414(schema):
    """gunicorn refuses a request line over 4094 bytes with its own HTML page: documented,
    without a body, on every operation (a query string can grow on any of them)."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            too_long = operation["responses"]["414"]
            assert "content" not in too_long, (method, path)
