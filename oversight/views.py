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
from reforms.models import (
    ExtensionRequest,
    Measure,
    MeasureTransition,
    Signal,
    due_soon_q,
    overdue_q,
)

HOME_LIST_LENGTH = 8
OFFICER_GROUP_LENGTH = 20
# The list behind each group of the officer's home (the measure list holds returned ones too).
OFFICER_GROUP_LISTS = {
    "to_acknowledge": ("recommendations:list", "status=issued"),
    "awaiting_reply": ("recommendations:list", ""),
    "returned": ("reforms:measure_list", "status=returned"),
    "overdue": ("reforms:measure_list", "overdue=current"),
    "due_soon": ("reforms:measure_list", f"signal={Signal.YELLOW}"),
    "later": ("reforms:measure_list", "is_open=true"),
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
        "signoff_queue": awaiting.select_related("unit", "item__recommendation").order_by("due_on")[
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
        Measure.objects.restrict(user)
        .open()
        .select_related("item__recommendation")
        .order_by("due_on", "pk")
    )
    others = open_measures.exclude(status=Measure.Status.RETURNED)
    groups = {
        "returned": open_measures.filter(status=Measure.Status.RETURNED).annotate(
            returned_why=Subquery(last_return.values("return_reason")[:1]),
            returned_note=Subquery(last_return.values("reason")[:1]),
        ),
        "overdue": others.overdue(today=today),
        "due_soon": others.due_soon(today=today),
        "later": others.filter(~overdue_q(today) & ~due_soon_q(today)),
    }
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
        | _open_measure_counts(user, today),
        "list_urls": {
            name: f"{reverse(url_name)}?{query}"
            for name, (url_name, query) in OFFICER_GROUP_LISTS.items()
        },
        "today": today,
    }


def _open_measure_counts(user, today) -> dict:
    """The officer's measure groups counted, from the measure tally's rows by status when it is
    current (``reforms.tally.source``; else from the measures, as exact)."""
    by_status = tally.source(user, today).rows("status")
    returned = [row for row in by_status if row["status"] == Measure.Status.RETURNED]
    others = [row for row in by_status if row["status"] != Measure.Status.RETURNED]

    def total(rows, name: str) -> int:
        return sum(row[name] for row in rows)

    overdue, due_soon = total(others, "overdue"), total(others, "due_soon")
    return {
        "returned": total(returned, "open"),
        "overdue": overdue,
        "due_soon": due_soon,
        "later": total(others, "open") - overdue - due_soon,
    }
