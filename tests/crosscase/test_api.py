"""/api/v1/cross-case-analyses/: the same scoping, rules, audit and error shape as every endpoint,
and ``…/<id>/tables/`` with the figures."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from crosscase.models import CrossCaseAnalysis

LIST = "/api/v1/cross-case-analyses/"
REFUSED = ["officer", "system_admin", "security_admin", "audit_admin"]


def detail(pk) -> str:
    return f"{LIST}{pk}/"


def test_staff_create_read_update_and_delete(world, cases, api_as):
    client = api_as("staff")
    created = client.post(
        LIST,
        {
            "title": "工程建设领域类案分析",
            "mode": "criteria",
            "sector": "construction",
            "opened_from": "2025-01-01",
            "common_patterns": "一把手插手工程",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["unit"] == world.units.city.pk
    assert body["common_patterns"] == "一把手插手工程"
    assert body["cases"] == []
    pk = body["id"]

    assert client.get(LIST).json()["results"][0]["id"] == pk
    assert client.get(detail(pk)).json()["sector"] == "construction"
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, object_type="crosscase.crosscaseanalysis", object_id=pk
    ).exists()

    changed = client.patch(
        detail(pk), {"mode": "hand", "cases": [cases.roads.pk, cases.drugs.pk]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["cases"] == sorted([cases.roads.pk, cases.drugs.pk])
    assert changed.json()["sector"] == ""
    assert changed.json()["common_patterns"] == "一把手插手工程"  # the findings stay

    findings = client.patch(detail(pk), {"countermeasures": "推行电子招标"}, format="json")
    assert findings.json()["countermeasures"] == "推行电子招标"
    assert findings.json()["common_patterns"] == "一把手插手工程"

    assert client.delete(detail(pk)).status_code == 204
    assert not CrossCaseAnalysis.objects.exists()


def test_the_tables_endpoint_answers_the_figures(world, by_criteria, api_as):
    answer = api_as("supervisor").get(
        reverse("api:crosscaseanalysis-tables", args=[by_criteria.pk])
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["overview"]["count"] == 3
    assert body["overview"]["amount_total"] == "2180000.00"
    assert body["overview"]["top_leader"] == 1
    assert [s["name"] for s in body["matrix"]["stages"]] == ["招投标", "工程监管", "项目验收"]
    assert body["matrix"]["total"] == 7
    assert [row["total"] for row in body["matrix"]["rows"]] == [3, 2, 2]
    assert body["violation_types"][0] == {
        "id": body["violation_types"][0]["id"],
        "name": "受贿",
        "count": 2,
    }
    assert body["rectification"]["measures"] == 0


def test_refusals_keep_the_error_shape(world, cases, by_criteria, api_as):
    client = api_as("staff")
    invalid = client.post(
        LIST,
        {"title": "类案", "mode": "hand", "cases": [cases.jilin.pk]},
        format="json",
    )
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid"
    assert set(invalid.json()["errors"]) == {"cases"}
    empty = client.post(LIST, {"title": "类案", "mode": "hand"}, format="json")
    assert empty.status_code == 422
    assert "case_numbers" in empty.json()["errors"]
    period = client.post(
        LIST,
        {
            "title": "类案",
            "mode": "criteria",
            "opened_from": "2025-06-01",
            "opened_to": "2025-01-01",
        },
        format="json",
    )
    assert period.status_code == 422  # a period that ends before it starts
    assert set(period.json()) == {"code", "detail", "errors"}
    supervisor = api_as("supervisor").patch(detail(by_criteria.pk), {"title": "改"}, format="json")
    assert supervisor.status_code == 403
    assert supervisor.json()["code"] == "permission_denied"
    assert api_as("supervisor").post(LIST, {"title": "类案", "mode": "criteria"}).status_code == 403


@pytest.mark.parametrize("role", REFUSED)
def test_officers_and_administrators_are_refused(world, by_criteria, api_as, role):
    client = api_as(role)
    assert client.get(LIST).status_code == 403
    for url in (detail(by_criteria.pk), f"{detail(by_criteria.pk)}tables/"):
        answer = client.get(url)
        assert answer.status_code == 403
        assert "道路" not in answer.content.decode()


def test_another_jurisdiction_gets_404(world, by_criteria, other_staff_analysis, api_as):
    client = api_as("staff")
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [by_criteria.pk]
    for url in (detail(other_staff_analysis.pk), f"{detail(other_staff_analysis.pk)}tables/"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
    assert client.delete(detail(other_staff_analysis.pk)).status_code == 404
    assert CrossCaseAnalysis.objects.filter(pk=other_staff_analysis.pk).exists()


def test_the_list_filters(world, by_criteria, by_hand, api_as):
    client = api_as("supervisor")
    assert [r["id"] for r in client.get(LIST, {"mode": "hand"}).json()["results"]] == [by_hand.pk]
    assert [r["id"] for r in client.get(LIST, {"q": "工程建设"}).json()["results"]] == [
        by_criteria.pk
    ]
