from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SystemSettingsAdmin

from .models import Digest


@admin.register(Digest)
class DigestAdmin(SystemSettingsAdmin):
    """The outbox: what was sent, what waits for a retry, and what failed with which error."""

    list_display = ["recipient", "day", "channel", "is_report", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "is_report", "day"]
    search_fields = ["recipient__username", "recipient__full_name", "last_error"]
    list_select_related = ["recipient"]
    date_hierarchy = "day"
    readonly_fields = [
        "recipient",
        "day",
        "channel",
        "is_report",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "created_at",
    ]
    exclude = ["notifications"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_module_permission(self, request):
        return self.edits(request)

    @admin.action(description=_("Send again at the next sweep"))
    def send_again(self, request, queryset):
        count = queryset.exclude(status=Digest.Status.SENT).update(
            status=Digest.Status.PENDING, attempts=0, next_attempt_at=None
        )
        self.message_user(request, _("%(count)d messages will be sent again.") % {"count": count})
