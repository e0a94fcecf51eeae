"""Reconciliation rounds over the API: the same scope, rules, refusals and error shape as the
pages — a round opened, answered, confirmed and closed; refusals by role and state."""

import datetime

import pytest

from core.domain import shanghai_today
from reforms.models import Measure, ReconciliationRound, ReconciliationRow

ROUNDS = "/api/v1/reconciliation-rounds/"
ROWS = "/api/v1/reconciliation-rows/"


def due() -> str:
    return (shanghai_today() + datetime.timedelta(days=14)).isoformat()


@pytest.fixture
def round_id(inside, api_as):
    answer = api_as("staff").post(
        ROUNDS,
        {"recommendation": inside.recommendations.pk, "answer_due_on": due()},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def test_staff_open_a_round_and_its_rows_are_frozen(inside, round_id, api_as):
    body = api_as("staff").get(f"{ROUNDS}{round_id}/").json()
    rows = api_as("staff").get(ROWS, {"round": round_id}).json()["results"]

    assert (body["scope"], body["status"], body["as_of"]) == (
        "recommendation",
        "open",
        shanghai_today().isoformat(),
    )
    # The signed-off measure (today) and the standing one.
    assert {row["snapshot_status"] for row in rows} == {"signed_off", "not_started"}
    assert {row["status"] for row in rows} == {"pending"}
    assert all(row["differences"] == [] for row in rows)


def test_the_whole_round_over_the_api(inside, round_id, api_as):
    officer, staff = api_as("officer"), api_as("staff")
    rows = officer.get(ROWS, {"round": round_id}).json()["results"]
    by_status = {row["snapshot_status"]: row["id"] for row in rows}

    disputed = officer.post(
        f"{ROWS}{by_status['not_started']}/answer/",
        {"answer": "disputed", "note": "该措施为长期坚持"},
        format="json",
    )
    assert disputed.status_code == 200
    assert disputed.json()["differences"] == ["单位对台账有异议"]
    done = officer.post(
        f"{ROWS}{by_status['signed_off']}/answer/", {"answer": "completed"}, format="json"
    )
    assert done.json()["status"] == "answered"

    early = staff.post(f"{ROUNDS}{round_id}/close/", format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "invalid_state"

    for row_id, confirmation, note in (
        (by_status["not_started"], "returned", "请补充佐证"),
        (by_status["signed_off"], "agreed", ""),
    ):
        answer = staff.post(
            f"{ROWS}{row_id}/confirm/", {"confirmation": confirmation, "note": note}, format="json"
        )
        assert answer.status_code == 200 and answer.json()["status"] == "confirmed"

    closed = staff.post(f"{ROUNDS}{round_id}/close/", format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert ReconciliationRound.objects.get(pk=round_id).closed_by.username == "city_staff"


@pytest.mark.parametrize("role", ["officer", "supervisor", "system_admin"])
def test_only_staff_open_a_round(inside, api_as, role):
    answer = api_as(role).post(
        ROUNDS,
        {"recommendation": inside.recommendations.pk, "answer_due_on": due()},
        format="json",
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    assert not ReconciliationRound.objects.exists()


def test_a_letter_out_of_scope_is_an_unknown_id(outside, api_as):
    answer = api_as("staff").post(
        ROUNDS,
        {"recommendation": outside.recommendations.pk, "answer_due_on": due()},
        format="json",
    )

    assert answer.status_code == 422
    assert "recommendation" in answer.json()["errors"]


def test_refusals_keep_the_error_shape(inside, round_id, api_as):
    row_id = api_as("officer").get(ROWS, {"round": round_id}).json()["results"][0]["id"]

    by_staff = api_as("staff").post(
        f"{ROWS}{row_id}/answer/", {"answer": "in_progress", "note": "x"}, format="json"
    )
    no_note = api_as("officer").post(
        f"{ROWS}{row_id}/answer/", {"answer": "disputed"}, format="json"
    )
    unanswered = api_as("staff").post(
        f"{ROWS}{row_id}/confirm/", {"confirmation": "agreed"}, format="json"
    )
    again = api_as("staff").post(
        ROUNDS,
        {"recommendation": inside.recommendations.pk, "answer_due_on": due()},
        format="json",
    )

    assert (by_staff.status_code, by_staff.json()["code"]) == (403, "permission_denied")
    assert no_note.status_code == 409 and "note" in no_note.json()["errors"]
    assert (unanswered.status_code, unanswered.json()["detail"]) == (409, "单位尚未答复此行。")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")
    assert ReconciliationRow.objects.get(pk=row_id).status == "pending"


def test_outsiders_find_no_round(inside, round_id, outside, api_as):
    other = api_as("other_staff")

    assert other.get(f"{ROUNDS}{round_id}/").status_code == 404
    assert other.get(ROUNDS).json()["results"] == []
    assert other.get(ROWS).json()["results"] == []
    assert api_as("system_admin").get(ROUNDS).status_code == 403


def test_completed_over_the_api_asks_for_sign_off(inside, api_as):
    measure = inside.standing  # not started
    assert measure.status == Measure.Status.NOT_STARTED
    opened = api_as("staff").post(
        ROUNDS, {"unit": measure.unit_id, "answer_due_on": due()}, format="json"
    )
    round_id = opened.json()["id"]
    row = ReconciliationRow.objects.get(round_id=round_id, measure=measure)

    answer = api_as("officer").post(
        f"{ROWS}{row.pk}/answer/", {"answer": "completed"}, format="json"
    )

    assert answer.status_code == 409
    assert answer.json()["detail"] == "请先报送进展并上传佐证材料，再答复已完成。"


def test_a_sector_round_over_the_api(inside, world, api_as):
    staff = api_as("staff")
    body = {"unit": world.units.city.pk, "sector": "construction", "answer_due_on": due()}

    answer = staff.post(ROUNDS, body, format="json")

    assert answer.status_code == 201, answer.content
    opened = answer.json()
    assert (opened["scope"], opened["unit"], opened["sector"]) == (
        "sector",
        world.units.city.pk,
        "construction",
    )
    listed = staff.get(ROUNDS, {"sector": "construction"}).json()["results"]
    assert [row["id"] for row in listed] == [opened["id"]]
    unknown = staff.post(ROUNDS, body | {"sector": "nonsense"}, format="json")
    assert unknown.status_code == 400
    assert "sector" in unknown.json()["errors"]
