"""The in-app inbox (the bell)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.domain import DomainError
from core.pages import refuse_in_form

from . import preferences
from .forms import DigestKindsForm
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


@login_required
def notification_settings(request):
    """消息设置: the kinds that also go into the user's daily digest; the inbox keeps them all."""
    kinds = preferences.choosable_kinds(request.user)
    status = 200
    if request.method == "POST":
        form = DigestKindsForm(request.POST, kinds=kinds)
        if form.is_valid():
            try:
                preferences.digest_kinds_set(
                    user=request.user, digest_kinds=form.cleaned_data["digest_kinds"]
                )
            except DomainError as refusal:
                status = refuse_in_form(form, refusal)
            else:
                messages.success(request, _("Notification settings saved."))
                return redirect("notification_settings")
        else:
            status = 400
    else:
        form = DigestKindsForm(
            kinds=kinds, initial={"digest_kinds": preferences.digest_kinds_of(request.user)}
        )
    return render(request, "notifications/settings.html", {"form": form}, status=status)
