"""回头看 and 整改反弹 over the API: choose, mark (a rebound reopens), conclude; the flags read by
staff and supervisors only. Refusals in the project's error shape."""

import datetime

import pytest

from cases import services as case_services
from cases.models import Problem, ProcessStage
from core.domain import shanghai_today
from recommendations import services as recommendation_services
from reforms import services
from reforms.models import FollowUpMeasure, Measure, ReboundFlag
from tests import factories
from tests.api.test_transitions import post, refused
from tests.reforms.conftest import advance

Status = Measure.Status


@pytest.fixture
def closed_letter(world, housing_case):
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case)
    recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
    for n in range(2):
        measure = factories.measure(recommendation=letter, actor=officer, content=f"措施{n + 1}")
        advance(measure, to=Status.SIGNED_OFF, staff=staff, officer=officer)
    recommendation_services.recommendation_start_rectification(recommendation=letter, actor=officer)
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告"
    )
    return recommendation_services.recommendation_close(recommendation=letter, actor=staff)


@pytest.fixture
def review(world, closed_letter):
    return services.follow_up_schedule(
        recommendation=closed_letter, actor=world.users.city_staff, scheduled_on=shanghai_today()
    )


def test_a_review_runs_over_the_api(world, review, api_as):
    staff = api_as("staff")
    refused(post(api_as("officer"), f"follow-ups/{review.pk}/measures/"), 403)
    refused(post(api_as("supervisor"), f"follow-ups/{review.pk}/measures/"), 403)
    refused(post(staff, f"follow-ups/{review.pk}/measures/", {"sample_size": 0}), 400)

    chosen = post(staff, f"follow-ups/{review.pk}/measures/", {"sample_size": 1})

    assert chosen.status_code == 201, chosen.content
    (row,) = chosen.json()
    assert row["verdict"] == ""
    assert staff.get(f"/api/v1/follow-ups/{review.pk}/").json()["sample_size"] == 1
    refused(post(staff, f"follow-ups/{review.pk}/measures/"), 409)
    listed = api_as("officer").get("/api/v1/follow-up-measures/", {"follow_up": review.pk})
    assert [r["id"] for r in listed.json()["results"]] == [row["id"]]

    mark = f"follow-up-measures/{row['id']}/mark/"
    refused(post(api_as("officer"), mark, {"verdict": "held"}), 403)
    refused(post(staff, mark, {"verdict": "rebounded", "findings": "反弹"}), 409)
    due = (shanghai_today() + datetime.timedelta(days=30)).isoformat()
    marked = post(staff, mark, {"verdict": "rebounded", "findings": "反弹", "new_due_on": due})

    assert marked.status_code == 200, marked.content
    assert (marked.json()["verdict"], marked.json()["new_due_on"]) == ("rebounded", due)
    measure = api_as("officer").get(f"/api/v1/measures/{row['measure']}/").json()
    assert (measure["status"], measure["due_on"], measure["reopen_count"]) == (
        "in_progress",
        due,
        1,
    )
    reopened = staff.get("/api/v1/measures/", {"reopened": "true"}).json()["results"]
    assert [m["id"] for m in reopened] == [row["measure"]]

    notice = {
        "kind": "public_notice",
        "title": "关于整改反弹问题的通报",
        "held_on": shanghai_today().isoformat(),
        "participant_count": 1,
    }
    refused(post(staff, f"follow-ups/{review.pk}/conclude/", notice), 409)
    assert (
        post(
            staff, f"follow-ups/{review.pk}/record/", {"outcome": "rebounded", "findings": "反弹"}
        ).status_code
        == 200
    )
    refused(post(staff, f"follow-ups/{review.pk}/conclude/", notice | {"kind": "other"}), 400)
    concluded = post(staff, f"follow-ups/{review.pk}/conclude/", notice)
    assert concluded.status_code == 201, concluded.content
    assert concluded.json()["kind"] == "public_notice"
    assert (
        staff.get(f"/api/v1/follow-ups/{review.pk}/").json()["closing_activity"]
        == (concluded.json()["id"])
    )


def test_a_review_out_of_scope_is_not_found(world, review, api_as):
    refused(post(api_as("other_staff"), f"follow-ups/{review.pk}/measures/"), 404)
    rows = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)
    refused(
        post(api_as("other_staff"), f"follow-up-measures/{rows[0].pk}/mark/", {"verdict": "held"}),
        404,
    )
    assert FollowUpMeasure.objects.filter(verdict="").count() == 2


def test_rebound_flags_are_read_by_staff_and_supervisors(world, closed_letter, api_as):
    the_case = factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    problem = case_services.problem_add(
        case=the_case,
        actor=world.users.city_staff,
        unit=world.units.housing,
        category=Problem.Category.INSTITUTIONAL_GAP,
        process_stage=ProcessStage.objects.get(name="招投标"),
        description="再次发现招投标问题",
    )
    flag = ReboundFlag.objects.get()

    for who in ("staff", "supervisor"):
        answer = api_as(who).get("/api/v1/rebound-flags/", {"unit": world.units.housing.pk})
        assert answer.status_code == 200
        (row,) = answer.json()["results"]
        assert (row["id"], row["problem"], row["recommendation"], row["match"]) == (
            flag.pk,
            problem.pk,
            closed_letter.pk,
            "unit",
        )
        assert "再次发现" not in answer.content.decode()
    refused(api_as("officer").get("/api/v1/rebound-flags/"), 403)
    assert api_as("other_staff").get("/api/v1/rebound-flags/").json()["results"] == []


# Who may act on a review of the housing bureau's letter: the city's staff; supervisors and the
# bureau's officer read it (403); staff and officers elsewhere do not find it (404).
ROLE_ANSWERS = {
    "city_staff": 201,
    "supervisor": 403,
    "housing_officer": 403,
    "county_staff": 404,
    "group_staff": 404,
    "other_staff": 404,
    "health_officer": 404,
    "county_supervisor": 404,
}


@pytest.mark.parametrize(("username", "status"), ROLE_ANSWERS.items())
def test_choosing_by_role(world, review, api_as, username, status):
    answer = post(api_as(username), f"follow-ups/{review.pk}/measures/")
    assert answer.status_code == status, answer.content
    assert FollowUpMeasure.objects.exists() == (status == 201)


@pytest.mark.parametrize(("username", "status"), ROLE_ANSWERS.items())
def test_marking_by_role(world, review, api_as, username, status):
    row = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)[0]
    due = (shanghai_today() + datetime.timedelta(days=30)).isoformat()
    answer = post(
        api_as(username),
        f"follow-up-measures/{row.pk}/mark/",
        {"verdict": "rebounded", "findings": "反弹", "new_due_on": due},
    )
    expected = 200 if status == 201 else status
    assert answer.status_code == expected, answer.content
    measure = Measure.objects.get(pk=row.measure_id)
    assert (measure.status == Status.IN_PROGRESS) == (expected == 200)


@pytest.mark.parametrize(("username", "status"), ROLE_ANSWERS.items())
def test_concluding_by_role(world, review, api_as, username, status):
    services.follow_up_record(
        follow_up=review, actor=world.users.city_staff, outcome="consolidated"
    )
    answer = post(
        api_as(username),
        f"follow-ups/{review.pk}/conclude/",
        {
            "kind": "admonition_talk",
            "title": "约谈",
            "held_on": shanghai_today().isoformat(),
            "participant_count": 2,
        },
    )
    assert answer.status_code == status, answer.content


def test_an_absurd_review_id_in_the_filter_is_a_400(world, review, api_as):
    answer = api_as("staff").get("/api/v1/follow-up-measures/", {"follow_up": "-1.8e308"})
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["follow_up"]
