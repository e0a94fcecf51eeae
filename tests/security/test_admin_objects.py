"""The back office's object pages (change, history, delete) for another city's records: every role
gets a redirect to the index ("no such object") or a refusal, never the record. Which pages each
role opens at all is tests/test_admin.py's business."""

import pytest
from django.contrib import admin
from django.db.models import Model
from django.urls import reverse

from recommendations.models import EvaluationTemplate

from .conftest import ROLES

# Not in the back office: Excel imports and notifications (each seen by its own user only).
# Evaluation templates are the whole system's settings, no city's records
# (tests/recommendations/test_evaluation_admin.py); the scene's evaluator is an account ("user").
# Account administrators keep the whole org tree and every account (docs/architecture.md).
SEES_WHOLE_TREE = {"system_admin", "security_admin"}
OUT_OF_REACH = {302, 403, 404}


def outside_records(scene) -> dict[str, Model]:
    records = {
        name: value
        for name, value in vars(scene.outside).items()
        if isinstance(value, Model)
        and type(value) in admin.site._registry
        and not isinstance(value, EvaluationTemplate)
        and name != "evaluator"
        and name != "inspector_peer"  # a unit of the org tree, as "unit" (交叉检查's peer)
    }
    records["user"] = scene.world.users.other_staff
    return records


RECORD_NAMES = [
    "unit",
    "case",
    "problem",
    "recommendation",
    "item",
    "draft",
    "draft_item",
    "measure",
    "open_measure",
    "report",
    "evidence",
    "extension",
    "follow_up",
    "evaluation",
    "rule_change",
    "activity",
    "reconciliation_schedule",
    "negative_list",
    "negative_list_draft",
    "user",
]


def test_the_list_covers_every_registered_record_of_the_scene(scene):
    assert set(outside_records(scene)) == set(RECORD_NAMES)


def admin_url(record: Model, view: str) -> str:
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[record.pk])


@pytest.mark.parametrize("view", ["change", "history", "delete"])
@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
@pytest.mark.parametrize("record_name", RECORD_NAMES)
def test_another_citys_record_stays_hidden(record_name, role, view, scene, user_of, client, db):
    record = outside_records(scene)[record_name]
    client.force_login(user_of(role))

    answer = client.get(admin_url(record, view))

    if record_name in {"unit", "user"} and role in SEES_WHOLE_TREE:
        assert answer.status_code in {200, 403}  # deleting is the system administrator's
    else:
        assert answer.status_code in OUT_OF_REACH
        if answer.status_code == 302:
            assert answer.url == reverse("admin:index")
