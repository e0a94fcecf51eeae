"""Who may do what with measures and the records around them.

Units plan and report; discipline staff verify; supervisors read. State guards live in ``services``.
"""

import rules

from accounts.roles import in_scope, is_case_reader, is_discipline_staff, is_unit_officer

from .models import Measure

can_read = (is_case_reader | is_unit_officer) & in_scope
planner = is_discipline_staff | is_unit_officer
staff_in_scope = is_discipline_staff & in_scope
officer_in_scope = is_unit_officer & in_scope


@rules.predicate
def is_not_signed_off(user, measure) -> bool:
    return measure is None or measure.status != Measure.Status.SIGNED_OFF


@rules.predicate
def is_not_started(user, measure) -> bool:
    return measure is None or measure.status == Measure.Status.NOT_STARTED


rules.add_perm("reforms", is_case_reader | is_unit_officer)
for model in (
    "measure",
    "measuretally",  # counts of the measures, seen as the measures are
    "unittally",
    "measuretransition",
    "progressreport",
    "evidence",
    "extensionrequest",
    "rulechange",
    "activity",
    "followup",
    "followupmeasure",
    "urgingnotice",
):
    rules.add_perm(f"reforms.view_{model}", can_read)

rules.add_perm("reforms.add_measure", planner)
rules.add_perm("reforms.change_measure", planner & in_scope & is_not_signed_off)
rules.add_perm("reforms.delete_measure", planner & in_scope & is_not_started)

for model in ("rulechange", "activity"):
    rules.add_perm(f"reforms.add_{model}", planner)
    rules.add_perm(f"reforms.change_{model}", planner & in_scope)
    rules.add_perm(f"reforms.delete_{model}", planner & in_scope)

for action in ("add", "change", "delete"):
    rules.add_perm(f"reforms.{action}_followup", is_discipline_staff & in_scope)

# Progress reports, evidence and extension requests are added through services and kept as filed.
rules.add_perm("reforms.report_progress", officer_in_scope & is_not_signed_off)
rules.add_perm("reforms.request_signoff", officer_in_scope)
rules.add_perm("reforms.request_extension", officer_in_scope)
rules.add_perm("reforms.sign_off_measure", staff_in_scope)
rules.add_perm("reforms.return_measure", staff_in_scope)
rules.add_perm("reforms.decide_extension", staff_in_scope)
# A follow-up review (回头看) found the signed-off measure rebounded.
rules.add_perm("reforms.reopen_measure", staff_in_scope)
# 整改反弹 flags speak of problems: case readers only (staff and supervisors in scope).
rules.add_perm("reforms.view_reboundflag", is_case_reader & in_scope)

# The staff's two verification queues (pages, and the menu entries that lead to them).
rules.add_perm("reforms.view_signoff_queue", is_discipline_staff)
rules.add_perm("reforms.view_extension_queue", is_discipline_staff)

# Reconciliation rounds (对账销号): staff open and close a round and confirm each row; the unit's
# officer answers the rows of its measures. Rows are checked against their measure's unit.
for model in ("reconciliationround", "reconciliationrow"):
    rules.add_perm(f"reforms.view_{model}", can_read)
rules.add_perm("reforms.open_reconciliation", is_discipline_staff)
rules.add_perm("reforms.close_reconciliation", staff_in_scope)
rules.add_perm("reforms.answer_reconciliation_row", officer_in_scope)
rules.add_perm("reforms.confirm_reconciliation_row", staff_in_scope)

# 定期对账: staff schedule rounds in their jurisdiction (the back office); a unit may read its own.
rules.add_perm("reforms.view_reconciliationschedule", can_read)
for action in ("add", "change", "delete"):
    rules.add_perm(f"reforms.{action}_reconciliationschedule", staff_in_scope)
