"""The OpenAPI 3 schema is valid and complete; its two viewers load no asset from the internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_the_schema_generates_without_a_warning(tmp_path):
    # --validate checks it against the OpenAPI 3 specification; --fail-on-warn refuses any guess.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")


def test_the_schema_is_served_and_documents_every_transition(client, db):
    answer = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for action in ("request-signoff", "sign-off", "return", "progress", "request-extension"):
        operation = paths[f"/api/v1/measures/{{id}}/{action}/"]["post"]
        assert {"200", "201"} & set(operation["responses"])
        assert {"400", "403", "404", "409"} <= set(operation["responses"])
    for action in (
        "issue",
        "acknowledge",
        "start-rectification",
        "reply",
        "return-reply",
        "close",
        "evaluate",
        "items",
        "follow-ups",
    ):
        assert f"/api/v1/recommendations/{{id}}/{action}/" in paths
    assert "/api/v1/extension-requests/{id}/approve/" in paths
    assert "/api/v1/evidence/{id}/download/" in paths
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "detail", "errors"}
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_a_measures_dates_may_be_null(client, db):
    """A standing measure has none (its stored date is a placeholder)."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    measure = schema["components"]["schemas"]["Measure"]["properties"]
    for field in ("original_due_on", "due_on"):
        assert (measure[field]["format"], measure[field].get("nullable")) == ("date", True)


def test_links_lead_from_a_record_to_what_can_be_done_with_it(client, db):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    created = paths["/api/v1/recommendations/"]["post"]["responses"]["201"]["links"]
    listed = paths["/api/v1/recommendations/"]["get"]["responses"]["200"]["links"]
    issued = paths["/api/v1/recommendations/{id}/issue/"]["post"]["responses"]["200"]["links"]
    issue = paths["/api/v1/recommendations/{id}/issue/"]["post"]["operationId"]
    acknowledge = paths["/api/v1/recommendations/{id}/acknowledge/"]["post"]["operationId"]

    assert created[issue] == {"operationId": issue, "parameters": {"id": "$response.body#/id"}}
    assert listed[issue]["parameters"] == {"id": "$response.body#/results/0/id"}
    assert issued[acknowledge]["parameters"] == {"id": "$request.path.id"}
    assert issue not in issued  # an operation does not lead to itself


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_viewers_use_vendored_assets(page, client, db):
    html = client.get(page).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert not asset.startswith(("http:", "https:", "//")), asset
    sidecar = [a for a in assets if "drf_spectacular_sidecar" in a]
    assert sidecar
    for asset in sidecar:
        assert finders.find(asset.split("/static/", 1)[1]), asset
    assert "cdn" not in html.lower()


def test_an_address_with_a_newline_still_answers_json(client):
    """Found by schemathesis: a newline in a path segment escaped the API's JSON 404."""
    response = client.get("/api/v1/measures/1%0A2/history/")

    assert response.status_code in {401, 404}
    assert response["Content-Type"].startswith("application/json")
