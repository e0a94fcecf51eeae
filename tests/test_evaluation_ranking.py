"""The dashboard's evaluation ranking: units and sectors by mean score over a period."""

import datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from rest_framework.test import APIClient

from oversight.dashboard import evaluation_ranking
from recommendations import evaluation
from recommendations.models import Evaluation, Recommendation
from tests import factories
from tests.security.conftest import evaluation_session

from .recommendations.evaluation_helpers import full_marks


def evaluated(world, unit, commission, score, on, staff=None):
    """A letter to ``unit`` evaluated with ``score`` on ``on`` (recorded directly)."""
    staff = staff or world.users.city_staff
    case = factories.case(case_unit=unit, commission=commission, created_by=staff)
    letter = factories.issued_recommendation(staff=staff, the_case=case)
    Recommendation.objects.filter(pk=letter.pk).update(status=Recommendation.Status.EVALUATED)
    return Evaluation.objects.create(
        recommendation=letter,
        method=Evaluation.Method.WRITTEN,
        score=score,
        rating="good",
        evaluated_by=staff,
        evaluated_on=on,
    )


def test_units_and_sectors_are_ranked_by_mean_score(world, browse):
    units, city = world.units, world.units.city
    this_year = datetime.date(2026, 6, 1)
    evaluated(world, units.housing, city, 90, this_year)
    evaluated(world, units.housing, city, 85, this_year)  # housing: 87.50
    evaluated(world, units.station, city, 70, this_year)  # construction: (90+85+70)/3 = 81.67
    evaluated(world, units.health, city, 95, this_year)
    evaluated(world, units.health, city, 60, datetime.date(2025, 12, 31))  # last year: left out
    evaluated(
        world, units.water, world.units.other_city, 99, this_year, world.users.other_staff
    )  # another city

    html = browse(world.users.supervisor).get(
        "/dashboard/", {"evaluated_from": "2026-01-01", "evaluated_to": "2026-12-31"}
    )
    data = html.context["evaluations"]

    assert [(row["rank"], row["label"], row["mean"], row["count"]) for row in data["units"]] == [
        (1, "长春市卫生健康委员会", Decimal("95.00"), 1),
        (2, "长春市住房和城乡建设局", Decimal("87.50"), 2),
        (3, "市住建局质量监督站", Decimal("70.00"), 1),
    ]
    assert [(row["rank"], row["sector"], row["mean"]) for row in data["sectors"]] == [
        (1, "healthcare", Decimal("95.00")),
        (2, "construction", Decimal("81.67")),
    ]
    page = html.content.decode()
    assert 'data-testid="evaluation-ranking-units"' in page and "87.50" in page

    whole = browse(world.users.supervisor).get("/dashboard/", {"evaluated_from": "2025-01-01"})
    # From 2025 to the end of this year: the health commission's 60 of last year counts.
    assert [(row["mean"], row["count"]) for row in whole.context["evaluations"]["units"]] == [
        (Decimal("87.50"), 2),
        (Decimal("77.50"), 2),
        (Decimal("70.00"), 1),
    ]


def test_equal_means_share_a_rank_and_a_session_counts(world):
    units, city = world.units, world.units.city
    day = datetime.date(2026, 6, 1)
    evaluated(world, units.housing, city, 80, day)
    evaluated(world, units.health, city, 80, day)
    session, _member, _score = evaluation_session(
        factories.case(
            case_unit=units.education,
            commission=world.units.county,
            created_by=world.users.county_staff,
        ),
        staff=world.users.county_staff,
        officer=factories.user("unit_officer", units.education, "education_officer"),
    )
    evaluation.evaluation_hearing_record(
        session=session, actor=world.users.county_staff, reporter="局长", report="汇报"
    )
    evaluation.evaluation_scores_submit(
        session=session, actor=world.users.county_staff, scores=full_marks(session)
    )
    recorded = evaluation.evaluation_session_conclude(
        session=session, actor=world.users.county_staff
    )

    ranking = evaluation_ranking(
        world.users.supervisor, recorded.evaluated_on, recorded.evaluated_on
    )
    assert [(row["rank"], row["mean"]) for row in ranking["units"]] == [(1, Decimal("100.00"))]
    ranking = evaluation_ranking(world.users.supervisor, day, recorded.evaluated_on)
    assert [row["rank"] for row in ranking["units"]] == [1, 2, 2]
    county = evaluation_ranking(world.users.county_supervisor, day, recorded.evaluated_on)
    assert [row["label"] for row in county["units"]] == ["朝阳区教育局"]


def test_the_ranking_over_the_api_and_in_a_spreadsheet(world, browse):
    units, city = world.units, world.units.city
    evaluated(world, units.housing, city, 90, datetime.date(2026, 6, 1))
    evaluated(world, units.health, city, 80, datetime.date(2026, 6, 1))
    period = {"evaluated_from": "2026-01-01", "evaluated_to": "2026-12-31"}

    api = APIClient()
    token = factories.api_token(world.users.supervisor)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    answer = api.get("/api/v1/evaluation-ranking/", period).json()
    assert (answer["start"], answer["end"]) == ("2026-01-01", "2026-12-31")
    assert [(row["rank"], row["label"], row["mean"]) for row in answer["units"]] == [
        (1, "长春市住房和城乡建设局", "90.00"),
        (2, "长春市卫生健康委员会", "80.00"),
    ]
    officer = APIClient()
    token = factories.api_token(world.users.housing_officer)
    officer.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert officer.get("/api/v1/evaluation-ranking/").status_code == 403

    sheet = browse(world.users.supervisor).get("/documents/evaluation-ranking.xlsx", period)
    workbook = load_workbook(BytesIO(b"".join(sheet.streaming_content)))
    rows = list(workbook["单位"].iter_rows(values_only=True))
    assert rows[0][0] == "质效评估排名（2026-01-01—2026-12-31）"
    assert rows[2][:4] == (1, "长春市住房和城乡建设局", 90, 1)
    assert list(workbook["行业领域"].iter_rows(values_only=True))[2][:3] == (1, "工程建设", 90)
