"""The server answers what the schema says, and refuses what it does not allow (found by
schemathesis, run as a discipline-staff user)."""

import pytest

pytestmark = pytest.mark.django_db


def test_options_on_the_digest_choice_describes_what_put_takes(world, api_as):
    answer = api_as("staff").options("/api/v1/notifications/digest/")

    assert answer.status_code == 200
    assert "digest_kinds" in answer.json()["actions"]["PUT"]
