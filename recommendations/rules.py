"""Who may do what with recommendations. State guards live in ``services``; these are the roles."""

import rules

from accounts.roles import (
    in_scope,
    is_case_reader,
    is_discipline_staff,
    is_system_admin,
    is_unit_officer,
)

from .models import Recommendation


@rules.predicate
def is_draft(user, obj) -> bool:
    """The recommendation (or the item's recommendation) is still a draft."""
    if obj is None:
        return True
    recommendation = getattr(obj, "recommendation", obj)
    return recommendation.status == Recommendation.Status.DRAFT


can_read = (is_case_reader | is_unit_officer) & in_scope
staff_in_scope = is_discipline_staff & in_scope
officer_in_scope = is_unit_officer & in_scope

rules.add_perm("recommendations", is_case_reader | is_unit_officer)
for model in ("recommendation", "recommendationitem"):
    rules.add_perm(f"recommendations.view_{model}", can_read)
    rules.add_perm(f"recommendations.add_{model}", is_discipline_staff)
    rules.add_perm(f"recommendations.change_{model}", staff_in_scope & is_draft)
    rules.add_perm(f"recommendations.delete_{model}", staff_in_scope & is_draft)

# Written only by transitions (services), or kept by triggers (itemtally: the items' counts, seen
# as the items are), so readable and never edited directly.
for model in ("recommendationtransition", "reply", "evaluation", "itemtally"):
    rules.add_perm(f"recommendations.view_{model}", can_read)

rules.add_perm("recommendations.issue_recommendation", staff_in_scope)
rules.add_perm("recommendations.acknowledge_recommendation", officer_in_scope)
rules.add_perm("recommendations.start_rectification", officer_in_scope)
rules.add_perm("recommendations.submit_reply", officer_in_scope)
rules.add_perm("recommendations.return_reply", staff_in_scope)
rules.add_perm("recommendations.close_recommendation", staff_in_scope)
rules.add_perm("recommendations.evaluate_recommendation", staff_in_scope)


# 现场答辩式评查: staff in scope open and run an evaluation session; each panel member (staff or an
# invited supervisor, in scope) scores it alone. Sessions and panels are read like the letter;
# individual scores by case readers only (``IndicatorScore.objects.restrict``).
@rules.predicate
def is_panel_member(user, session) -> bool:
    if session is None:
        return True
    return user.is_authenticated and session.members.filter(user=user).exists()


for model in ("evaluationsession", "panelmember"):
    rules.add_perm(f"recommendations.view_{model}", can_read)
rules.add_perm("recommendations.view_indicatorscore", is_case_reader & in_scope)
rules.add_perm("recommendations.open_evaluation_session", staff_in_scope)
rules.add_perm("recommendations.run_evaluation_session", staff_in_scope)
rules.add_perm("recommendations.score_evaluation", is_case_reader & in_scope & is_panel_member)
# The templates are a setting of the whole system: the system administrator keeps them in the back
# office (``admin.py``); case readers read them to open sessions.
rules.add_perm("recommendations.view_evaluationtemplate", is_case_reader | is_system_admin)
