"""A draft recommendation and its items are corrected or thrown away through the API, by the
same services as the pages; an issued letter stays as it was issued."""

import pytest

from recommendations.models import Recommendation, RecommendationItem
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world, housing_case):
    return factories.draft_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=3
    )


def test_staff_correct_a_draft_field_by_field(draft, api_as):
    answer = api_as("staff").patch(
        f"/api/v1/recommendations/{draft.pk}/",
        {"title": "关于整改工程招投标问题的建议"},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["title"] == "关于整改工程招投标问题的建议"
    draft.refresh_from_db()
    assert (draft.title, draft.cases.count()) == ("关于整改工程招投标问题的建议", 1)


def test_staff_throw_a_draft_away_with_its_items(draft, api_as):
    assert api_as("staff").delete(f"/api/v1/recommendations/{draft.pk}/").status_code == 204
    assert not Recommendation.objects.filter(pk=draft.pk).exists()
    assert not RecommendationItem.objects.exists()


def test_an_item_is_reworded_or_taken_off_and_the_rest_renumbered(draft, api_as):
    first, second, third = draft.items.order_by("number")
    client = api_as("staff")

    reworded = client.patch(
        f"/api/v1/recommendation-items/{second.pk}/",
        {"content": "建立招投标全过程监督制度"},
        format="json",
    )
    assert reworded.status_code == 200, reworded.json()
    assert reworded.json()["content"] == "建立招投标全过程监督制度"
    assert client.delete(f"/api/v1/recommendation-items/{first.pk}/").status_code == 204

    assert list(draft.items.order_by("number").values_list("pk", "number")) == [
        (second.pk, 1),
        (third.pk, 2),
    ]


def test_an_issued_letter_is_neither_edited_nor_deleted(world, housing_case, api_as):
    issued = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    item = issued.items.get()
    client = api_as("staff")

    assert (
        client.patch(
            f"/api/v1/recommendations/{issued.pk}/", {"title": "改"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/recommendations/{issued.pk}/").status_code == 403
    assert (
        client.patch(
            f"/api/v1/recommendation-items/{item.pk}/", {"content": "改"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/recommendation-items/{item.pk}/").status_code == 403
    issued.refresh_from_db()
    assert issued.title != "改" and issued.items.count() == 1


@pytest.mark.parametrize(("role", "status"), [("officer", 404), ("supervisor", 403)])
def test_only_staff_touch_a_draft(draft, api_as, role, status):
    client = api_as(role)
    assert client.delete(f"/api/v1/recommendations/{draft.pk}/").status_code == status
    assert (
        client.delete(f"/api/v1/recommendation-items/{draft.items.first().pk}/").status_code
        == status
    )
    assert Recommendation.objects.filter(pk=draft.pk).exists()
