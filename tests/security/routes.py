"""Every route of the project, found by walking the URL resolver, and who may use each.

The table below is written from the product's roles (docs/architecture.md), not read from the
app's own permission functions: it is the specification the pages are checked against.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from core.domain import shanghai_today

STAFF = frozenset({"staff", "county_staff", "group_staff"})
OFFICERS = frozenset({"officer", "other_officer"})
ADMINS = frozenset({"system_admin", "security_admin", "audit_admin"})
CASE_READERS = STAFF | {"supervisor"}
READERS = CASE_READERS | OFFICERS
WRITERS = STAFF | OFFICERS  # a unit's own records: its negative lists
SIGNED_IN = READERS | ADMINS
# Who sees the housing bureau's records: the city's staff and supervisor and the bureau's officer.
# County and group staff and the health officer have other subtrees: the records are not theirs.
SEES_HOUSING = frozenset({"staff", "supervisor", "officer"})

# A POST (with a valid form) that got past the gate: done (302, or 200 for htmx) or a transition
# the record's state refuses (409). Never 403/404, never a 500.
PASSED = frozenset({200, 302, 409})


@dataclass(frozen=True)
class Route:
    """What a route does for each role.

    ``target``: the scene attribute whose pk fills the URL (None: no object).
    ``readers``: roles that see that kind of record (others: ``hidden``, whatever the id).
    ``doers``: readers that may use the route on a record they see (others: ``refused``).
    ``ok``: the answers that mean "done".
    """

    method: str
    doers: frozenset
    target: str | None = None
    readers: frozenset = READERS
    hidden: int = 404
    refused: int = 403
    ok: frozenset = frozenset({200})
    sees_inside: frozenset = SEES_HOUSING
    pk_name: str = "pk"
    kwargs: dict = field(default_factory=dict)
    body: Callable = lambda scene: {}  # a valid form, so a refusal is the rule's, not the form's
    public: bool = False  # open to anonymous visitors too


def get(doers, target=None, **more) -> Route:
    return Route("get", frozenset(doers), target, **more)


def post(doers, target=None, **more) -> Route:
    return Route("post", frozenset(doers), target, **{"ok": PASSED, **more})


def problem_form(scene) -> dict:
    return {
        "category": "risk_point",
        "process_stage": scene.inside.problem.process_stage_id,
        "unit": scene.inside.problem.unit_id,
        "description": "评审专家由局长指定",
    }


def measure_form(scene) -> dict:
    fields = {
        "content": "建立制度",
        "standard": "印发",
        "department": "办公室",
        "owner_name": "李明",
        "leader_name": "王局长",
        "due_on": "2026-08-31",
    }
    return {f"item{scene.inside.item.pk}-{name}": value for name, value in fields.items()}


def evidence_form(scene) -> dict:
    pdf = SimpleUploadedFile("佐证.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    return {"file": pdf, "description": "会议纪要"}


def rule_change_form(scene) -> dict:
    return {"rule-kind": "revised", "rule-title": "修订《招投标管理办法》", "rule-effective_on": ""}


def activity_form(scene) -> dict:
    return {
        "activity-kind": "warning_education",
        "activity-title": "警示教育大会",
        "activity-held_on": shanghai_today().isoformat(),  # held, and after any letter's issue
        "activity-participant_count": "120",
    }


def evaluator_form(scene) -> dict:
    return {"user": scene.inside.evaluator.pk}  # eligible: the city's supervisor, not on the panel


def scores_form(scene) -> dict:
    indicators = scene.inside.session.template.indicators.all()
    return {f"score_{indicator.pk}": indicator.max_score for indicator in indicators}


def fixed(data: dict) -> Callable:
    return lambda scene: data


CASE = {"readers": CASE_READERS}
# A draft is the commission's own: the unit's officer does not see it yet.
DRAFT = {"sees_inside": frozenset({"staff", "supervisor"})}
MINE = {"readers": SIGNED_IN, "sees_inside": frozenset({"staff"})}  # the city staff's own record

WEB = {
    "home": get(SIGNED_IN, ok=frozenset({200, 302})),  # supervisors and admins are sent on
    "account_security": get(SIGNED_IN),
    "password_change": get(SIGNED_IN),
    "otp_enrol": get(SIGNED_IN),
    "otp_verify": get(SIGNED_IN, ok=frozenset({302})),  # no device yet: on to enrolment
    "notifications": get(SIGNED_IN),
    "notifications_read_all": post(SIGNED_IN),
    "notification_settings": get(SIGNED_IN),
    "notification_read": post(SIGNED_IN, "notification", **MINE),
    "logout": post(SIGNED_IN, public=True),
    "set_language": post(
        SIGNED_IN, ok=frozenset({302}), public=True, body=fixed({"language": "en"})
    ),
    "cases:list": get(CASE_READERS),
    "cases:create": get(STAFF),
    "cases:detail": get(CASE_READERS, "case", **CASE),
    "cases:edit": get(STAFF, "case", **CASE),
    "cases:analysis": get(CASE_READERS, "case", ok=frozenset({302}), **CASE),
    "cases:analysis_edit": get(STAFF, "case", **CASE),
    "cases:problem_add": post(STAFF, "case", body=problem_form, **CASE),
    "cases:problem": get(CASE_READERS, "problem", ok=frozenset({302}), **CASE),
    "cases:problem_edit": get(STAFF, "problem", **CASE),
    "cases:typical": get(CASE_READERS),
    "cases:typical_mark": post(STAFF, "case", body=fixed({"reasons": ["warning"]}), **CASE),
    "cases:typical_unmark": post(STAFF, "case", body=fixed({"reason": "不再适用"}), **CASE),
    # 类案分析: case content; staff of the jurisdiction write, supervisors read.
    "crosscase:list": get(CASE_READERS),
    "crosscase:create": get(STAFF),
    "crosscase:detail": get(CASE_READERS, "analysis", **CASE),
    "crosscase:edit": get(STAFF, "analysis", **CASE),
    "crosscase:problems": get(CASE_READERS, "analysis", **CASE),
    "crosscase:findings": post(
        STAFF, "analysis", body=fixed({"common_patterns": "一把手插手工程"}), **CASE
    ),
    "crosscase:delete": post(STAFF, "analysis", **CASE),
    "recommendations:list": get(READERS),
    "recommendations:create": get(STAFF),
    "recommendations:detail": get(READERS, "recommendation"),
    "recommendations:print": get(CASE_READERS, "recommendation"),
    "recommendations:edit": get(STAFF, "draft", **DRAFT),
    "recommendations:delete": post(STAFF, "draft", **DRAFT),
    "recommendations:item_add": post(STAFF, "draft", body=fixed({"content": "建立制度"}), **DRAFT),
    "recommendations:item_edit": get(STAFF, "draft_item", **DRAFT),
    "recommendations:item_remove": post(STAFF, "draft_item", **DRAFT),
    "recommendations:follow_up_record": post(
        STAFF,
        "follow_up",
        body=fixed({"conducted_on": "2026-06-01", "outcome": "consolidated", "findings": "巩固"}),
    ),
    "recommendations:issue": post(STAFF, "draft", **DRAFT),
    "recommendations:return": post(STAFF, "recommendation", body=fixed({"reason": "不实"})),
    "recommendations:close": post(STAFF, "recommendation"),
    "recommendations:evaluate": post(
        STAFF,
        "recommendation",
        body=fixed({"method": "written", "score": 90, "rating": "good"}),
    ),
    "recommendations:follow_up": post(
        STAFF, "recommendation", body=fixed({"scheduled_on": "2099-06-01"})
    ),
    # 现场答辩式评查: staff in scope run a session; its panel (here the city's staff) scores.
    "recommendations:evaluation_open": get(STAFF, "recommendation"),
    "recommendations:evaluation_session": get(READERS, "session"),
    "recommendations:evaluation_add_member": post(STAFF, "session", body=evaluator_form),
    "recommendations:evaluation_member_remove": post(STAFF, "panel_member"),
    "recommendations:evaluation_record_hearing": post(
        STAFF, "session", body=fixed({"reporter": "局长 王某", "report": "已全部销号。"})
    ),
    "recommendations:evaluation_start_scoring": post(STAFF, "session"),
    "recommendations:evaluation_submit_scores": post({"staff"}, "session", body=scores_form),
    "recommendations:evaluation_conclude": post(STAFF, "session"),
    "recommendations:evaluation_cancel": post(STAFF, "session", body=fixed({"reason": "改期"})),
    "recommendations:acknowledge": post(OFFICERS, "recommendation"),
    "recommendations:start": post(OFFICERS, "recommendation"),
    "recommendations:reply": post(OFFICERS, "recommendation", body=fixed({"content": "整改报告"})),
    # A page a role does not use answers 403; a record outside the scope, 404.
    "reforms:measure_list": get(READERS),
    "reforms:measure_detail": get(READERS, "measure"),
    "reforms:progress_add": post(
        OFFICERS, "open_measure", body=fixed({"content": "进展", "percent_complete": 50})
    ),
    "reforms:evidence_add": post(OFFICERS, "open_measure", body=evidence_form),
    "reforms:signoff_request": post(OFFICERS, "open_measure"),
    "reforms:extension_request": post(
        OFFICERS,
        "open_measure",
        body=fixed({"requested_due_on": "2026-12-31", "reason": "汛期"}),
    ),
    "reforms:sign_off": post(STAFF, "measure", body=fixed({"signoff-note": "核查属实，同意销号"})),
    "reforms:return": post(STAFF, "measure", body=fixed({"reason_code": "paper_rectification"})),
    "reforms:measure_edit": get(STAFF | OFFICERS, "open_measure"),
    "reforms:plan_measure": get(READERS, "measure", ok=frozenset({200, 302})),
    "reforms:evidence_download": get(READERS, "evidence"),
    "reforms:plan": get(READERS, "recommendation"),
    "reforms:plan_item_measures": get(READERS, "item", pk_name="item_pk"),
    "reforms:plan_measure_add": post(
        READERS - {"supervisor"}, "item", pk_name="item_pk", body=measure_form
    ),
    # Outcomes (rule changes, activities): the unit's officer and staff in scope record them
    # against any measure or issued letter they see, signed off or closed included.
    "reforms:measure_rule_change_add": post(STAFF | OFFICERS, "measure", body=rule_change_form),
    "reforms:measure_activity_add": post(STAFF | OFFICERS, "measure", body=activity_form),
    "reforms:recommendation_rule_change_add": post(
        STAFF | OFFICERS, "recommendation", body=rule_change_form
    ),
    "reforms:recommendation_activity_add": post(
        STAFF | OFFICERS, "recommendation", body=activity_form
    ),
    "reforms:rule_change_delete": post(STAFF | OFFICERS, "rule_change"),
    "reforms:activity_delete": post(STAFF | OFFICERS, "activity"),
    # Reconciliation rounds (对账销号): staff open, confirm and close; the unit's officer answers.
    "reforms:reconciliation_list": get(READERS),
    "reforms:reconciliation_open": get(STAFF),
    "reforms:reconciliation_detail": get(READERS, "reconciliation"),
    "reforms:reconciliation_answer": post(
        OFFICERS,
        "reconciliation_row",
        body=fixed({"answer": "disputed", "note": "台账所列时限有误"}),
    ),
    "reforms:reconciliation_confirm": post(
        STAFF, "reconciliation_row", body=fixed({"confirmation": "agreed"})
    ),
    "reforms:reconciliation_close": post(STAFF, "reconciliation"),
    # Self-inspection campaigns (举一反三): staff draft, edit, delete, launch and close; case
    # readers urge; the targeted unit's officer answers (others in scope read the answers).
    "campaigns:list": get(READERS),
    "campaigns:create": get(STAFF),
    "campaigns:detail": get(READERS, "campaign"),
    # A draft: its officers have not been told of it (404), like any record out of their sight.
    "campaigns:edit": get(STAFF, "campaign_draft", readers=CASE_READERS),
    "campaigns:delete": post(STAFF, "campaign_draft", readers=CASE_READERS),
    "campaigns:launch": post(STAFF, "campaign"),
    "campaigns:urge": post(CASE_READERS, "campaign"),
    "campaigns:close": post(STAFF, "campaign"),
    "campaigns:answer": get(READERS, "campaign_unit"),
    # 交叉检查: staff in scope reassign a unit's inspector and record spot checks; the housing
    # bureau's officer sees the cross-inspection (its unit is inspected and inspects another).
    "campaigns:reassign": post(
        STAFF,
        "cross_campaign_unit",
        body=lambda scene: {"inspector": scene.inside.inspector_peer.pk},
    ),
    "campaigns:spot_check": post(
        STAFF,
        "cross_campaign",
        body=lambda scene: {
            "campaign_unit": scene.inside.inspected_campaign_unit.pk,
            "finding": "评标过程未全程录像",
            "missed": "on",
        },
    ),
    # Negative lists (负面清单): the unit's officer and staff in scope write a unit's list and its
    # entries, publish and withdraw it; staff record checks; case readers and officers read.
    "negativelists:list": get(READERS),
    "negativelists:create": get(WRITERS),
    "negativelists:detail": get(READERS, "negative_list"),
    "negativelists:edit": get(WRITERS, "negative_list_draft"),
    "negativelists:delete": post(WRITERS, "negative_list_draft"),
    "negativelists:publish": post(WRITERS, "negative_list_draft"),
    "negativelists:withdraw": post(WRITERS, "negative_list"),
    "negativelists:entry_add": get(WRITERS, "negative_list_draft"),
    "negativelists:entry_edit": get(WRITERS, "negative_list_draft_entry"),
    "negativelists:entry_delete": post(WRITERS, "negative_list_draft_entry"),
    "negativelists:check_add": post(
        STAFF,
        "negative_list",
        body=lambda scene: {"checked_on": shanghai_today(), "finding": "抽查", "breaches": 0},
    ),
    "reforms:signoff_queue": get(STAFF),
    "reforms:extension_queue": get(STAFF),
    "reforms:extension_approve": post(STAFF, "extension"),
    "reforms:extension_reject": post(STAFF, "extension", body=fixed({"note": "理由不足"})),
    "reforms:follow_up_detail": get(READERS, "follow_up"),
    "reforms:follow_up_choose": post(STAFF, "follow_up", body=fixed({"sample_size": 1})),
    "reforms:follow_up_mark": post(STAFF, "follow_up_row", body=fixed({"verdict": "held"})),
    "reforms:follow_up_conclude": post(
        STAFF,
        "follow_up",
        body=fixed(
            {
                "kind": "public_notice",
                "title": "通报",
                "held_on": "2026-06-01",
                "participant_count": 1,
            }
        ),
    ),
    "dashboard:index": get(CASE_READERS),
    "statistics:index": get(CASE_READERS),
    "statistics:records": get(CASE_READERS, kwargs={"kind": "problems"}),
    "statistics:report_pdf": get(CASE_READERS),
    "statistics:report_xlsx": get(CASE_READERS),
    "chain:recommendation": get(READERS, "recommendation"),
    "chain:case": get(CASE_READERS, "case", **CASE),
    "chain:item_measures": get(READERS, "item"),  # an item's measures, a page at a time
    "documents:letter": get(READERS, "recommendation"),
    "documents:case_analysis": get(CASE_READERS, "case", **CASE),
    "documents:ledger": get(READERS),
    "documents:overdue_report": get(CASE_READERS),
    "documents:measures_xlsx": get(READERS),
    "documents:campaign_xlsx": get(READERS, "campaign"),
    "documents:reconciliation_xlsx": get(READERS, "reconciliation"),
    "documents:evaluation_report": get(READERS, "session"),
    "documents:evaluation_xlsx": get(READERS, "session"),
    "documents:evaluation_ranking_xlsx": get(CASE_READERS),
    "documents:reconciliation_pdf": get(READERS, "reconciliation"),
    "documents:negative_list_pdf": get(READERS, "negative_list"),
    "documents:crosscase_report": get(CASE_READERS, "analysis", **CASE),
    "documents:crosscase_xlsx": get(CASE_READERS, "analysis", **CASE),
    "documents:cases_xlsx": get(CASE_READERS),
    "documents:recommendations_xlsx": get(READERS),
    "documents:import_template": get(STAFF, kwargs={"kind": "problems"}),
    "documents:problems_import": get(STAFF, "case", **CASE),
    "documents:plan_import": get(READERS - {"supervisor"}, "recommendation"),
    "documents:rule_changes_import": get(READERS - {"supervisor"}, "recommendation"),
    "documents:activities_import": get(READERS - {"supervisor"}, "recommendation"),
    "documents:import_job": get(SIGNED_IN, "import_job", **MINE),
    "documents:import_job_progress": get(SIGNED_IN, "import_job", **MINE),
    "documents:document_job": get(SIGNED_IN, "document_job", **MINE),
    "documents:document_job_progress": get(SIGNED_IN, "document_job", **MINE),
    "documents:document_job_download": get(SIGNED_IN, "document_job", **MINE),
}
# Pages for everyone, signed in or not.
PUBLIC = {"login", "favicon"}


@dataclass(frozen=True)
class Found:
    name: str
    pattern: str
    default_args: dict
    callback: Callable


def walk(resolver=None, prefix="", namespace=""):
    """Every URL pattern under ``resolver``, through every include, with its full name."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed>"
            yield Found(name, prefix + str(pattern.pattern), pattern.default_args, pattern.callback)


def web_routes() -> list[Found]:
    """The site's own pages: not the back office (tests/test_admin.py), not the API."""
    return [r for r in walk() if not r.pattern.startswith(("admin/", "api/v1/"))]


def api_routes() -> list[Found]:
    return [r for r in walk() if r.pattern.startswith("api/v1/")]
