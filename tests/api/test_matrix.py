"""Every endpoint × every role × inside / outside the jurisdiction → the exact answer.

``inside`` is the housing bureau (in the city commission's tree, the housing officer's own unit);
``outside`` is 吉林市水利局 in another city. A role that may not read a kind of record is refused
(403) on the list and on any id; a role that may read it sees its jurisdiction only, and an id
outside it answers 404 — the same answer as an id that does not exist.
"""

import pytest

from .conftest import ROLES

CASE_CONTENT = ("cases", "problems")
UNIT_RECORDS = (
    "recommendations",
    "evaluations",
    "measures",
    "progress-reports",
    "evidence",
    "extension-requests",
    "rule-changes",
    "activities",
    "follow-ups",
)
ADMINS = ("system_admin", "security_admin", "audit_admin")


def expected(endpoint: str, role: str) -> tuple[int, int, int]:
    """(list, inside id, outside id) status codes."""
    if endpoint == "org-units":
        if role in ("system_admin", "security_admin"):
            return 200, 200, 200  # they keep the whole tree (users and org units)
        if role == "audit_admin":
            return 200, 404, 404  # no org node at all
        return 200, 200, 404
    readers = (
        {"staff", "supervisor"} if endpoint in CASE_CONTENT else {"staff", "supervisor", "officer"}
    )
    if role in readers:
        return 200, 200, 404
    return 403, 403, 403


ENDPOINTS = ("org-units", *CASE_CONTENT, *UNIT_RECORDS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_read_matrix(endpoint, role, inside, outside, api_as):
    client = api_as(role)
    in_id, out_id = getattr(inside, endpoint).pk, getattr(outside, endpoint).pk
    listed, in_status, out_status = expected(endpoint, role)

    answer = client.get(f"/api/v1/{endpoint}/", {"page_size": 200})
    assert answer.status_code == listed, answer.json()
    if listed == 200:
        ids = {row["id"] for row in answer.json()["results"]}
        assert (in_id in ids) == (in_status == 200)
        assert (out_id in ids) == (out_status == 200)
    else:
        assert answer.json()["code"] == "permission_denied"

    assert client.get(f"/api/v1/{endpoint}/{in_id}/").status_code == in_status
    answer = client.get(f"/api/v1/{endpoint}/{out_id}/")
    assert answer.status_code == out_status
    if out_status == 404:
        assert answer.json() == {"code": "not_found", "detail": "未找到。", "errors": {}}


@pytest.mark.parametrize("role", ROLES)
def test_notifications_are_ones_own(role, world, notifications, api_as):
    client = api_as(role)
    own = notifications[ROLES[role]]
    other = notifications["other_staff"]
    answer = client.get("/api/v1/notifications/")
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/notifications/{own.pk}/").status_code == 200
    assert client.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    answer = client.post(f"/api/v1/notifications/{own.pk}/read/")
    assert answer.status_code == 200
    assert answer.json()["read_at"] is not None
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_notifications_read(world, notifications, api_as):
    client = api_as("staff")
    assert client.post("/api/v1/notifications/read-all/").status_code == 204
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    assert notifications["other_staff"].__class__.objects.filter(read_at__isnull=True).count() == (
        len(notifications) - 1
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_asked_to_sign_in(endpoint, client, world):
    answer = client.get(f"/api/v1/{endpoint}/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"
    assert answer.json()["code"] == "not_authenticated"


class TestUnitOfficersSeeNoCaseContent:
    """The officer reads the recommendation and its items, never the cases and problems."""

    def test_recommendation_without_cases_or_problems(self, inside, api_as):
        rec = inside.recommendations
        officer = api_as("officer").get(f"/api/v1/recommendations/{rec.pk}/").json()
        staff = api_as("staff").get(f"/api/v1/recommendations/{rec.pk}/").json()
        assert staff["cases"] == [inside.cases.pk]
        assert staff["items"][0]["problems"] == [inside.problems.pk]
        assert officer["cases"] == []
        assert officer["items"][0]["problems"] == []
        assert officer["items"][0]["content"] == staff["items"][0]["content"]

    def test_no_subject_names_or_amounts_anywhere(self, inside, api_as):
        client = api_as("officer")
        for endpoint in ENDPOINTS:
            body = client.get(f"/api/v1/{endpoint}/").content.decode()
            assert "张某" not in body
            assert "120000" not in body

    def test_staff_get_subjects_and_amount(self, inside, api_as):
        case = api_as("staff").get(f"/api/v1/cases/{inside.cases.pk}/").json()
        assert case["amount"] == "120000.00"
        assert case["subjects"][0]["name"] == "张某"
        assert case["subjects"][0]["is_top_leader"] is True


def test_drafts_are_hidden_from_the_unit(world, housing_case, api_as):
    from tests import factories

    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    assert api_as("officer").get(f"/api/v1/recommendations/{draft.pk}/").status_code == 404
    assert api_as("staff").get(f"/api/v1/recommendations/{draft.pk}/").status_code == 200


def test_evidence_download_is_an_attachment_in_scope(inside, outside, api_as):
    client = api_as("officer")
    answer = client.get(f"/api/v1/evidence/{inside.evidence.pk}/download/")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert b"".join(answer.streaming_content) == b"%PDF-1.4 evidence"
    assert client.get(f"/api/v1/evidence/{outside.evidence.pk}/download/").status_code == 404
    assert (
        api_as("audit_admin").get(f"/api/v1/evidence/{inside.evidence.pk}/download/").status_code
        == 403
    )


def test_session_authentication_works_too(world, inside, client):
    client.force_login(world.users.city_staff)
    assert client.get("/api/v1/measures/").status_code == 200


def test_errors_speak_english_when_asked(inside, outside, api_as):
    answer = api_as("staff").get(
        f"/api/v1/measures/{outside.measures.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.json() == {"code": "not_found", "detail": "Not found.", "errors": {}}
    answer = api_as("officer").post(
        f"/api/v1/measures/{inside.measures.pk}/sign-off/", {}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.json()["detail"] == "You are not allowed to do this."


def test_unknown_addresses_under_the_api_answer_json(api_as, world):
    answer = api_as("staff").get("/api/v1/no-such-thing/1.5/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
