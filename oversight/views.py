"""The home page of each role."""

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render

from cases.models import Case
from core.domain import shanghai_today
from recommendations.models import Recommendation
from reforms.models import ExtensionRequest, Measure, MeasureTransition, Signal

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
    """What waits for the unit's officer, first things first: letters to acknowledge (待签收),
    rectification reports due, measures staff returned (with the reason), then the open measures
    by colour — overdue, due soon, later. A returned measure is listed once, under returned."""
    today = shanghai_today()
    letters = Recommendation.objects.restrict(user).order_by("reply_due_on", "pk")
    last_return = MeasureTransition.objects.filter(
        measure=OuterRef("pk"), to_status=Measure.Status.RETURNED
    ).order_by("-at", "-pk")
    measures = (
        Measure.objects.restrict(user)
        .open()
        .select_related("item__recommendation")
        .annotate(
            returned_why=Subquery(last_return.values("return_reason")[:1]),
            returned_note=Subquery(last_return.values("reason")[:1]),
        )
        .order_by("due_on", "pk")
    )
    reasons = dict(MeasureTransition.ReturnReason.choices)
    returned = []
    groups = {signal: [] for signal in Signal}
    for measure in measures:
        if measure.status == Measure.Status.RETURNED:
            measure.return_reason_label = reasons.get(measure.returned_why, "")
            returned.append(measure)
        else:
            groups[measure.signal(today=today)].append(measure)
    return {
        "to_acknowledge": letters.filter(status=Recommendation.Status.ISSUED).select_related(
            "issuer"
        ),
        "awaiting_reply": letters.filter(
            status__in=set(Recommendation.AWAITING_REPLY) - {Recommendation.Status.ISSUED}
        ),
        "returned": returned,
        "overdue": groups[Signal.RED],
        "due_soon": groups[Signal.YELLOW],
        "later": groups[Signal.GREEN] + groups[Signal.BLUE],
        "today": today,
    }
