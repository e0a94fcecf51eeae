"""The inbox and the outbox. A notification carries a kind, a title, a body and a link; it knows
nothing of the records it speaks about. Both tables kept their names (``accounts_…``) when the
models moved here from ``accounts``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.domain import BoundedTextField

User = settings.AUTH_USER_MODEL


class NotificationQuerySet(models.QuerySet):
    def restrict(self, user):
        """Everyone sees their own notifications, nobody else's."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One item for one user: shown at once in the in-app inbox (the bell), and gathered into the
    recipient's daily digest for the outside channels.

    ``dedupe_key`` names the object, the kind and the threshold date (e.g.
    ``measure:12:red:2026-11-03:1``); it is unique per recipient, so a job that runs twice, or is
    killed and run again, writes each reminder once.
    """

    class Kind(models.TextChoices):
        GREEN = "green", _("Deadline approaching")
        YELLOW = "yellow", _("Deadline imminent")
        RED = "red", _("Overdue")
        URGING = "urging", _("Urging notice")
        REPORT = "report", _("Weekly report")
        WORKFLOW = "workflow", _("Workflow")
        OTHER = "other", _("Message")

    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    body = BoundedTextField(_("body"), max_length=20000, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "accounts_notification"  # named when the model lived in accounts
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["kind", "created_at"], name="notification_kind_created"),
        ]
        constraints = [
            # Key first: the scan looks up a chunk's keys before writing.
            models.UniqueConstraint(
                fields=["dedupe_key", "recipient"],
                condition=~Q(dedupe_key=""),
                name="notification_written_once",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def signal(self) -> str:
        """The colour of this kind in the one colour code (三色预警, the measures' signal badge:
        ``templates/includes/signal_badge.html``), or "" for a kind that is no warning.

        A reminder that a due date is near — 临近时限 or 即将到期 — is what the measure's badge
        calls 临期 (due soon), so it is yellow like the measure on the dashboard; green is kept
        for on schedule and signed off, as everywhere else. Overdue and urging notices are red.
        The kinds' values name the reminder ladder's rungs, not the colours shown.
        """
        return KIND_SIGNALS.get(self.kind, "")


class Digest(models.Model):
    """The outbox: at most one message a day per recipient, channel and kind, listing their items.

    Delivery claims the row (pending → sending) before sending, so two workers never both send it;
    a failure goes back to pending with the error and the time of the next attempt (backoff) until
    the attempts run out (failed). Retries come from a periodic sweep, not from far-future ETA
    tasks, which Redis would deliver again after its visibility timeout (docs/pitfalls.md).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Enterprise messaging webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Nothing left to send: its recipient has since kept every item's kind out of the digest.
        DROPPED = "dropped", _("Not sent: nothing left")

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="digests", verbose_name=_("recipient")
    )
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    is_report = models.BooleanField(
        _("weekly report"), default=False, help_text=_("The weekly overdue report, not reminders.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = BoundedTextField(_("last error"), max_length=2000, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to="outbox/%Y/",
        blank=True,
        help_text=_("Sent with the message (the weekly report's PDF), the same file on every try."),
    )
    notifications = models.ManyToManyField(
        Notification, related_name="digests", verbose_name=_("notifications")
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "accounts_digest"  # named when the model lived in accounts
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-day", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day", "channel", "is_report"], name="digest_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["status", "day"], name="digest_status_day")]

    def __str__(self):
        return f"{self.recipient} · {self.day:%Y-%m-%d} · {self.get_channel_display()}"


class DigestOptOutQuerySet(models.QuerySet):
    def kinds_of(self, user) -> set[str]:
        return set(self.filter(user=user).values_list("kind", flat=True))


class DigestOptOut(models.Model):
    """A kind of notification its user keeps out of their daily digest (email and webhook).

    The in-app inbox (the bell) still shows every notification of the kind; only the outside
    channels leave it out. No row — the default — means the kind goes into the digest, as it
    always did. Chosen on the inbox's settings page (``notification_settings``) or over the API
    (``/api/v1/notifications/digest/``); ``notifications.preferences`` writes them.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="digest_opt_outs", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Notification.Kind.choices)

    objects = DigestOptOutQuerySet.as_manager()

    class Meta:
        verbose_name = _("kind kept out of the digest")
        verbose_name_plural = _("kinds kept out of the digest")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="digest_opt_out_once"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"


# The kinds a user may keep out of the digest, in the order the settings page lists them. The
# weekly report (supervisors only) has its own message with the PDF; "other" never goes out.
DIGEST_OPTIONAL_KINDS = [
    Notification.Kind.WORKFLOW,
    Notification.Kind.GREEN,
    Notification.Kind.YELLOW,
    Notification.Kind.RED,
    Notification.Kind.URGING,
    Notification.Kind.REPORT,
]

# The one mapping from a notification's kind to the colour code (see ``Notification.signal``).
KIND_SIGNALS = {
    Notification.Kind.GREEN: "yellow",
    Notification.Kind.YELLOW: "yellow",
    Notification.Kind.RED: "red",
    Notification.Kind.URGING: "red",
}
