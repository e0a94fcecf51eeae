"""The follow-up review page, the case page's possible rebounds, and the rebounds on the
dashboard and in the statistics — each number followed to the list behind it."""

import datetime

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import Problem, ProcessStage
from core.domain import shanghai_today
from reforms import services
from reforms.models import Activity, FollowUp, FollowUpMeasure, Measure, ReboundFlag
from tests import factories

Status = Measure.Status


def review_url(review) -> str:
    return reverse("reforms:follow_up_detail", args=[review.pk])


def later(days=45) -> str:
    return (shanghai_today() + datetime.timedelta(days=days)).isoformat()


def test_staff_run_a_review_on_its_page(world, client, review, english):
    client.force_login(world.users.city_staff)
    page = client.get(review_url(review))
    assert page.status_code == 200
    assert 'action="{}"'.format(reverse("reforms:follow_up_choose", args=[review.pk])) in (
        page.content.decode()
    )

    refused = client.post(reverse("reforms:follow_up_choose", args=[review.pk]), {"sample_size": 0})
    assert refused.status_code == 400
    chosen = client.post(reverse("reforms:follow_up_choose", args=[review.pk]), {"sample_size": 2})
    assert chosen.status_code == 302
    first, second = FollowUpMeasure.objects.filter(follow_up=review)

    mark = reverse("reforms:follow_up_mark", args=[first.pk])
    no_date = client.post(mark, {"verdict": "rebounded", "findings": "问题反弹"})
    assert no_date.status_code == 409
    assert "请填写今天以后的新整改期限。" in no_date.content.decode()
    rebounded = client.post(
        mark, {"verdict": "rebounded", "findings": "问题反弹", "new_due_on": later()}
    )
    assert rebounded.status_code == 302
    held = client.post(reverse("reforms:follow_up_mark", args=[second.pk]), {"verdict": "held"})
    assert held.status_code == 302
    assert Measure.objects.get(pk=first.measure_id).status == Status.IN_PROGRESS
    measure_page = client.get(reverse("reforms:measure_detail", args=[first.measure_id]))
    assert f"因反弹重新整改（共 1 次，最近 {shanghai_today():%Y-%m-%d}）" in (
        measure_page.content.decode()
    )

    page = client.get(review_url(review)).content.decode()
    assert 'data-verdict="rebounded"' in page
    assert 'data-verdict="held"' in page

    recorded = client.post(
        reverse("recommendations:follow_up_record", args=[review.pk]),
        {"outcome": "rebounded", "findings": "一项措施反弹"},
    )
    assert recorded.status_code == 302
    concluded = client.post(
        reverse("reforms:follow_up_conclude", args=[review.pk]),
        {
            "kind": "admonition_talk",
            "title": "约谈市住建局主要负责人",
            "held_on": shanghai_today().isoformat(),
            "participant_count": 2,
        },
    )
    assert concluded.status_code == 302
    review.refresh_from_db()
    assert review.closing_activity.kind == Activity.Kind.ADMONITION_TALK
    assert "约谈市住建局主要负责人" in client.get(review_url(review)).content.decode()


def test_a_standing_measures_row_asks_no_due_date(world, client, review):
    rows = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)
    Measure.objects.filter(pk=rows[0].measure_id).update(is_standing=True)
    client.force_login(world.users.city_staff)

    page = client.get(review_url(review)).content.decode()

    assert f'id="id_row{rows[0].pk}_new_due_on"' not in page
    assert f'id="id_row{rows[1].pk}_new_due_on"' in page
    marked = client.post(
        reverse("reforms:follow_up_mark", args=[rows[0].pk]),
        {"verdict": "rebounded", "findings": "警示教育已停开"},
    )
    assert marked.status_code == 302
    assert Measure.objects.get(pk=rows[0].measure_id).status == Status.IN_PROGRESS


@pytest.mark.parametrize("who", ["supervisor", "housing_officer"])
def test_supervisors_and_officers_read_the_review_but_do_not_act(world, client, review, who):
    rows = services.follow_up_choose_measures(follow_up=review, actor=world.users.city_staff)
    client.force_login(getattr(world.users, who))

    page = client.get(review_url(review))
    answer = client.post(reverse("reforms:follow_up_mark", args=[rows[0].pk]), {"verdict": "held"})

    assert page.status_code == 200
    assert reverse("reforms:follow_up_mark", args=[rows[0].pk]) not in page.content.decode()
    assert answer.status_code == 403
    assert FollowUpMeasure.objects.filter(verdict="").count() == len(rows)


def test_staff_elsewhere_do_not_find_the_review(world, client, review):
    client.force_login(world.users.county_staff)
    assert client.get(review_url(review)).status_code == 404


def _rebound_in_housing(world, review):
    staff = world.users.city_staff
    row = services.follow_up_choose_measures(follow_up=review, actor=staff)[0]
    services.follow_up_mark(
        row=row,
        actor=staff,
        verdict=FollowUpMeasure.Verdict.REBOUNDED,
        findings="反弹",
        new_due_on=shanghai_today() + datetime.timedelta(days=30),
    )
    the_case = factories.case(
        case_unit=world.units.housing, commission=world.units.city, created_by=staff
    )
    case_services.problem_add(
        case=the_case,
        actor=staff,
        unit=world.units.housing,
        category=Problem.Category.INSTITUTIONAL_GAP,
        process_stage=ProcessStage.objects.get(name="招投标"),
        description="评审专家抽取又出问题",
    )
    return row, the_case


def test_the_case_page_shows_a_possible_rebound(world, client, review):
    _row, the_case = _rebound_in_housing(world, review)
    flag = ReboundFlag.objects.get()
    client.force_login(world.users.city_staff)

    page = client.get(reverse("cases:detail", args=[the_case.pk])).content.decode()

    assert page.count('data-testid="possible-rebound"') == 1
    assert flag.earlier_problem.case.number in page
    assert reverse("reforms:measure_detail", args=[flag.measure_id]) in page


def test_the_dashboard_and_the_statistics_count_rebounds_with_drill_downs(world, client, review):
    row, _case = _rebound_in_housing(world, review)
    client.force_login(world.users.supervisor)

    dashboard = client.get(reverse("dashboard:index"))
    rebounds = dashboard.context["rebounds"]
    assert (rebounds["reopened"], rebounds["flagged"]) == (1, 1)
    housing = next(r for r in rebounds["units"] if r["unit"]["pk"] == world.units.housing.pk)
    assert (housing["reopened"], housing["flagged"]) == (1, 1)
    (sector,) = rebounds["sectors"]
    assert (sector["sector"], sector["reopened"], sector["flagged"]) == ("construction", 1, 1)

    measures = client.get(housing["reopened_url"])
    assert [m.pk for m in measures.context["page_obj"]] == [row.measure_id]
    flags = client.get(housing["flagged_url"])
    assert flags.status_code == 200
    assert flags.context["page_obj"].paginator.count == 1

    statistics = client.get(reverse("statistics:index"), {"unit": world.units.housing.pk})
    figures = statistics.context["figures"]["rebounds"]
    assert (figures["reopened"]["count"], figures["flagged"]["count"]) == (1, 1)
    assert client.get(figures["flagged"]["url"]).context["page_obj"].paginator.count == 1
    listed = client.get(figures["reopened"]["url"]).context["page_obj"]
    assert [m.pk for m in listed] == [row.measure_id]


def test_nothing_counts_outside_the_jurisdiction(world, client, review):
    _rebound_in_housing(world, review)
    client.force_login(world.users.county_supervisor)

    rebounds = client.get(reverse("dashboard:index")).context["rebounds"]

    assert (rebounds["reopened"], rebounds["flagged"], rebounds["units"]) == (0, 0, [])
    assert FollowUp.objects.count() == 1
