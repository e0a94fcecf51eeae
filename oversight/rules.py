"""Who reaches the cross-cutting pages: the role homes, the dashboard and the main menu.

Built from the predicates of ``accounts.roles``; views, the menu, templates and jobs all ask these
permissions (``user.has_perm``), never a role name.
"""

import rules

from accounts.roles import is_case_reader, is_discipline_staff, is_unit_officer

# The home page: staff and unit officers have a page of their own; supervisors start on the
# dashboard; everyone else (the three administrators) is sent to the back office.
rules.add_perm("oversight.view_home", is_case_reader | is_unit_officer)
rules.add_perm("oversight.view_staff_home", is_discipline_staff)
rules.add_perm("oversight.view_officer_home", is_unit_officer)

# The supervisors' dashboard: whoever reads case content (staff and supervisors).
rules.add_perm("oversight.view_dashboard", is_case_reader)

# 成效统计 (the page, its lists and its report): staff and supervisors, as the statistics API.
rules.add_perm("oversight.view_statistics", is_case_reader)
