"""成效统计: every figure, in every scope, equals the count of the API list it links to."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.domain import shanghai_today
from reforms import tally
from tests import factories

from .conftest import build_chain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["tally", "measures"])
def counted_from(request, db):
    """The measures' figures read both ways: from the tally counted for today before any measure
    exists (kept by the triggers since), and from the measures (the tally a day old)."""
    today = shanghai_today()
    tally.roll(today if request.param == "tally" else today - datetime.timedelta(days=1))
    return request.param


@pytest.fixture
def work(world, inside, outside):
    """The housing bureau's chain, a second letter to its quality station, and 吉林's chain."""
    station_case = factories.case(
        case_unit=world.units.station,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )
    station_letter = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=station_case, items=2
    )
    factories.measure(recommendation=station_letter, actor=world.users.city_staff)
    return {"inside": inside, "station_letter": station_letter}


def figures_and_links(body):
    """Every (count, url) pair of the answer."""
    for section in body.values():
        if section.get("url"):
            yield section["total"], section["url"]
        for value in section.values():
            if isinstance(value, list):
                yield from ((row["count"], row["url"]) for row in value)
            elif isinstance(value, dict):  # the sign-off rate's numerator and denominator
                yield value["count"], value["url"]


def scopes(world, work):
    inside = work["inside"].recommendations
    return [
        {},
        {"unit": world.units.housing.pk},
        {"unit": world.units.station.pk},
        {"recommendation": inside.pk},
        {"unit": world.units.city.pk, "recommendation": work["station_letter"].pk},
        {"sector": "construction", "period_after": "2026-01-01"},
        {"unit": world.units.housing.pk, "period_before": "2099-12-31"},
    ]


@pytest.mark.parametrize("role", ["staff", "supervisor"])
def test_every_figure_equals_the_list_it_links_to(world, work, api_as, role):
    client = api_as(role)
    for scope in scopes(world, work):
        answer = client.get("/api/v1/statistics/", scope)
        assert answer.status_code == 200, answer.json()
        checked = 0
        for count, url in figures_and_links(answer.json()):
            # The query string of ``url`` stays whole (a data argument would replace it).
            listed = client.get(f"{url}{'&' if '?' in url else '?'}page_size=1")
            assert listed.status_code == 200, url
            assert listed.json()["count"] == count, (scope, url)
            checked += 1
        assert checked > 40


@pytest.mark.parametrize("role", ["staff", "supervisor"])
def test_the_page_counts_what_the_api_counts(world, work, browse, api_as, role):
    user = world.users.city_staff if role == "staff" else world.users.supervisor
    page = browse(user)
    api = api_as(role)
    for scope in [*scopes(world, work), *period_scopes(world)]:
        mine = page.get("/statistics/", scope).context["figures"]
        theirs = api.get("/api/v1/statistics/", scope).json()
        assert numbers(mine) == numbers(theirs), scope


def numbers(figures) -> dict:
    """Every count of a statistics answer by its path, links left out."""
    out = {}
    for name, section in figures.items():
        for key, value in section.items():
            if key == "url":
                continue
            if isinstance(value, int | float) or value is None:
                out[(name, key)] = value
            elif isinstance(value, dict):
                out[(name, key)] = value["count"]
            elif isinstance(value, list):
                for row in value:
                    out[(name, key, row["key"])] = (row["count"], row.get("participants"))
    return out


def period_scopes(world):
    return [
        {"sector": "construction"},
        {"period_after": "2026-01-01", "period_before": "2026-12-31"},
        {"unit": world.units.housing.pk, "sector": "construction", "period_before": "2025-12-31"},
    ]


def test_the_figures_of_a_letter(world, work, api_as):
    letter = work["inside"].recommendations
    body = api_as("staff").get("/api/v1/statistics/", {"recommendation": letter.pk}).json()

    assert body["cases"]["total"] == 1
    assert body["items"]["total"] == letter.items.count()
    assert body["measures"]["total"] == 2
    assert {row["key"]: row["count"] for row in body["measures"]["by_status"]}["signed_off"] == 1
    assert body["measures"]["signoff_rate"] is None or 0 <= body["measures"]["signoff_rate"] <= 1
    assert body["rule_changes"]["total"] == 1
    assert body["activities"]["participants"] == 120
    warning = next(
        row for row in body["activities"]["by_kind"] if row["key"] == "warning_education"
    )
    assert (warning["count"], warning["participants"]) == (1, 120)


def test_the_query_count_does_not_grow_with_the_work(world, work, api_as):
    client = api_as("staff")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/statistics/")
    build_chain(
        unit=world.units.housing,
        commission=world.units.city,
        staff=world.users.city_staff,
        officer=world.users.housing_officer,
    )
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/statistics/")
    assert len(large) == len(small)


@pytest.mark.parametrize("role", ["officer", "system_admin", "audit_admin"])
def test_only_case_readers_read_the_statistics(world, work, api_as, role):
    assert api_as(role).get("/api/v1/statistics/").status_code == 403


def test_a_scope_outside_the_jurisdiction_is_not_found(world, work, api_as):
    answer = api_as("staff").get("/api/v1/statistics/", {"unit": world.units.water.pk})
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "scope, field, status",
    [
        ({"sector": "nowhere"}, "sector", 400),
        ({"period_after": "2026-13-01"}, "period_after", 400),
        ({"recommendation": 0}, "recommendation", 400),
        ({"period_after": "2026-02-01", "period_before": "2026-01-01"}, "period_before", 422),
    ],
)
def test_a_bad_scope_is_refused_on_its_field(world, api_as, scope, field, status):
    answer = api_as("staff").get("/api/v1/statistics/", scope)
    assert answer.status_code == status
    assert list(answer.json()["errors"]) == [field]
