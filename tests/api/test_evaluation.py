"""Evaluation sessions (现场答辩式评查) over the API: the whole session with three evaluators,
refusals in the API's one error shape, and who reads what."""

import pytest

from accounts.roles import Role
from core.paging import LIST_QUERY_BUDGET
from recommendations import services as recommendation_services
from recommendations.models import EvaluationTemplate, Recommendation
from tests import factories


@pytest.fixture
def closed(world, housing_case):
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case)
    recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
    factories.measure(recommendation=letter, actor=officer, is_standing=True)
    recommendation_services.recommendation_start_rectification(recommendation=letter, actor=officer)
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告"
    )
    recommendation_services.recommendation_close(recommendation=letter, actor=staff)
    return letter


def post(client, path, body=None):
    return client.post(f"/api/v1/{path}", body or {}, format="json")


def test_a_session_with_three_evaluators(world, closed, api_as):
    staff, supervisor = api_as("staff"), api_as("supervisor")
    third_user = factories.user(Role.DISCIPLINE_STAFF, world.units.city, "city_staff_2")
    third = api_as("city_staff_2")
    template = EvaluationTemplate.objects.get()

    templates = staff.get("/api/v1/evaluation-templates/").json()["results"]
    assert [len(t["indicators"]) for t in templates] == [11]
    assert sum(i["weight"] for i in templates[0]["indicators"]) == 100

    opened = post(
        staff,
        "evaluation-sessions/",
        {"recommendation": closed.pk, "scheduled_on": "2026-09-15", "place": "会议室"},
    )
    assert opened.status_code == 201, opened.json()
    session = opened.json()
    assert (session["status"], session["template"], session["results"]) == (
        "scheduled",
        template.pk,
        None,
    )
    assert session["metrics"]["measures"] == "1"
    pk = session["id"]
    for user in (world.users.city_staff, world.users.supervisor, third_user):
        assert (
            post(staff, f"evaluation-sessions/{pk}/members/", {"user": user.pk}).status_code == 200
        )
    hearing = {"reporter": "局长 王某", "report": "全部销号", "questions": "问：如何巩固？"}
    assert post(staff, f"evaluation-sessions/{pk}/hearing/", hearing).status_code == 200
    assert post(staff, f"evaluation-sessions/{pk}/start-scoring/").status_code == 200

    indicators = list(template.indicators.all())

    def ballot(first, less):
        rows = [{"indicator": indicators[0].pk, "score": first, "comment": "准"}]
        return {
            "scores": rows
            + [{"indicator": i.pk, "score": i.max_score - less} for i in indicators[1:]]
        }

    for client, first in ((staff, 10), (supervisor, 9), (third, 7)):
        answer = post(client, f"evaluation-sessions/{pk}/scores/", ballot(first, 1))
        assert answer.status_code == 200, answer.json()
        assert answer.json()["results"] is None

    mine = supervisor.get("/api/v1/indicator-scores/", {"member__session": pk}).json()
    assert {row["evaluator"] for row in mine["results"]} == {world.users.supervisor.pk}

    done = post(staff, f"evaluation-sessions/{pk}/conclude/", {"conclusion": "整改到位"})
    assert done.status_code == 200, done.json()
    results = done.json()["results"]
    assert (results["total"], results["score"], results["rating"]) == ("88.67", 89, "good")
    first = results["indicators"][0]
    assert (first["mean"], first["low"], first["high"], first["range"], first["stdev"]) == (
        "8.67",
        "7.0",
        "10.0",
        "3.0",
        "1.25",
    )
    assert done.json()["total_score"] == "88.67"
    assert Recommendation.objects.get(pk=closed.pk).status == "evaluated"
    evaluation = staff.get(f"/api/v1/evaluations/{done.json()['evaluation']}/").json()
    assert (evaluation["method"], evaluation["score"], evaluation["rating"]) == (
        "on_site",
        89,
        "good",
    )
    all_ballots = supervisor.get("/api/v1/indicator-scores/", {"member__session": pk}).json()
    assert all_ballots["count"] == 33


def test_refusals_have_the_apis_shape(world, closed, api_as):
    staff, officer = api_as("staff"), api_as("officer")
    pk = post(
        staff, "evaluation-sessions/", {"recommendation": closed.pk, "scheduled_on": "2026-09-15"}
    ).json()["id"]

    refused = post(staff, f"evaluation-sessions/{pk}/start-scoring/")
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "invalid_state",
        "detail": "请先邀请至少一名评委。",
        "errors": {},
    }
    assert post(officer, f"evaluation-sessions/{pk}/cancel/", {"reason": "x"}).status_code == 403
    assert post(officer, "evaluation-sessions/", {"recommendation": closed.pk}).status_code == 403
    bad = post(
        staff, f"evaluation-sessions/{pk}/members/", {"user": world.users.housing_officer.pk}
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid"
    assert "user" in bad.json()["errors"]
    twice = post(
        staff, "evaluation-sessions/", {"recommendation": closed.pk, "scheduled_on": "2026-09-15"}
    )
    assert twice.status_code == 409
    assert api_as("officer").get(f"/api/v1/evaluation-sessions/{pk}/").status_code == 200
    assert api_as("officer").get("/api/v1/indicator-scores/").status_code == 403
    assert api_as("system_admin").get("/api/v1/evaluation-sessions/").status_code == 403
    assert api_as("county_staff").get(f"/api/v1/evaluation-sessions/{pk}/").status_code == 404


def test_the_list_leaves_the_computed_parts_out(
    world, closed, api_as, django_assert_max_num_queries
):
    staff = api_as("staff")
    post(staff, "evaluation-sessions/", {"recommendation": closed.pk, "scheduled_on": "2026-09-15"})

    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        rows = staff.get("/api/v1/evaluation-sessions/").json()["results"]

    assert [(row["results"], row["metrics"]) for row in rows] == [(None, None)]
