"""The preamble of a letter may speak of the case: the API gives it to case readers only."""

import pytest
from django.urls import reverse

from tests import factories

PREAMBLE = "孙某某受贿案暴露出工程招投标监管的漏洞，现提出如下建议。"


@pytest.fixture
def letter(world, housing_case):
    return factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, preamble=PREAMBLE
    )


def answers(client, letter) -> list[dict]:
    """The letter as the list, the detail and a filtered list give it."""
    listing = client.get(reverse("api:recommendation-list"))
    detail = client.get(reverse("api:recommendation-detail", args=[letter.pk]))
    searched = client.get(reverse("api:recommendation-list"), {"status": letter.status})
    assert listing.status_code == detail.status_code == searched.status_code == 200
    return [*listing.json()["results"], detail.json(), *searched.json()["results"]]


@pytest.mark.parametrize("role", ["staff", "supervisor"])
def test_case_readers_read_the_preamble(api_as, letter, role):
    for answer in answers(api_as(role), letter):
        assert answer["preamble"] == PREAMBLE


def test_the_units_officer_reads_the_letter_without_its_preamble(api_as, letter):
    client = api_as("officer")

    for answer in answers(client, letter):
        assert answer["preamble"] is None
        assert answer["title"] == letter.title
        assert answer["cases"] == []
    raw = client.get(reverse("api:recommendation-detail", args=[letter.pk])).content.decode()
    assert "孙某某" not in raw


def test_the_schema_says_who_reads_the_preamble(api_as):
    schema = api_as("staff").get("/api/v1/schema/", {"format": "json"}).json()

    preamble = schema["components"]["schemas"]["Recommendation"]["properties"]["preamble"]
    assert preamble["nullable"] is True
    assert "null" in preamble["description"]
