"""The home page of each role."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse

from cases.models import Case
from core.domain import shanghai_today
from core.paging import page_rows
from recommendations.models import Recommendation
from reforms import tally
from reforms.models import ExtensionRequest, Measure, MeasureTransition, WorkGroup

HOME_LIST_LENGTH = 8
OFFICER_GROUP_LENGTH = 20
# The list behind each group of the officer's home: its count is that list's.
OFFICER_GROUP_LISTS = {
    "to_acknowledge": ("recommendations:list", "status=issued"),
    "awaiting_reply": ("recommendations:list", ""),
    **{group.value: ("reforms:measure_list", f"group={group}") for group in WorkGroup},
}


@login_required
def home(request):
    """Each role's home (``oversight/rules.py``): staff and unit officers have a page of their
    own; a supervisor starts on the dashboard; the administrators go to the back office."""
    user = request.user
    if user.has_perm("oversight.view_staff_home"):
        return render(request, "oversight/home_staff.html", staff_home(user))
    if user.has_perm("oversight.view_officer_home"):
        return render(request, "oversight/home_officer.html", officer_home(user))
    if user.has_perm("oversight.view_dashboard"):
        return redirect("dashboard:index")
    return redirect("admin:index")


def staff_home(user) -> dict:
    measures = Measure.objects.restrict(user)
    awaiting = measures.awaiting_signoff()
    pending = ExtensionRequest.objects.restrict(user).pending()
    return {
        "my_cases": Case.objects.restrict(user)
        .filter(created_by=user)
        .select_related("case_unit")[:HOME_LIST_LENGTH],
        "drafts": Recommendation.objects.restrict(user)
        .filter(status=Recommendation.Status.DRAFT)
        .select_related("recipient_unit")[:HOME_LIST_LENGTH],
        "signoff_count": awaiting.count(),
        "signoff_queue": awaiting.select_related("unit", "item__recommendation").by_due_date()[
            :HOME_LIST_LENGTH
        ],
        "extension_count": pending.count(),
        "extension_requests": pending.select_related("measure__unit")[:HOME_LIST_LENGTH],
    }


def officer_home(user) -> dict:
    """What waits for the unit's officer, first things first: letters to acknowledge (待签收),
    rectification reports due, measures staff returned (with the reason), then the open measures
    by colour — overdue, due soon, later. A returned measure is listed once, under returned.

    Each group shows its first ``OFFICER_GROUP_LENGTH`` rows and its count, with the list for the
    rest: a unit may hold hundreds of letters and thousands of open measures."""
    today = shanghai_today()
    letters = Recommendation.objects.restrict(user).order_by("reply_due_on", "pk")
    last_return = MeasureTransition.objects.filter(
        measure=OuterRef("pk"), to_status=Measure.Status.RETURNED
    ).order_by("-at", "-pk")
    open_measures = (
        Measure.objects.restrict(user).open().select_related("item__recommendation").by_due_date()
    )
    groups = {group.value: open_measures.in_work_group(group, today=today) for group in WorkGroup}
    groups["returned"] = groups["returned"].annotate(
        returned_why=Subquery(last_return.values("return_reason")[:1]),
        returned_note=Subquery(last_return.values("reason")[:1]),
    )
    # By the groups' ids first (core.paging): the busiest unit sorts ~9,000 open measures.
    shown = {
        name: list(page_rows(group, 0, OFFICER_GROUP_LENGTH)) for name, group in groups.items()
    }
    reasons = dict(MeasureTransition.ReturnReason.choices)
    for measure in shown["returned"]:
        measure.return_reason_label = reasons.get(measure.returned_why, "")
    issued = Q(status=Recommendation.Status.ISSUED)
    replying = Q(status__in=set(Recommendation.AWAITING_REPLY) - {Recommendation.Status.ISSUED})
    return {
        "to_acknowledge": list(
            letters.filter(issued).select_related("issuer")[:OFFICER_GROUP_LENGTH]
        ),
        "awaiting_reply": list(letters.filter(replying)[:OFFICER_GROUP_LENGTH]),
        **shown,
        "counts": letters.aggregate(
            to_acknowledge=Count("pk", filter=issued), awaiting_reply=Count("pk", filter=replying)
        )
        | tally.source(user, today).work_groups(),
        "list_urls": {
            name: f"{reverse(url_name)}?{query}"
            for name, (url_name, query) in OFFICER_GROUP_LISTS.items()
        },
        "today": today,
    }
