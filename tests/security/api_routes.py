"""Every route of the REST API and who reads the records behind it (docs/architecture.md).

What each role may *do* with a record it reads is tested by tests/api/test_write_matrix.py; this
table only says which record an address names and who may see that kind of record at all.
"""

from dataclasses import dataclass

from .routes import ADMINS, CASE_READERS, OFFICERS, READERS, SIGNED_IN, STAFF


@dataclass(frozen=True)
class ApiRoute:
    target: str | None  # the scene attribute whose pk fills the address
    readers: frozenset = READERS
    # Roles that see every record of the kind, whatever their org node.
    sees_all: frozenset = frozenset()
    sees_inside: frozenset = frozenset({"staff", "supervisor", "officer"})
    # What a reader's request without a body answers: a list reads; a bulk create refuses the
    # empty body (400) once the role has passed.
    ok: frozenset = frozenset({200, 204})


CASE = {"readers": CASE_READERS}
ORG_TREE = {
    "readers": SIGNED_IN,
    "sees_all": frozenset({"system_admin", "security_admin"}),
    "sees_inside": frozenset({"staff", "supervisor", "officer"}),
}
MINE = {"readers": SIGNED_IN, "sees_inside": frozenset({"staff"})}
# Bulk creates: the roles that may create the kind ("readers" of the address), all else refused.
BULK = {"ok": frozenset({400})}
# The shared lists: the same for every reader (the system administrator keeps them).
TAXONOMY = {"readers": CASE_READERS | {"system_admin"}, "sees_all": CASE_READERS | {"system_admin"}}

API = {
    "api:orgunit-list": ApiRoute(None, **ORG_TREE),
    "api:orgunit-detail": ApiRoute("unit", **ORG_TREE),
    "api:case-list": ApiRoute(None, **CASE),
    "api:case-detail": ApiRoute("case", **CASE),
    "api:case-analysis": ApiRoute("case", **CASE),
    "api:case-mark-typical": ApiRoute("case", **CASE),
    "api:case-unmark-typical": ApiRoute("case", **CASE),
    "api:problem-list": ApiRoute(None, **CASE),
    "api:problem-detail": ApiRoute("problem", **CASE),
    "api:problem-bulk": ApiRoute(None, **BULK, readers=STAFF),
    "api:crosscaseanalysis-list": ApiRoute(None, **CASE),
    "api:crosscaseanalysis-detail": ApiRoute("analysis", **CASE),
    "api:crosscaseanalysis-tables": ApiRoute("analysis", **CASE),
    "api:recommendation-list": ApiRoute(None),
    "api:recommendation-detail": ApiRoute("recommendation"),
    "api:recommendation-acknowledge": ApiRoute("recommendation"),
    "api:recommendation-close": ApiRoute("recommendation"),
    "api:recommendation-evaluate": ApiRoute("recommendation"),
    "api:recommendation-follow-ups": ApiRoute("recommendation"),
    "api:recommendation-issue": ApiRoute("recommendation"),
    "api:recommendation-items": ApiRoute("recommendation"),
    "api:recommendation-reply": ApiRoute("recommendation"),
    "api:recommendation-return-reply": ApiRoute("recommendation"),
    "api:recommendation-start-rectification": ApiRoute("recommendation"),
    "api:recommendationitem-detail": ApiRoute("item"),
    "api:evaluation-list": ApiRoute(None),
    "api:evaluation-detail": ApiRoute("evaluation"),
    "api:evaluationtemplate-list": ApiRoute(None, **TAXONOMY),
    "api:evaluationtemplate-detail": ApiRoute("template", **TAXONOMY),
    "api:evaluationsession-list": ApiRoute(None),
    "api:evaluationsession-detail": ApiRoute("session"),
    "api:evaluationsession-members": ApiRoute("session"),
    "api:evaluationsession-remove-member": ApiRoute("session"),
    "api:evaluationsession-hearing": ApiRoute("session"),
    "api:evaluationsession-start-scoring": ApiRoute("session"),
    "api:evaluationsession-scores": ApiRoute("session"),
    "api:evaluationsession-conclude": ApiRoute("session"),
    "api:evaluationsession-cancel": ApiRoute("session"),
    "api:indicatorscore-list": ApiRoute(None, **CASE),
    "api:indicatorscore-detail": ApiRoute("indicator_score", **CASE),
    "api:measure-list": ApiRoute(None),
    "api:measure-bulk": ApiRoute(None, **BULK, readers=STAFF | OFFICERS),
    "api:measure-detail": ApiRoute("measure"),
    "api:measure-history": ApiRoute("measure"),
    "api:measure-progress": ApiRoute("open_measure"),
    "api:measure-request-extension": ApiRoute("open_measure"),
    "api:measure-request-signoff": ApiRoute("open_measure"),
    "api:measure-return-measure": ApiRoute("measure"),
    "api:measure-sign-off": ApiRoute("measure"),
    "api:progressreport-list": ApiRoute(None),
    "api:progressreport-detail": ApiRoute("report"),
    "api:evidence-list": ApiRoute(None),
    "api:evidence-detail": ApiRoute("evidence"),
    "api:evidence-download": ApiRoute("evidence"),
    "api:extensionrequest-list": ApiRoute(None),
    "api:extensionrequest-detail": ApiRoute("extension"),
    "api:extensionrequest-approve": ApiRoute("extension"),
    "api:extensionrequest-reject": ApiRoute("extension"),
    "api:rulechange-list": ApiRoute(None),
    "api:rulechange-bulk": ApiRoute(None, **BULK, readers=STAFF | OFFICERS),
    "api:rulechange-detail": ApiRoute("rule_change"),
    "api:activity-list": ApiRoute(None),
    "api:activity-bulk": ApiRoute(None, **BULK, readers=STAFF | OFFICERS),
    "api:activity-detail": ApiRoute("activity"),
    "api:followup-list": ApiRoute(None),
    "api:followup-detail": ApiRoute("follow_up"),
    "api:followup-record": ApiRoute("follow_up"),
    "api:reconciliationround-list": ApiRoute(None),
    "api:reconciliationround-detail": ApiRoute("reconciliation"),
    "api:reconciliationround-close": ApiRoute("reconciliation"),
    "api:reconciliationrow-list": ApiRoute(None),
    "api:reconciliationrow-detail": ApiRoute("reconciliation_row"),
    "api:reconciliationrow-answer": ApiRoute("reconciliation_row"),
    "api:reconciliationrow-confirm": ApiRoute("reconciliation_row"),
    "api:campaign-list": ApiRoute(None),
    "api:campaign-detail": ApiRoute("campaign"),
    "api:campaign-launch": ApiRoute("campaign"),
    "api:campaign-urge": ApiRoute("campaign"),
    "api:campaign-close": ApiRoute("campaign"),
    "api:campaignunit-list": ApiRoute(None),
    "api:campaignunit-detail": ApiRoute("campaign_unit"),
    "api:campaignunit-answer": ApiRoute("campaign_unit"),
    "api:campaignunit-submit": ApiRoute("campaign_unit"),
    "api:negativelist-list": ApiRoute(None),
    "api:negativelist-detail": ApiRoute("negative_list"),
    "api:negativelist-entries": ApiRoute("negative_list_draft"),
    "api:negativelist-publish": ApiRoute("negative_list_draft"),
    "api:negativelist-withdraw": ApiRoute("negative_list"),
    "api:negativelist-checks": ApiRoute("negative_list"),
    "api:negativelistentry-list": ApiRoute(None),
    "api:negativelistentry-detail": ApiRoute("negative_list_draft_entry"),
    "api:negativelistcheck-list": ApiRoute(None),
    "api:negativelistcheck-detail": ApiRoute("negative_list_check"),
    "api:campaignunit-reassign": ApiRoute("cross_campaign_unit"),
    "api:spotcheckfinding-list": ApiRoute(None),
    "api:spotcheckfinding-detail": ApiRoute("spot_check"),
    "api:followup-measures": ApiRoute("follow_up"),
    "api:followup-conclude": ApiRoute("follow_up"),
    "api:followupmeasure-list": ApiRoute(None),
    "api:followupmeasure-detail": ApiRoute("follow_up_row"),
    "api:followupmeasure-mark": ApiRoute("follow_up_row"),
    "api:reboundflag-list": ApiRoute(None, **CASE),
    "api:reboundflag-detail": ApiRoute("rebound_flag", **CASE),
    "api:violationtype-list": ApiRoute(None, **TAXONOMY),
    "api:processstage-list": ApiRoute(None, **TAXONOMY),
    "api:sector-list": ApiRoute(None, readers=SIGNED_IN, sees_all=SIGNED_IN),
    "api:problemcategory-list": ApiRoute(None, readers=SIGNED_IN, sees_all=SIGNED_IN),
    "api:statistics-list": ApiRoute(None, **CASE),
    "api:evaluationranking-list": ApiRoute(None, **CASE),
    "api:notification-list": ApiRoute(None, readers=SIGNED_IN),
    "api:notification-read-all": ApiRoute(None, readers=SIGNED_IN),
    "api:notification-digest": ApiRoute(None, readers=SIGNED_IN),
    "api:notification-detail": ApiRoute("notification", **MINE),
    "api:notification-read": ApiRoute("notification", **MINE),
}
# Open to anyone: signing in, the schema and its viewers, the index, the JSON 404 for the rest.
PUBLIC = {
    "api:token",
    "api:schema",
    "api:swagger-ui",
    "api:redoc",
    "api:api-root",
    "api:<unnamed>",
}
assert not ADMINS & READERS  # the separated admins read no case or unit records
