"""Drive a housing-bureau recommendation to any state of its life (docs/architecture.md)
through the services."""

import datetime

import pytest

from recommendations import services
from recommendations.models import Evaluation, Recommendation
from tests import factories
from tests.accounts.conftest import english  # noqa: F401  (refusals read in English)

Status = Recommendation.Status
ORDER = [
    Status.DRAFT,
    Status.ISSUED,
    Status.ACKNOWLEDGED,
    Status.RECTIFYING,
    Status.REPLIED,
    Status.CLOSED,
    Status.EVALUATED,
]
ISSUED_ON = datetime.date(2026, 1, 5)


def advance(recommendation, *, to, staff, officer):
    """One service call per step; the plan is a standing measure so the letter can be closed."""
    steps = {
        Status.ISSUED: lambda r: services.recommendation_issue(
            recommendation=r, actor=staff, issued_on=ISSUED_ON
        ),
        Status.ACKNOWLEDGED: lambda r: services.recommendation_acknowledge(
            recommendation=r, actor=officer
        ),
        Status.RECTIFYING: lambda r: (
            [
                factories.measure(recommendation=r, actor=officer, item=item, is_standing=True)
                for item in r.items.all()
            ]
            and services.recommendation_start_rectification(recommendation=r, actor=officer)
        ),
        Status.REPLIED: lambda r: services.recommendation_submit_reply(
            recommendation=r, actor=officer, content="整改报告：各项措施已落实"
        ),
        Status.CLOSED: lambda r: services.recommendation_close(recommendation=r, actor=staff),
        Status.EVALUATED: lambda r: services.recommendation_evaluate(
            recommendation=r,
            actor=staff,
            method=Evaluation.Method.ON_SITE,
            score=88,
            rating=Evaluation.Rating.GOOD,
        ),
    }
    for status in ORDER[ORDER.index(recommendation.status) + 1 : ORDER.index(to) + 1]:
        steps[status](recommendation)
        recommendation.refresh_from_db()
    assert recommendation.status == to
    return recommendation


@pytest.fixture
def recommendation_in(world, housing_case):
    """``recommendation_in(status)``: a fresh housing-bureau recommendation in that state."""

    def build(status, items=1):
        draft = factories.draft_recommendation(
            staff=world.users.city_staff, the_case=housing_case, items=items
        )
        return advance(
            draft, to=status, staff=world.users.city_staff, officer=world.users.housing_officer
        )

    return build
