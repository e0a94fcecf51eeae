"""The dashboard's evaluation ranking: units and sectors by mean score over a period."""

import datetime
from decimal import Decimal

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
    from oversight.dashboard import evaluation_ranking
    from recommendations import evaluation

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
