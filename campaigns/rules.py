"""Who may do what with self-inspection campaigns (举一反三) and cross-inspections (交叉检查).

Staff in scope draft, edit and delete (a draft), launch and close campaigns, reassign a
cross-inspection's inspector and record spot checks; staff and supervisors in scope urge the
units that have not answered; the officer who answers a unit's checklist is the unit's own in a
self-inspection and the inspector unit's in a cross-inspection (``answers_for_the_unit``). State
guards live in ``services``.
"""

import rules

from accounts.roles import in_scope, is_case_reader, is_discipline_staff, is_unit_officer
from accounts.scoping import jurisdiction_q

from .models import Campaign, CampaignUnit

can_read = (is_case_reader | is_unit_officer) & in_scope
staff_in_scope = is_discipline_staff & in_scope


@rules.predicate
def answers_for_the_unit(user, campaign_unit) -> bool:
    """The one home of who answers: in a cross-inspection the inspector unit's officer, in a
    self-inspection the unit's own (checked against the campaign unit; true for the kind)."""
    if campaign_unit is None:
        return True
    lookup = "inspector" if campaign_unit.campaign.mode == Campaign.Mode.CROSS else "unit"
    return CampaignUnit.objects.filter(jurisdiction_q(user, lookup), pk=campaign_unit.pk).exists()


rules.add_perm("campaigns", is_case_reader | is_unit_officer)
for model in ("campaign", "campaignitem", "campaignunit", "campaignanswer", "spotcheckfinding"):
    rules.add_perm(f"campaigns.view_{model}", can_read)

rules.add_perm("campaigns.add_campaign", is_discipline_staff)
rules.add_perm("campaigns.change_campaign", staff_in_scope)
rules.add_perm("campaigns.delete_campaign", staff_in_scope)
rules.add_perm("campaigns.launch_campaign", staff_in_scope)
rules.add_perm("campaigns.close_campaign", staff_in_scope)
# Checked against the campaign unit: staff and supervisors whose jurisdiction covers the unit.
rules.add_perm("campaigns.urge_campaign_unit", is_case_reader & in_scope)
rules.add_perm("campaigns.answer_campaign_unit", is_unit_officer & in_scope & answers_for_the_unit)
# 交叉检查, checked against the campaign unit: staff whose jurisdiction covers the unit.
rules.add_perm("campaigns.reassign_inspector", staff_in_scope)
rules.add_perm("campaigns.add_spotcheckfinding", staff_in_scope)
