"""Users and the organisation tree their jurisdiction is cut from."""

from django.apps import apps
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from .base import BoundedTextField
from .roles import CASE_READERS, Role
from .scoping import jurisdiction_paths, jurisdiction_q


class Sector(models.TextChoices):
    """行业领域: one shared taxonomy for units and cases, so analysis can compare sectors."""

    CONSTRUCTION = "construction", _("Construction and engineering")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    RURAL_REVITALISATION = "rural", _("Rural revitalisation")
    ENVIRONMENT = "environment", _("Ecology and environment")
    STATE_ENTERPRISE = "state_enterprise", _("State assets and enterprises")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    WATER = "water", _("Water resources")
    FINANCE = "finance", _("Finance")
    GRAIN = "grain", _("Grain purchase and storage")
    LAW_ENFORCEMENT = "law_enforcement", _("Politics and law")
    OTHER = "other", _("Other")


# Roles that work inside a jurisdiction; anyone else (the audit admin, an account without a role)
# sees no org node and no other account.
JURISDICTION_ROLES = CASE_READERS | {Role.UNIT_OFFICER}


class OrgUnitQuerySet(MP_NodeQuerySet):
    unit_lookup = ""  # like ``ScopedQuerySet.unit_lookup``: the rows are the org units themselves

    def restrict(self, user):
        """Case readers and officers see their jurisdiction; admins of the system see the tree."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}:
            return self.all()
        if user.role not in JURISDICTION_ROLES:
            return self.none()
        return self.filter(jurisdiction_q(user, self.unit_lookup))


class OrgUnitManager(MP_NodeManager.from_queryset(OrgUnitQuerySet)):
    def get_queryset(self):
        # treebeard's manager hard-codes its own queryset class; keep its tree order.
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")


class OrgUnit(MP_Node):
    """A node of the organisation tree: a region, a commission, a dispatched group or a unit."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        COMMISSION = "commission", _("Discipline commission")
        GROUP = "group", _("Dispatched inspection group")
        UNIT = "unit", _("Unit")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    doc_abbr = models.CharField(
        _("document abbreviation"),
        max_length=16,
        blank=True,
        help_text=_("机关代字 used in document numbers, e.g. 长纪 in 长纪建〔2021〕3号."),
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    posted_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="dispatched_groups",
        verbose_name=_("posted to"),
        help_text=_("For a dispatched group: the units it supervises."),
    )
    party_head = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party organisation head"),
        help_text=_("The head of the unit's party organisation: overdue reminders go to them."),
    )

    node_order_by = ["name"]
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        indexes = [
            # Subtree filters are `path LIKE 'prefix%'`; PostgreSQL needs pattern ops for that.
            models.Index(
                fields=["path"], name="orgunit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.doc_abbr and self.kind not in {self.Kind.COMMISSION, self.Kind.GROUP}:
            raise ValidationError(
                {"doc_abbr": _("Only a commission or dispatched group issues documents.")}
            )


class UserQuerySet(models.QuerySet):
    def restrict(self, user):
        """Account admins see every account; others see the accounts of their jurisdiction."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser or user.role in {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}:
            return self.all()
        if user.role not in JURISDICTION_ROLES:
            return self.filter(pk=user.pk)
        return self.filter(jurisdiction_q(user, "org_unit"))


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person with one role, belonging to one org node (the root of their jurisdiction)."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    title = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organisation unit"),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when an administrator creates the account or sets its password; the user must "
            "choose a new password before doing anything else."
        ),
    )

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="") | Q(org_unit__isnull=False),
                name="user_with_role_has_org_unit",
                violation_error_message=_(
                    "A user with a role must belong to an organisation unit."
                ),
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if (
            self.role == Role.UNIT_OFFICER
            and self.org_unit
            and self.org_unit.kind != OrgUnit.Kind.UNIT
        ):
            raise ValidationError({"org_unit": _("A case-unit officer must belong to a unit.")})

    @property
    def jurisdiction_paths(self) -> list[str]:
        return jurisdiction_paths(self)


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


class Digest(models.Model):
    """The outbox: at most one message a day per recipient, channel and kind, listing their items.

    Delivery claims the row (pending → sending) before sending, so two workers never both send it;
    a failure goes back to pending with the error and the time of the next attempt (backoff) until
    the attempts run out (failed). Retries come from a periodic sweep, not from far-future ETA
    tasks, which Redis would deliver again after its visibility timeout (DESIGN §8).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Enterprise messaging webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

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


class AuditEntryQuerySet(models.QuerySet):
    """Append-only: rows are written, read and exported, never changed (the database refuses too,
    see migration ``accounts.0007``)."""

    def restrict(self, user):
        """Only the audit administrator reads the log (三员分立)."""
        if user.is_active and user.role == Role.AUDIT_ADMIN:
            return self
        return self.none()

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One audited event: who (account, role, address), when, what, on which object, how it ended,
    and for writes the fields before and after."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Log in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Log out")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        TRANSITION = "transition", _("State change")
        DELETE = "delete", _("Delete")
        VIEW = "view", _("View")
        DOWNLOAD = "download", _("Download")
        EXPORT = "export", _("Export")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Succeeded")
        FAILURE = "failure", _("Refused or failed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # Not a foreign key: an entry outlives any change to the account and never cascades.
    user_id = models.PositiveIntegerField(_("account id"), null=True, blank=True)
    username = models.CharField(_("account"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["username", "at"], name="audit_user_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        at = timezone.localtime(self.at)
        return f"{at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    @property
    def object_kind(self) -> str:
        """The object's kind as users name it (纪检监察建议书, 整改措施…)."""
        if not self.object_type:
            return ""
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except LookupError:
            return self.object_type
