"""A measure under an acknowledged housing-bureau letter, driven to any state by the services."""

import datetime

import pytest

from accounts.roles import Role
from core.domain import shanghai_today
from recommendations import services as recommendation_services
from reforms import services
from reforms.models import Measure, MeasureTransition
from tests import factories
from tests.accounts.conftest import english  # noqa: F401  (refusals read in English)

Status = Measure.Status
DUE_ON = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def letter(world, housing_case):
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case
    )
    return recommendation_services.recommendation_acknowledge(
        recommendation=recommendation, actor=world.users.housing_officer
    )


def advance(measure, *, to, staff, officer):
    steps = {
        Status.IN_PROGRESS: lambda m: services.progress_report_add(
            measure=m, actor=officer, content="已起草新办法", percent_complete=40
        ),
        Status.AWAITING_SIGNOFF: lambda m: (
            services.evidence_add(measure=m, actor=officer, file=factories.evidence_file()),
            services.measure_request_signoff(measure=m, actor=officer, note="请予销号"),
        ),
        Status.SIGNED_OFF: lambda m: services.measure_sign_off(
            measure=m, actor=staff, note="经核查，整改到位"
        ),
        Status.RETURNED: lambda m: services.measure_return(
            measure=m,
            actor=staff,
            reason_code=MeasureTransition.ReturnReason.PAPER_RECTIFICATION,
        ),
    }
    path = {
        Status.NOT_STARTED: [],
        Status.IN_PROGRESS: [Status.IN_PROGRESS],
        Status.AWAITING_SIGNOFF: [Status.IN_PROGRESS, Status.AWAITING_SIGNOFF],
        Status.SIGNED_OFF: [Status.IN_PROGRESS, Status.AWAITING_SIGNOFF, Status.SIGNED_OFF],
        Status.RETURNED: [Status.IN_PROGRESS, Status.AWAITING_SIGNOFF, Status.RETURNED],
    }[to]
    for status in path:
        steps[status](measure)
        measure.refresh_from_db()
    assert measure.status == to
    return measure


@pytest.fixture
def measure_in(world, letter):
    """``measure_in(status)``: a fresh measure of the housing bureau in that state."""

    def build(status, **fields):
        measure = factories.measure(
            recommendation=letter, actor=world.users.housing_officer, **fields
        )
        return advance(
            measure, to=status, staff=world.users.city_staff, officer=world.users.housing_officer
        )

    return build


@pytest.fixture
def closed_letter(world, letter):
    """The housing letter closed with three signed-off measures (the first owned by an account)."""
    staff, officer = world.users.city_staff, world.users.housing_officer
    owner = factories.user(Role.UNIT_OFFICER, world.units.housing, "housing_owner")
    for n in range(3):
        measure = factories.measure(
            recommendation=letter,
            actor=officer,
            content=f"措施{n + 1}",
            owner=owner if n == 0 else None,
        )
        advance(measure, to=Status.SIGNED_OFF, staff=staff, officer=officer)
    recommendation_services.recommendation_start_rectification(recommendation=letter, actor=officer)
    recommendation_services.recommendation_submit_reply(
        recommendation=letter, actor=officer, content="整改报告"
    )
    return recommendation_services.recommendation_close(recommendation=letter, actor=staff)


@pytest.fixture
def review(world, closed_letter):
    return services.follow_up_schedule(
        recommendation=closed_letter,
        actor=world.users.city_staff,
        scheduled_on=shanghai_today(),
    )
