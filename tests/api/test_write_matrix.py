"""Every write and transition action × every role × inside / outside the jurisdiction.

Each action is tried on a record in the state it needs, in the housing bureau (inside the city
commission's tree and the housing officer's unit) or in 吉林市水利局 (outside). Expected:

- the roles the action's rule names succeed (200, or 201 when it adds a record) inside;
- the other roles that read the record are refused by the service (403); a unit officer does not
  see drafts at all (404);
- anyone who reads that kind of record gets 404 for one outside the jurisdiction — and a create
  naming an id outside it is a 400 on that field (the id "does not exist" for them);
- the three separated admins read none of it: 403 everywhere.
"""

import datetime
from types import SimpleNamespace

import pytest

from cases import typical
from cases.models import ProcessStage
from core.domain import shanghai_today
from recommendations import services as recommendation_services
from reforms import services as reform_services
from reforms.models import Activity, Measure, RuleChange
from tests import factories
from tests.reforms.conftest import advance

from .conftest import ROLES

Status = Measure.Status
ADMINS = {"system_admin", "security_admin", "audit_admin"}


def side_of(world, water_officer, where):
    if where == "inside":
        return SimpleNamespace(
            unit=world.units.housing,
            commission=world.units.city,
            staff=world.users.city_staff,
            officer=world.users.housing_officer,
        )
    return SimpleNamespace(
        unit=world.units.water,
        commission=world.units.other_city,
        staff=world.users.other_staff,
        officer=water_officer,
    )


def new_case(side):
    return factories.case(case_unit=side.unit, commission=side.commission, created_by=side.staff)


def closed_case(side):
    return factories.case(
        case_unit=side.unit,
        commission=side.commission,
        created_by=side.staff,
        status="closed",
        closed_on=datetime.date(2025, 9, 1),
    )


def typical_case(side):
    case = closed_case(side)
    typical.case_mark_typical(case=case, actor=side.staff, reasons=["warning"])
    return case


def draft(side):
    return factories.draft_recommendation(staff=side.staff, the_case=new_case(side))


def issued(side):
    return factories.issued_recommendation(staff=side.staff, the_case=new_case(side))


def acknowledged(side, *, with_measure=False):
    rec = recommendation_services.recommendation_acknowledge(
        recommendation=issued(side), actor=side.officer
    )
    if with_measure:
        rec.measure = factories.measure(recommendation=rec, actor=side.officer)
    return rec


def rectifying(side):
    rec = acknowledged(side, with_measure=True)
    recommendation_services.recommendation_start_rectification(
        recommendation=rec, actor=side.officer
    )
    return rec


def replied(side):
    rec = rectifying(side)
    advance(rec.measure, to=Status.SIGNED_OFF, staff=side.staff, officer=side.officer)
    recommendation_services.recommendation_submit_reply(
        recommendation=rec, actor=side.officer, content="整改报告"
    )
    return rec


def closed(side):
    rec = replied(side)
    return recommendation_services.recommendation_close(recommendation=rec, actor=side.staff)


def measure(side, status):
    rec = acknowledged(side)
    built = factories.measure(recommendation=rec, actor=side.officer)
    return advance(built, to=status, staff=side.staff, officer=side.officer)


def pending_extension(side):
    return reform_services.extension_request_submit(
        measure=measure(side, Status.IN_PROGRESS),
        actor=side.officer,
        requested_due_on=datetime.date(2026, 12, 31),
        reason="汛期",
    )


def scheduled_follow_up(side):
    return reform_services.follow_up_schedule(
        recommendation=closed(side), actor=side.staff, scheduled_on=datetime.date(2099, 1, 1)
    )


# name: (method, build(side) -> (url, body, multipart), allowed roles, success, kind)
# kind: "detail" acts on a record; "draft" on a draft (hidden from officers); "create" names ids.
ACTIONS = {
    "case create": (
        "post",
        lambda side: (
            "cases/",
            {
                "number": f"案-{side.unit.pk}-新",
                "title": "某局工程项目受贿案",
                "commission": side.commission.pk,
                "case_unit": side.unit.pk,
                "sector": "construction",
                "level": "county",
                "amount": "350000.00",
                "opened_on": "2026-02-01",
                "subjects": [{"name": "李某", "position": "副局长", "is_top_leader": False}],
            },
            False,
        ),
        {"staff"},
        201,
        "create",
    ),
    "case edit": (
        "patch",
        lambda side: (f"cases/{new_case(side).pk}/", {"status": "investigating"}, False),
        {"staff"},
        200,
        "detail",
    ),
    "case mark typical": (
        "post",
        lambda side: (
            f"cases/{closed_case(side).pk}/mark-typical/",
            {"reasons": ["typicality"], "audience_sectors": ["water"]},
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
    "case unmark typical": (
        "post",
        lambda side: (f"cases/{typical_case(side).pk}/unmark-typical/", {"reason": "撤"}, False),
        {"staff"},
        200,
        "detail",
    ),
    "case analysis": (
        "put",
        lambda side: (
            f"cases/{new_case(side).pk}/analysis/",
            {
                "trajectory": "",
                "root_causes": "监督缺位",
                "loopholes": "评审专家由局长指定",
                "lessons": "",
                "completed_on": None,
            },
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
    "problem create": (
        "post",
        lambda side: (
            "problems/",
            {
                "case": new_case(side).pk,
                "unit": side.unit.pk,
                "category": "risk_point",
                "process_stage": ProcessStage.objects.get(name="招投标").pk,
                "description": "评审专家由局长指定",
            },
            False,
        ),
        {"staff"},
        201,
        "create",
    ),
    "problem edit": (
        "patch",
        lambda side: (
            f"problems/{factories.problem(new_case(side)).pk}/",
            {"description": "评审专家抽取不随机"},
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
    "measure create": (
        "post",
        lambda side: (
            "measures/",
            {
                "item": acknowledged(side).items.first().pk,
                "content": "建立制度",
                "standard": "印发",
                "owner_name": "李明",
                "leader_name": "王局长",
                "due_on": "2026-08-31",
            },
            False,
        ),
        {"officer", "staff"},
        201,
        "create",
    ),
    "measure edit": (
        "patch",
        lambda side: (
            f"measures/{measure(side, Status.IN_PROGRESS).pk}/",
            {"owner_name": "赵强"},
            False,
        ),
        {"officer", "staff"},
        200,
        "detail",
    ),
    "progress": (
        "post",
        lambda side: (
            f"measures/{measure(side, Status.NOT_STARTED).pk}/progress/",
            {"content": "已起草", "percent_complete": 20},
            False,
        ),
        {"officer"},
        201,
        "detail",
    ),
    "evidence upload": (
        "post",
        lambda side: (
            "evidence/",
            {"measure": measure(side, Status.IN_PROGRESS).pk, "file": factories.evidence_file()},
            True,
        ),
        {"officer"},
        201,
        "create",
    ),
    "request-signoff": (
        "post",
        lambda side: (_in_progress_with_evidence(side), {}, False),
        {"officer"},
        200,
        "detail",
    ),
    "sign-off": (
        "post",
        lambda side: (
            f"measures/{measure(side, Status.AWAITING_SIGNOFF).pk}/sign-off/",
            {"note": "经核查，整改到位"},
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
    "return": (
        "post",
        lambda side: (
            f"measures/{measure(side, Status.AWAITING_SIGNOFF).pk}/return/",
            {"reason_code": "insufficient_evidence"},
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
    "request-extension": (
        "post",
        lambda side: (
            f"measures/{measure(side, Status.IN_PROGRESS).pk}/request-extension/",
            {"requested_due_on": "2026-12-31", "reason": "汛期"},
            False,
        ),
        {"officer"},
        201,
        "detail",
    ),
    "extension approve": (
        "post",
        lambda side: (f"extension-requests/{pending_extension(side).pk}/approve/", {}, False),
        {"staff"},
        200,
        "detail",
    ),
    "extension reject": (
        "post",
        lambda side: (
            f"extension-requests/{pending_extension(side).pk}/reject/",
            {"note": "理由不足"},
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
    "recommendation create": (
        "post",
        lambda side: (
            "recommendations/",
            {
                "title": "关于加强管理的纪检监察建议",
                "issuer": side.commission.pk,
                "recipient_unit": side.unit.pk,
                "cases": [new_case(side).pk],
                "reply_due_on": "2027-03-31",
            },
            False,
        ),
        {"staff"},
        201,
        "create",
    ),
    "items": (
        "post",
        lambda side: _item(side),
        {"staff"},
        201,
        "draft",
    ),
    "issue": (
        "post",
        lambda side: (f"recommendations/{draft(side).pk}/issue/", {}, False),
        {"staff"},
        200,
        "draft",
    ),
    "acknowledge": (
        "post",
        lambda side: (f"recommendations/{issued(side).pk}/acknowledge/", {}, False),
        {"officer"},
        200,
        "detail",
    ),
    "start-rectification": (
        "post",
        lambda side: (
            f"recommendations/{acknowledged(side, with_measure=True).pk}/start-rectification/",
            {},
            False,
        ),
        {"officer"},
        200,
        "detail",
    ),
    "reply": (
        "post",
        lambda side: (f"recommendations/{rectifying(side).pk}/reply/", {"content": "报告"}, False),
        {"officer"},
        201,
        "detail",
    ),
    "return-reply": (
        "post",
        lambda side: (
            f"recommendations/{replied(side).pk}/return-reply/",
            {"reason": "不具体"},
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
    "close": (
        "post",
        lambda side: (f"recommendations/{replied(side).pk}/close/", {}, False),
        {"staff"},
        200,
        "detail",
    ),
    "evaluate": (
        "post",
        lambda side: (
            f"recommendations/{closed(side).pk}/evaluate/",
            {"method": "written", "score": 85, "rating": "good"},
            False,
        ),
        {"staff"},
        201,
        "detail",
    ),
    "schedule follow-up": (
        "post",
        lambda side: (
            f"recommendations/{closed(side).pk}/follow-ups/",
            {"scheduled_on": "2099-01-01"},
            False,
        ),
        {"staff"},
        201,
        "detail",
    ),
    "rule change create": (
        "post",
        lambda side: (
            "rule-changes/",
            {
                "measure": acknowledged(side, with_measure=True).measure.pk,
                "kind": "revised",
                "title": "修订《“三重一大”事项集体决策制度实施细则》",
                "effective_on": _today(),
            },
            False,
        ),
        {"officer", "staff"},
        201,
        "create",
    ),
    "rule change edit": (
        "patch",
        lambda side: (
            f"rule-changes/{_outcome(side, RuleChange).pk}/",
            {"kind": "abolished"},
            False,
        ),
        {"officer", "staff"},
        200,
        "detail",
    ),
    "rule change delete": (
        "delete",
        lambda side: (f"rule-changes/{_outcome(side, RuleChange).pk}/", None, False),
        {"officer", "staff"},
        204,
        "detail",
    ),
    "activity create": (
        "post",
        lambda side: (
            "activities/",
            {
                "recommendation": acknowledged(side).pk,
                "kind": "special_meeting",
                "title": "以案促改专题民主生活会",
                "held_on": _today(),
                "participant_count": 9,
            },
            False,
        ),
        {"officer", "staff"},
        201,
        "create",
    ),
    "activity edit": (
        "patch",
        lambda side: (
            f"activities/{_outcome(side, Activity).pk}/",
            {"participant_count": 130},
            False,
        ),
        {"officer", "staff"},
        200,
        "detail",
    ),
    "activity delete": (
        "delete",
        lambda side: (f"activities/{_outcome(side, Activity).pk}/", None, False),
        {"officer", "staff"},
        204,
        "detail",
    ),
    "record follow-up": (
        "post",
        lambda side: (
            f"follow-ups/{scheduled_follow_up(side).pk}/record/",
            {"outcome": "consolidated"},
            False,
        ),
        {"staff"},
        200,
        "detail",
    ),
}


def _outcome(side, model):
    rec = acknowledged(side, with_measure=True)
    fields = {"unit": side.unit, "recommendation": rec, "created_by": side.officer}
    if model is RuleChange:
        return RuleChange.objects.create(kind="revised", title="招投标管理办法", **fields)
    return Activity.objects.create(
        kind="warning_education", title="警示教育大会", held_on=shanghai_today(), **fields
    )


def _today():
    return shanghai_today().isoformat()


def _in_progress_with_evidence(side):
    built = measure(side, Status.IN_PROGRESS)
    reform_services.evidence_add(measure=built, actor=side.officer, file=factories.evidence_file())
    return f"measures/{built.pk}/request-signoff/"


def _item(side):
    rec = draft(side)
    problem = factories.problem(rec.cases.first())
    return (
        f"recommendations/{rec.pk}/items/",
        {"content": "健全制度", "problems": [problem.pk]},
        False,
    )


# Case content: unit officers do not read it at all.
CASE_CONTENT = {
    "case create",
    "case edit",
    "case analysis",
    "case mark typical",
    "case unmark typical",
    "problem create",
    "problem edit",
}

# Creates check the role's right before the ids (the same rule the service applies).
CREATE_RIGHT = {
    "case create": {"staff"},
    "problem create": {"staff"},
    "measure create": {"officer", "staff"},
    "rule change create": {"officer", "staff"},
    "activity create": {"officer", "staff"},
    "recommendation create": {"staff"},
    "evidence upload": {"officer", "staff", "supervisor"},  # checked on the measure, by the service
}


def expected(action: str, role: str, where: str) -> int:
    _method, _build, allowed, success, kind = ACTIONS[action]
    if role in ADMINS or (action in CASE_CONTENT and role == "officer"):
        return 403
    if kind == "create" and role not in CREATE_RIGHT[action]:
        return 403
    if where == "outside":
        if action == "case create":
            return 403  # the service refuses units outside the jurisdiction
        return 422 if kind == "create" else 404  # an id of no record in the user's sight
    if kind == "draft" and role == "officer":
        return 404
    return success if role in allowed else 403


@pytest.mark.parametrize("where", ["inside", "outside"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_write_matrix(action, role, where, world, water_officer, api_as):
    method, build, *_ = ACTIONS[action]
    url, body, multipart = build(side_of(world, water_officer, where))
    client = api_as(role)
    answer = getattr(client, method)(
        f"/api/v1/{url}", body, format="multipart" if multipart else "json"
    )
    assert answer.status_code == expected(action, role, where), answer.content
    if answer.status_code >= 400:
        assert set(answer.json()) == {"code", "detail", "errors"}
