"""One of every record in the housing bureau (inside the city) and in 吉林市水利局 (outside it),
built through the services, and API clients signed in as each role of the world."""

import datetime
import functools
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from rest_framework.test import APIClient
from schemathesis.pytest.plugin import SchemathesisFunction

from accounts.roles import Role
from cases.models import Subject
from notifications.models import Notification
from recommendations import services as recommendation_services
from reforms import services as reform_services
from reforms.models import Activity, RuleChange
from tests import factories

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    """Schemathesis 4.32 names each operation's test but, under pytest 9.2, leaves it the
    function's node id; pytest-xdist schedules by node id, so one id for all would run one
    operation of them. Each gets its operation as its parameters."""
    for item in items:
        if isinstance(item, SchemathesisFunction) and item._id.params is None:
            item._id = item._id.with_params(item.operation_label)


# The roles of the matrix: the world's user of each, in the city commission's tree.
ROLES = {
    "staff": "city_staff",
    "officer": "housing_officer",
    "supervisor": "supervisor",
    "system_admin": "system_admin",
    "security_admin": "security_admin",
    "audit_admin": "audit_admin",
}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttling counts in the cache: each test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def build_chain(*, unit, commission, staff, officer) -> SimpleNamespace:
    """A case carried through the whole loop (its measure extended once) to a scheduled
    follow-up, plus a standing measure, a rule change and an activity."""
    case = factories.case(case_unit=unit, commission=commission, created_by=staff, amount=120000)
    Subject.objects.create(case=case, name="张某", position="局长", is_top_leader=True)
    recommendation = factories.issued_recommendation(staff=staff, the_case=case)
    recommendation_services.recommendation_acknowledge(recommendation=recommendation, actor=officer)
    measure = factories.measure(recommendation=recommendation, actor=officer)
    extension = factories.extension_request(measure=measure, actor=officer)
    reform_services.extension_request_approve(request=extension, actor=staff)
    report = reform_services.progress_report_add(
        measure=measure,
        actor=officer,
        content="已印发新办法",
        percent_complete=100,
        files=(factories.evidence_file(),),
    )
    reform_services.measure_request_signoff(measure=measure, actor=officer)
    reform_services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")
    standing = factories.measure(recommendation=recommendation, actor=officer, is_standing=True)
    recommendation_services.recommendation_start_rectification(
        recommendation=recommendation, actor=officer
    )
    recommendation_services.recommendation_submit_reply(
        recommendation=recommendation, actor=officer, content="整改报告"
    )
    recommendation_services.recommendation_close(recommendation=recommendation, actor=staff)
    evaluation = recommendation_services.recommendation_evaluate(
        recommendation=recommendation, actor=staff, method="written", score=90, rating="good"
    )
    follow_up = reform_services.follow_up_schedule(
        recommendation=recommendation, actor=staff, scheduled_on=datetime.date(2099, 1, 1)
    )
    rule_change = RuleChange.objects.create(
        unit=unit,
        recommendation=recommendation,
        kind="revised",
        title="招投标管理办法",
        created_by=officer,
    )
    activity = Activity.objects.create(
        unit=unit,
        recommendation=recommendation,
        kind="warning_education",
        title="警示教育大会",
        held_on=datetime.date(2026, 3, 1),
        participant_count=120,
        created_by=officer,
    )
    return SimpleNamespace(
        **{
            "org-units": unit,
            "cases": case,
            "problems": case.problems.first(),
            "recommendations": recommendation,
            "evaluations": evaluation,
            "measures": measure,
            "progress-reports": report,
            "evidence": report.evidence.first(),
            "extension-requests": extension,
            "rule-changes": rule_change,
            "activities": activity,
            "follow-ups": follow_up,
        },
        standing=standing,
    )


@pytest.fixture
def water_officer(world):
    return factories.user(Role.UNIT_OFFICER, world.units.water, "water_officer")


@pytest.fixture
def inside(world):
    """The housing bureau's records: in the city's jurisdiction and the housing officer's."""
    return build_chain(
        unit=world.units.housing,
        commission=world.units.city,
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
    )


@pytest.fixture
def outside(world, water_officer):
    """吉林市水利局's records: outside everyone's jurisdiction in the city."""
    return build_chain(
        unit=world.units.water,
        commission=world.units.other_city,
        staff=world.users.other_staff,
        officer=water_officer,
    )


@pytest.fixture
def notifications(world):
    """One notification for each user of the world (each sees only their own)."""
    return {
        name: Notification.objects.create(recipient=user, title=f"提醒 {name}")
        for name, user in vars(world.users).items()
    }


@pytest.fixture
def keep_the_test_connection():
    """The WSGI app closes database connections at the end of each request; in a test that is the
    connection holding the test's transaction. Django's test client suspends that, so do we."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token_of(world):
    """``token_of("officer")``: an API token of the role's user, one a test."""
    return functools.cache(lambda role: factories.api_token(getattr(world.users, ROLES[role])))


@pytest.fixture
def api_as(world):
    """``api_as("staff")``: an API client signed in with the role's token."""

    def sign_in(role_or_username):
        username = ROLES.get(role_or_username, role_or_username)
        user = getattr(world.users, username, None)
        if user is None:
            from accounts.models import User

            user = User.objects.get(username=username)
        token = factories.api_token(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        client.user = user
        return client

    return sign_in
