"""The home page of each role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from cases.models import Case
from core.domain import shanghai_today
from recommendations.models import Recommendation
from reforms.models import ExtensionRequest, Measure, Signal

HOME_LIST_LENGTH = 8


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
    today = shanghai_today()
    measures = (
        Measure.objects.restrict(user)
        .open()
        .select_related("item__recommendation")
        .order_by("due_on", "pk")
    )
    groups = {signal: [] for signal in Signal}
    for measure in measures:
        groups[measure.signal(today=today)].append(measure)
    return {
        "overdue": groups[Signal.RED],
        "due_soon": groups[Signal.YELLOW],
        "later": groups[Signal.GREEN] + groups[Signal.BLUE],
        "awaiting_reply": Recommendation.objects.restrict(user)
        .filter(status__in=Recommendation.AWAITING_REPLY)
        .order_by("reply_due_on"),
        "today": today,
    }
