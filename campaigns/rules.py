"""Who may do what with self-inspection campaigns (举一反三).

Staff in scope draft, launch and close campaigns; staff and supervisors in scope urge the units
that have not answered; the officer of a targeted unit answers its checklist. State guards live in
``services``.
"""

import rules

from accounts.roles import in_scope, is_case_reader, is_discipline_staff, is_unit_officer

can_read = (is_case_reader | is_unit_officer) & in_scope
staff_in_scope = is_discipline_staff & in_scope

rules.add_perm("campaigns", is_case_reader | is_unit_officer)
for model in ("campaign", "campaignitem", "campaignunit", "campaignanswer"):
    rules.add_perm(f"campaigns.view_{model}", can_read)

rules.add_perm("campaigns.add_campaign", is_discipline_staff)
rules.add_perm("campaigns.change_campaign", staff_in_scope)
rules.add_perm("campaigns.launch_campaign", staff_in_scope)
rules.add_perm("campaigns.close_campaign", staff_in_scope)
# Checked against the campaign unit: staff and supervisors whose jurisdiction covers the unit.
rules.add_perm("campaigns.urge_campaign_unit", is_case_reader & in_scope)
rules.add_perm("campaigns.answer_campaign_unit", is_unit_officer & in_scope)
