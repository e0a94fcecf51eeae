"""Downloads (PDF and Excel) take the API's token as the API does, scoped the same way."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def with_token(user) -> Client:
    token = factories.api_token(user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_an_officer_downloads_the_letter_and_the_measures_with_a_token(world, inside):
    client = with_token(world.users.housing_officer)
    letter = client.get(reverse("documents:letter", args=[inside.recommendations.pk]))
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    sheet = client.get(reverse("documents:measures_xlsx"))
    assert sheet.status_code == 200
    assert b"".join(sheet.streaming_content).startswith(b"PK")  # an xlsx is a zip


def test_a_token_reaches_only_its_users_jurisdiction(world, inside, outside):
    client = with_token(world.users.housing_officer)
    assert (
        client.get(reverse("documents:letter", args=[outside.recommendations.pk])).status_code
        == 404
    )
    assert client.get(reverse("documents:cases_xlsx")).status_code == 403  # officers read no cases


def test_a_bad_token_is_refused_as_the_api_refuses_it(world, inside):
    client = Client(HTTP_AUTHORIZATION="Token not-a-token")
    answer = client.get(reverse("documents:letter", args=[inside.recommendations.pk]))
    assert answer.status_code == 401
    assert answer.json()["code"] == "authentication_failed"


def test_without_a_token_or_a_session_the_visitor_is_sent_to_sign_in(world, inside):
    answer = Client().get(reverse("documents:letter", args=[inside.recommendations.pk]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))
