from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

VIEW_AUDIT_LOG = "audit.view_auditentry"


class AuditEntryQuerySet(models.QuerySet):
    """Append-only: rows are written, read and exported, never changed (the database refuses too,
    see migration ``accounts.0007``, which made the table when the
    model lived in ``accounts``; it kept its name)."""

    def restrict(self, user):
        """Only the audit administrator reads the log (三员分立; ``audit/rules.py``)."""
        return self if user.has_perm(VIEW_AUDIT_LOG) else self.none()

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
        db_table = "accounts_auditentry"  # named when the model lived in accounts
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
