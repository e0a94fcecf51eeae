"""Who may do what with negative lists (负面清单).

The unit's officer and the discipline staff in scope draft a unit's list, edit it and its entries
or delete it while a draft, publish and withdraw it; the staff in scope record supervision checks
of a published list; staff, supervisors and officers in scope read them. State guards live in
``services``.
"""

import rules

from accounts.roles import in_scope, is_case_reader, is_discipline_staff, is_unit_officer

can_read = (is_case_reader | is_unit_officer) & in_scope
writers = is_discipline_staff | is_unit_officer

rules.add_perm("negativelists", is_case_reader | is_unit_officer)
for model in ("negativelist", "negativelistentry", "negativelistcheck"):
    rules.add_perm(f"negativelists.view_{model}", can_read)

# Checked against the list (its unit in the writer's scope).
rules.add_perm("negativelists.add_negativelist", writers)
rules.add_perm("negativelists.change_negativelist", writers & in_scope)
rules.add_perm("negativelists.delete_negativelist", writers & in_scope)
rules.add_perm("negativelists.publish_negativelist", writers & in_scope)
rules.add_perm("negativelists.withdraw_negativelist", writers & in_scope)
rules.add_perm("negativelists.add_negativelistcheck", is_discipline_staff & in_scope)
