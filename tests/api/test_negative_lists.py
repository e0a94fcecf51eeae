"""Negative lists (负面清单) over the API: drafted, filled, published, checked, withdrawn and
deleted with the same scope, rules, refusals and error shape as the pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import ProcessStage
from core.domain import max_value_of, shanghai_today
from negativelists.models import NegativeList, NegativeListCheck
from notifications.models import Notification

LISTS = "/api/v1/negative-lists/"
ENTRIES = "/api/v1/negative-list-entries/"
CHECKS = "/api/v1/negative-list-checks/"

pytestmark = pytest.mark.django_db


def drafted(client, **fields) -> dict:
    answer = client.post(
        LISTS, {"tier": "party_members", "title": "党员干部负面清单"} | fields, format="json"
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def add_entry(client, list_id, requirement="严禁插手干预工程招投标", **fields):
    return client.post(
        f"{LISTS}{list_id}/entries/", {"requirement": requirement} | fields, format="json"
    )


def test_an_officer_drafts_fills_and_publishes_their_units_list(world, api_as):
    officer = api_as("officer")
    negative_list = drafted(officer)
    assert negative_list["unit"] == world.units.housing.pk  # their own unit by default
    assert negative_list["status"] == "draft" and negative_list["entries"] == []

    stage = ProcessStage.objects.get(name="招投标")
    first = add_entry(officer, negative_list["id"], risk_point="评标专家抽取", kind="preventive")
    second = add_entry(officer, negative_list["id"], process_stage=stage.pk)
    assert first.status_code == 201 and second.status_code == 201
    assert (first.json()["number"], second.json()["number"]) == (1, 2)
    assert second.json()["kind"] == "prohibitive" and second.json()["risk_point"] == ""

    published = officer.post(f"{LISTS}{negative_list['id']}/publish/")
    assert published.status_code == 200, published.content
    body = published.json()
    assert body["status"] == "published" and body["published_on"] == shanghai_today().isoformat()
    assert [entry["number"] for entry in body["entries"]] == [1, 2]
    assert Notification.objects.filter(recipient=world.users.city_staff).exists()


def test_a_published_list_no_longer_changes(world, api_as):
    officer = api_as("officer")
    list_id = drafted(officer)["id"]
    entry_id = add_entry(officer, list_id).json()["id"]
    assert officer.post(f"{LISTS}{list_id}/publish/").status_code == 200

    refusals = [
        officer.patch(f"{LISTS}{list_id}/", {"title": "改"}, format="json"),
        add_entry(officer, list_id),
        officer.patch(f"{ENTRIES}{entry_id}/", {"requirement": "改"}, format="json"),
        officer.delete(f"{ENTRIES}{entry_id}/"),
        officer.delete(f"{LISTS}{list_id}/"),
        officer.post(f"{LISTS}{list_id}/publish/"),
    ]
    assert [answer.status_code for answer in refusals] == [409] * 6
    assert refusals[0].json()["code"] == "invalid_state"
    assert NegativeList.objects.get().title == "党员干部负面清单"


def test_a_draft_is_edited_and_deleted_and_its_entries_renumbered(world, api_as):
    officer = api_as("officer")
    list_id = drafted(officer)["id"]
    ids = [add_entry(officer, list_id, f"第{n}条").json()["id"] for n in (1, 2, 3)]

    renamed = officer.patch(f"{LISTS}{list_id}/", {"tier": "leadership"}, format="json")
    assert renamed.status_code == 200
    assert (renamed.json()["tier"], renamed.json()["title"]) == ("leadership", "党员干部负面清单")
    changed = officer.put(
        f"{ENTRIES}{ids[1]}/", {"requirement": "改写", "kind": "preventive"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["requirement"] == "改写"
    assert officer.delete(f"{ENTRIES}{ids[0]}/").status_code == 204
    rows = officer.get(ENTRIES, {"negative_list": list_id}).json()["results"]
    assert [(row["number"], row["requirement"]) for row in rows] == [(1, "改写"), (2, "第3条")]

    assert officer.delete(f"{LISTS}{list_id}/").status_code == 204
    assert not NegativeList.objects.exists()


def test_staff_link_source_cases_that_officers_never_see(world, api_as, housing_case):
    staff, officer = api_as("staff"), api_as("officer")
    negative_list = drafted(staff, unit=world.units.housing.pk, source_cases=[housing_case.pk])
    assert negative_list["source_cases"] == [housing_case.pk]
    # The officer reads the list without its cases, and edits it without touching them.
    seen = officer.get(f"{LISTS}{negative_list['id']}/").json()
    assert seen["source_cases"] == []
    assert (
        officer.patch(
            f"{LISTS}{negative_list['id']}/", {"title": "修订稿"}, format="json"
        ).status_code
        == 200
    )
    assert staff.get(f"{LISTS}{negative_list['id']}/").json()["source_cases"] == [housing_case.pk]
    # Naming a case is naming a record the officer cannot see: that id does not exist for them.
    refused = officer.patch(
        f"{LISTS}{negative_list['id']}/", {"source_cases": [housing_case.pk]}, format="json"
    )
    assert refused.status_code == 422 and "source_cases" in refused.json()["errors"]


def test_staff_record_checks_and_breaches_tell_the_unit(world, api_as):
    staff, officer = api_as("staff"), api_as("officer")
    list_id = drafted(officer)["id"]
    add_entry(officer, list_id)
    early = {"checked_on": shanghai_today().isoformat(), "finding": "执行良好"}
    assert staff.post(f"{LISTS}{list_id}/checks/", early, format="json").status_code == 409
    officer.post(f"{LISTS}{list_id}/publish/")

    by_officer = officer.post(f"{LISTS}{list_id}/checks/", early, format="json")
    assert by_officer.status_code == 403
    breach = {"checked_on": shanghai_today().isoformat(), "finding": "一人违规", "breaches": 1}
    recorded = staff.post(f"{LISTS}{list_id}/checks/", breach, format="json")
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["breaches"] == 1
    assert Notification.objects.filter(recipient=world.users.housing_officer).exists()
    rows = officer.get(CHECKS, {"negative_list": list_id}).json()["results"]
    assert [row["finding"] for row in rows] == ["一人违规"]

    future = breach | {"checked_on": (shanghai_today() + datetime.timedelta(days=1)).isoformat()}
    dated = staff.post(f"{LISTS}{list_id}/checks/", future, format="json")
    assert dated.status_code == 422 and "checked_on" in dated.json()["errors"]
    too_many = breach | {"breaches": max_value_of(NegativeListCheck, "breaches") + 1}
    assert staff.post(f"{LISTS}{list_id}/checks/", too_many, format="json").status_code == 400
    assert NegativeListCheck.objects.count() == 1


def test_roles_and_scope(world, api_as):
    list_id = drafted(api_as("officer"))["id"]
    assert api_as("supervisor").get(f"{LISTS}{list_id}/").status_code == 200
    assert api_as("supervisor").post(LISTS, {}, format="json").status_code == 403
    assert api_as("health_officer").get(f"{LISTS}{list_id}/").status_code == 404
    assert api_as("system_admin").get(LISTS).status_code == 403
    # A commission is no case unit: the list is refused in words, nothing saved.
    refused = api_as("staff").post(
        LISTS,
        {"tier": "party_members", "title": "清单", "unit": world.units.city.pk},
        format="json",
    )
    assert refused.status_code == 422 and "unit" in refused.json()["errors"]
    # Ids come as a JSON array: an object (whose keys DRF would take for ids) is refused.
    not_a_list = api_as("staff").post(
        LISTS,
        {"tier": "party_members", "title": "清单", "source_cases": {}},
        format="json",
    )
    assert not_a_list.status_code == 400
    assert not_a_list.json()["errors"]["source_cases"][0].startswith("期望为一个包含物件的列表")
    assert NegativeList.objects.count() == 1


def test_the_list_filters_and_reads_a_fixed_number_of_queries(world, api_as):
    officer = api_as("officer")
    for tier in ("party_members", "leadership", "middle_managers"):
        list_id = drafted(officer, tier=tier, title=f"{tier}清单")["id"]
        add_entry(officer, list_id, "严禁收受礼金")
        add_entry(officer, list_id)
    officer.post(f"{LISTS}{list_id}/publish/")

    def read(**query):
        with CaptureQueriesContext(connection) as queries:
            answer = officer.get(LISTS, query)
        assert answer.status_code == 200
        return len(queries), answer.json()

    few, one = read(page_size=1)
    many, page = read(page_size=50)
    assert (len(one["results"]), len(page["results"])) == (1, 3)
    assert few == many
    assert {row["tier"] for row in read(status="published")[1]["results"]} == {"middle_managers"}
    assert read(tier="leadership")[1]["count"] == 1
    assert read(q="礼金")[1]["count"] == 3
    assert read(unit=world.units.health.pk)[1]["count"] == 0
