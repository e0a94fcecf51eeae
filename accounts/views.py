"""The home page of each role and the notification bell."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases.models import Case
from core.domain import shanghai_today
from recommendations.models import Recommendation
from reforms.models import ExtensionRequest, Measure, Signal

from .models import Notification
from .roles import Role

HOME_LIST_LENGTH = 8


@login_required
def home(request):
    role = request.user.role
    if role == Role.DISCIPLINE_STAFF:
        return render(request, "accounts/home_staff.html", staff_home(request.user))
    if role == Role.UNIT_OFFICER:
        return render(request, "accounts/home_officer.html", officer_home(request.user))
    if role == Role.SUPERVISOR:
        return redirect("dashboard:index")
    return redirect("admin:index")


def staff_home(user) -> dict:
    measures = Measure.objects.restrict(user)
    awaiting = measures.filter(status=Measure.Status.AWAITING_SIGNOFF)
    pending = ExtensionRequest.objects.restrict(user).filter(status=ExtensionRequest.Status.PENDING)
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


@login_required
def notifications(request):
    mine = Notification.objects.restrict(request.user)
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one notification read and follow its link (or come back to the list)."""
    notification = get_object_or_404(Notification.objects.restrict(request.user), pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request):
    Notification.objects.restrict(request.user).unread().update(read_at=timezone.now())
    return redirect("notifications")
