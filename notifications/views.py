"""The in-app inbox (the bell)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification


@login_required
def notifications(request):
    mine = Notification.objects.restrict(request.user)
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/notifications.html", {"page_obj": page})


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
