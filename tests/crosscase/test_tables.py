"""The figures of an analysis: the case set, the matrix and its drill-downs, amounts, levels,
一把手, violation types, causes and the rectification that followed; queries that do not grow
with the cases; criteria resolved again at every reading."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseAnalysis, Problem
from crosscase import analysis as services
from crosscase import tables
from reforms.models import Measure, ReboundFlag
from tests import factories

from .conftest import BLIND, GAP, RISK, construction_case, stage, violation, with_problems


def numbers(queryset) -> set[str]:
    return set(queryset.values_list("number", flat=True))


def test_criteria_select_the_sector_period_and_jurisdiction(world, cases, by_criteria):
    chosen = tables.case_set(by_criteria, world.users.city_staff)
    # Healthcare is another sector; 吉林市's case is outside the city's jurisdiction.
    assert numbers(chosen) == {"长纪〔2025〕1号", "长纪〔2025〕2号", "长纪〔2025〕3号"}


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"process_stage": "项目验收"}, {"长纪〔2025〕2号", "长纪〔2025〕3号"}),
        ({"violation_type": "受贿"}, {"长纪〔2025〕1号", "长纪〔2025〕2号"}),
        ({"opened_from": datetime.date(2025, 4, 1)}, {"长纪〔2025〕2号", "长纪〔2025〕3号"}),
        ({"case_unit": "station"}, {"长纪〔2025〕2号"}),
        ({"typical_only": True}, set()),
    ],
)
def test_each_criterion_narrows_the_set(world, cases, criteria, expected):
    if "process_stage" in criteria:
        criteria["process_stage"] = stage(criteria["process_stage"])
    if "violation_type" in criteria:
        criteria["violation_type"] = violation(criteria["violation_type"])
    if "case_unit" in criteria:
        criteria["case_unit"] = getattr(world.units, criteria["case_unit"])
    analysis = services.analysis_create(
        actor=world.users.city_staff,
        title="类案",
        mode="criteria",
        sector="construction",
        **criteria,
    )
    assert numbers(tables.case_set(analysis, world.users.city_staff)) == expected


def test_hand_picked_cases_are_the_set(world, cases, by_hand):
    assert numbers(tables.case_set(by_hand, world.users.supervisor)) == {
        "长纪〔2025〕1号",
        "长纪〔2025〕9号",
    }


def test_the_overview_counts_amounts_bands_levels_and_top_leaders(world, by_criteria):
    overview = tables.overview(by_criteria, world.users.city_staff)
    assert overview["count"] == 3
    assert overview["amount_total"] == Decimal("2180000.00")
    assert overview["amount_mean"] == Decimal("726666.67")
    assert overview["amount_max"] == Decimal("2000000.00")
    bands = {band["code"]: band["count"] for band in overview["amount_bands"]}
    assert bands == {
        "under_10w": 1,
        "10w_50w": 1,
        "50w_100w": 0,
        "100w_1000w": 1,
        "over_1000w": 0,
    }
    levels = {level["code"]: level["count"] for level in overview["levels"]}
    assert levels == {"provincial": 0, "city": 0, "county": 1, "section": 2}
    assert overview["top_leader"] == 1
    assert overview["top_leader_rate"] == Decimal("33.3")


def test_violation_types_count_cases_most_frequent_first(world, by_criteria):
    rows = tables.violation_types(by_criteria, world.users.city_staff)
    assert [(row["name"], row["count"]) for row in rows] == [("受贿", 2), ("违规插手工程项目", 1)]


def test_the_matrix_has_totals_and_each_figure_is_its_lists_length(world, by_criteria):
    staff = world.users.city_staff
    matrix = tables.problem_matrix(by_criteria, staff)
    assert [column["name"] for column in matrix.stages] == ["招投标", "工程监管", "项目验收"]
    grid = {row["category"]: [cell["count"] for cell in row["cells"]] for row in matrix.rows}
    assert grid == {GAP: [3, 0, 0], RISK: [0, 1, 1], BLIND: [0, 0, 2]}
    assert [row["total"] for row in matrix.rows] == [3, 2, 2]
    assert [column["total"] for column in matrix.stages] == [3, 1, 3]
    assert matrix.total == 7
    for row in matrix.rows:
        for cell in row["cells"]:
            listed = tables.cell_problems(
                by_criteria, staff, category=row["category"], stage=cell["stage"]
            )
            assert listed.count() == cell["count"]
            assert all(p.category == row["category"] for p in listed)
        assert (
            tables.cell_problems(by_criteria, staff, category=row["category"]).count()
            == (row["total"])
        )
    for column in matrix.stages:
        assert (
            tables.cell_problems(by_criteria, staff, stage=column["id"]).count()
            == (column["total"])
        )
    assert tables.cell_problems(by_criteria, staff).count() == matrix.total


def test_the_drill_down_pages_list_exactly_the_cells_problems(world, by_criteria, browse):
    client = browse(world.users.supervisor)
    detail = client.get(reverse("crosscase:detail", args=[by_criteria.pk]))
    matrix = detail.context["tables"]["matrix"]
    url = reverse("crosscase:problems", args=[by_criteria.pk])
    for row in matrix.rows:
        for cell in row["cells"]:
            page = client.get(url, {"category": row["category"], "stage": cell["stage"]})
            assert page.status_code == 200
            assert page.context["page_obj"].paginator.count == cell["count"]
            assert len(page.context["page_obj"].object_list) == cell["count"]
            for problem in page.context["page_obj"]:
                assert problem.case.number in page.content.decode()
    whole = client.get(url)
    assert whole.context["page_obj"].paginator.count == matrix.total == 7
    assert client.get(url, {"category": "nonsense"}).status_code == 404
    assert client.get(url, {"stage": "999999"}).status_code == 404


def test_causes_and_loopholes_come_from_each_cases_analysis(world, by_criteria):
    rows = list(tables.case_analyses(by_criteria, world.users.city_staff))
    assert [(row.case.number, row.loopholes) for row in rows] == [
        ("长纪〔2025〕1号", "评标专家由局长指定")
    ]


def test_rectification_counts_letters_measures_and_how_they_fared(world, cases, by_criteria):
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=cases.roads)
    done = factories.measure(
        recommendation=letter, actor=officer, due_on=datetime.date(2026, 6, 30)
    )
    factories.measure(recommendation=letter, actor=officer, due_on=datetime.date(2026, 1, 8))
    Measure.objects.filter(pk=done.pk).update(
        status=Measure.Status.SIGNED_OFF, signed_off_on=datetime.date(2026, 1, 9), reopen_count=1
    )
    problem = Problem.objects.filter(case=cases.culvert).first()
    ReboundFlag.objects.create(
        problem=problem,
        earlier_problem=letter.items.first().problems.first(),
        measure=done,
        unit=world.units.housing,
        match=ReboundFlag.Match.UNIT,
    )
    # A letter citing a case outside the selection does not count.
    factories.issued_recommendation(staff=staff, the_case=cases.drugs)

    figures = tables.rectification(by_criteria, staff, today=datetime.date(2026, 1, 10))

    assert figures == {
        "recommendations": 1,
        "measures": 2,
        "signed_off": 1,
        "signoff_rate": Decimal("50.0"),
        "overdue": 1,
        "reopened": 1,
        "rebound_flags": 1,
    }


def test_criteria_resolve_again_when_a_new_case_arrives_and_findings_stay(
    world, by_criteria, browse
):
    staff = world.users.city_staff
    services.analysis_write_findings(
        analysis=by_criteria, actor=staff, common_patterns="招投标环节一把手干预突出"
    )
    client = browse(staff)
    url = reverse("crosscase:detail", args=[by_criteria.pk])
    before = client.get(url).context["tables"]
    assert before["overview"]["count"] == 3
    assert before["matrix"].total == 7

    with_problems(
        construction_case(world, number="长纪〔2025〕4号", opened_on=datetime.date(2025, 11, 1)),
        (GAP, "招投标"),
        (GAP, "财务管理"),
    )

    after = client.get(url)
    assert after.context["tables"]["overview"]["count"] == 4
    assert after.context["tables"]["matrix"].total == 9
    assert "财务管理" in [column["name"] for column in after.context["tables"]["matrix"].stages]
    assert "招投标环节一把手干预突出" in after.content.decode()


def make_cases(world, count: int, start: int):
    for index in range(start, start + count):
        case = with_problems(
            construction_case(
                world, number=f"长纪〔2025〕{100 + index}号", opened_on=datetime.date(2025, 6, 1)
            ),
            (GAP, "招投标"),
            (RISK, "项目验收"),
        )
        case.violation_types.add(violation("受贿"))
        CaseAnalysis.objects.create(case=case, author=world.users.city_staff, loopholes="漏洞")


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_detail_page_and_the_tables_cost_the_same_queries_for_3_and_30_cases(
    world, browse, api_as
):
    staff = world.users.city_staff
    analysis = services.analysis_create(
        actor=staff, title="规模", mode="criteria", sector="construction"
    )
    page = reverse("crosscase:detail", args=[analysis.pk])
    api = reverse("api:crosscaseanalysis-tables", args=[analysis.pk])
    make_cases(world, 3, 0)
    client, token_client = browse(staff), api_as("staff")
    small = (queries_of(client, page), queries_of(token_client, api))
    assert client.get(page).context["tables"]["overview"]["count"] == 3
    make_cases(world, 27, 3)
    large = (queries_of(client, page), queries_of(token_client, api))
    assert token_client.get(api).json()["overview"]["count"] == 30
    assert small == large
