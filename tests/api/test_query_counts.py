"""Every list endpoint runs the same number of queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.domain import shanghai_today
from reforms import tally
from reforms.models import TallyBasis
from tests import factories

from .conftest import build_chain

ENDPOINTS = (
    "org-units",
    "cases",
    "problems",
    "recommendations",
    "evaluations",
    "measures",
    "progress-reports",
    "evidence",
    "extension-requests",
    "rule-changes",
    "activities",
    "follow-ups",
    "notifications",
)


@pytest.fixture
def three_chains(world):
    for _ in range(3):
        build_chain(
            unit=world.units.housing,
            commission=world.units.city,
            staff=world.users.city_staff,
            officer=world.users.housing_officer,
        )
    for _ in range(3):
        world.users.city_staff.notifications.create(title="提醒")


def count(client, url, page_size):
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url, {"page_size": page_size})
    assert answer.status_code == 200
    return len(queries), len(answer.json()["results"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_constant_whatever_the_page_size(endpoint, three_chains, api_as):
    client = api_as("staff")
    one, rows_one = count(client, f"/api/v1/{endpoint}/", 1)
    many, rows_many = count(client, f"/api/v1/{endpoint}/", 50)
    assert rows_one == 1
    assert rows_many >= 3
    assert one == many


def test_measures_list_in_a_fixed_budget(world, housing_case, api_as, django_assert_num_queries):
    """Four queries for 1 or 50 rows: the token with its user and the user's org node, the units
    its group is posted to (the jurisdiction), the count (summed from the measure tally, rolled
    for today), the page. Before the day's roll, one more: the tally's day is asked, and the list
    then counts its rows."""
    tally.roll(shanghai_today())
    letter = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=5
    )
    items = list(letter.items.all())
    for number in range(60):
        factories.measure(
            recommendation=letter, actor=world.users.housing_officer, item=items[number % 5]
        )
    client = api_as("officer")
    for page_size in (1, 50):
        with django_assert_num_queries(4):
            answer = client.get("/api/v1/measures/", {"page_size": page_size, "overdue": "current"})
        assert answer.status_code == 200
        assert len(answer.json()["results"]) == page_size
    TallyBasis.objects.all().delete()
    with django_assert_num_queries(5):
        answer = client.get("/api/v1/measures/", {"page_size": 50, "overdue": "current"})
    assert answer.json()["count"] == 60
