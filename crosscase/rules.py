"""Who may do what with cross-case analyses: staff of the jurisdiction write them, supervisors
read them; unit officers and the three administrators never see one (it is case content)."""

import rules

from accounts.roles import in_scope, is_case_reader, is_discipline_staff

rules.add_perm("crosscase", is_case_reader)
rules.add_perm("crosscase.view_crosscaseanalysis", is_case_reader & in_scope)
rules.add_perm("crosscase.add_crosscaseanalysis", is_discipline_staff)
rules.add_perm("crosscase.change_crosscaseanalysis", is_discipline_staff & in_scope)
rules.add_perm("crosscase.delete_crosscaseanalysis", is_discipline_staff & in_scope)
