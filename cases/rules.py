"""Who may do what with cases: discipline staff write, supervisors read, nobody else sees them."""

import rules

from accounts.roles import in_scope, is_case_reader, is_discipline_staff, is_system_admin

CASE_CONTENT = ("case", "subject", "caseanalysis", "problem")
TAXONOMIES = ("violationtype", "processstage")

rules.add_perm("cases", is_case_reader | is_system_admin)
for model in CASE_CONTENT:
    rules.add_perm(f"cases.view_{model}", is_case_reader & in_scope)
    rules.add_perm(f"cases.add_{model}", is_discipline_staff)
    rules.add_perm(f"cases.change_{model}", is_discipline_staff & in_scope)
    rules.add_perm(f"cases.delete_{model}", is_discipline_staff & in_scope)

# The shared taxonomies are settings of the whole system.
for model in TAXONOMIES:
    rules.add_perm(f"cases.view_{model}", is_case_reader | is_system_admin)
    for action in ("add", "change", "delete"):
        rules.add_perm(f"cases.{action}_{model}", is_system_admin)

# Kept by triggers (the problems' counts, cases/tally.py): read as the problems are, never edited.
rules.add_perm("cases.view_problemtally", is_case_reader & in_scope)

# 典型案例: staff choose the cases of their jurisdiction for warning education; readers read them.
rules.add_perm("cases.view_typicalcase", is_case_reader & in_scope)
rules.add_perm("cases.mark_typical_case", is_discipline_staff & in_scope)
rules.add_perm("cases.unmark_typical_case", is_discipline_staff & in_scope)
