"""Self-inspection campaigns over the API: drafted, launched, answered, submitted, urged and
closed with the same scope, rules, refusals and error shape as the pages."""

import datetime

import pytest

from audit.models import AuditEntry
from cases.models import ProcessStage
from core.domain import shanghai_today
from notifications.models import Notification
from recommendations.models import Recommendation

CAMPAIGNS = "/api/v1/campaigns/"
UNITS = "/api/v1/campaign-units/"

pytestmark = pytest.mark.django_db


def body(**fields):
    stage = ProcessStage.objects.get(name="招投标")
    return {
        "title": "住建领域举一反三",
        "sector": "construction",
        "answer_due_on": (shanghai_today() + datetime.timedelta(days=14)).isoformat(),
        "items": [
            {"category": "risk_point", "process_stage": stage.pk, "text": "检查评标专家抽取"},
            {"category": "institutional_gap", "text": "检查招标文件审核制度"},
        ],
    } | fields


@pytest.fixture
def campaign_id(world, api_as):
    answer = api_as("staff").post(CAMPAIGNS, body(), format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def test_the_whole_campaign_over_the_api(world, campaign_id, api_as):
    staff, officer = api_as("staff"), api_as("officer")
    launched = staff.post(f"{CAMPAIGNS}{campaign_id}/launch/")
    assert launched.status_code == 200 and launched.json()["status"] == "launched"
    items = [item["id"] for item in launched.json()["items"]]

    rows = officer.get(UNITS, {"campaign": campaign_id}).json()["results"]
    # The bureau and its station (the officer's subtree), never the health commission's row.
    assert {row["unit"] for row in rows} == {world.units.housing.pk, world.units.station.pk}
    assert not api_as("health_officer").get(UNITS, {"campaign": campaign_id}).json()["results"]
    row_id = next(row["id"] for row in rows if row["unit"] == world.units.housing.pk)
    saved = officer.post(
        f"{UNITS}{row_id}/answer/",
        {"answers": [{"item": items[0], "found": True, "finding": "评标专家由局长指定"}]},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["status"] == "pending"
    early = officer.post(f"{UNITS}{row_id}/submit/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "invalid"
    done = officer.post(
        f"{UNITS}{row_id}/submit/",
        {"answers": [{"item": items[1], "found": False}]},
        format="json",
    )
    assert done.status_code == 200, done.content
    answered = done.json()
    assert answered["status"] == "answered" and answered["found_count"] == 1
    letter = Recommendation.objects.get(pk=answered["rectification"])
    assert letter.kind == "self_inspection" and letter.items.count() == 1
    assert answered["answers"][0]["rectification_item"] == letter.items.get().pk

    urged = api_as("supervisor").post(f"{CAMPAIGNS}{campaign_id}/urge/", {}, format="json")
    assert urged.status_code == 200  # the station has not answered
    again = api_as("supervisor").post(f"{CAMPAIGNS}{campaign_id}/urge/", {}, format="json")
    assert again.status_code == 409
    closed = staff.post(f"{CAMPAIGNS}{campaign_id}/close/")
    assert closed.json()["status"] == "closed"
    assert AuditEntry.objects.filter(object_type="campaigns.campaign").exists()


def test_refusals_by_role_and_scope(world, campaign_id, api_as):
    assert api_as("officer").post(CAMPAIGNS, body(), format="json").status_code == 403
    assert api_as("supervisor").post(CAMPAIGNS, body(), format="json").status_code == 403
    # A draft is not the unit's yet: 404 for its officer, 403 for a launch by a supervisor.
    assert api_as("officer").get(f"{CAMPAIGNS}{campaign_id}/").status_code == 404
    assert api_as("supervisor").post(f"{CAMPAIGNS}{campaign_id}/launch/").status_code == 403
    assert api_as("other_staff").get(f"{CAMPAIGNS}{campaign_id}/").status_code == 404
    assert api_as("system_admin").get(CAMPAIGNS).status_code == 403
    api_as("staff").post(f"{CAMPAIGNS}{campaign_id}/launch/")
    row_id = api_as("staff").get(UNITS, {"campaign": campaign_id}).json()["results"][0]["id"]
    refused = api_as("staff").post(f"{UNITS}{row_id}/submit/", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert api_as("health_officer").get(f"{UNITS}{row_id}/").status_code == 404
    bad = api_as("staff").post(CAMPAIGNS, body(items=[]), format="json")
    assert bad.status_code == 422
    assert not Notification.objects.filter(kind="urging").exists()


def test_staff_edit_and_delete_a_draft_only(world, campaign_id, api_as):
    staff = api_as("staff")
    detail = f"{CAMPAIGNS}{campaign_id}/"
    renamed = staff.patch(detail, {"title": "住建领域举一反三（修订）"}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["title"] == "住建领域举一反三（修订）"
    assert [item["text"] for item in renamed.json()["items"]] == [
        "检查评标专家抽取",
        "检查招标文件审核制度",
    ]
    # The chosen units sent alone replace the sector; the checklist sent replaces the old one.
    chosen = staff.patch(
        detail,
        {
            "units": [world.units.housing.pk],
            "items": [{"category": "blind_spot", "text": "检查工程变更签证"}],
            "mode": "cross_inspection",
        },
        format="json",
    )
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["sector"] == "" and chosen.json()["mode"] == "cross_inspection"
    assert [(i["number"], i["text"]) for i in chosen.json()["items"]] == [(1, "检查工程变更签证")]
    assert api_as("supervisor").patch(detail, {"title": "改"}, format="json").status_code == 403
    assert api_as("officer").patch(detail, {"title": "改"}, format="json").status_code == 404
    assert api_as("supervisor").delete(detail).status_code == 403
    assert staff.put(detail, body(), format="json").json()["sector"] == "construction"

    staff.post(f"{detail}launch/")
    assert staff.patch(detail, {"title": "改"}, format="json").status_code == 409
    assert staff.delete(detail).status_code == 409

    draft_id = staff.post(CAMPAIGNS, body(title="作废的草稿"), format="json").json()["id"]
    assert staff.delete(f"{CAMPAIGNS}{draft_id}/").status_code == 204
    assert staff.get(f"{CAMPAIGNS}{draft_id}/").status_code == 404
    deleted = AuditEntry.objects.filter(
        object_type="campaigns.campaign", object_id=str(draft_id), action="delete"
    )
    assert deleted.exists()


def test_a_patch_takes_whole_checklist_lines_and_others_are_refused_first(
    world, campaign_id, api_as
):
    """make fuzz: a PATCH whose line lacked its text was a 500 (DRF skips a nested line's missing
    fields in a partial update); and a role that may not edit is refused before the body."""
    detail = f"{CAMPAIGNS}{campaign_id}/"
    line = {"category": "institutional_gap", "process_stage": None}
    partial = api_as("staff").patch(detail, {"items": [line]}, format="json")
    assert partial.status_code == 400
    assert partial.json()["errors"] == {"items": ["该字段是必填项。"]}
    refused = api_as("supervisor").patch(detail, {"items": [line]}, format="json")
    assert refused.status_code == 403
