from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from . import chain

VIEW_AUDIT_LOG = "audit.view_auditentry"
VIEW_VERIFICATIONS = "audit.view_auditverification"


class AuditEntryQuerySet(models.QuerySet):
    """Append-only: rows are written, read and exported, never changed (the database refuses too,
    see migration ``accounts.0007``, which made the table when the
    model lived in ``accounts``; it kept its name)."""

    def restrict(self, user):
        """Only the audit administrator reads the log (三员分立; ``audit/rules.py``)."""
        return self if user.has_perm(VIEW_AUDIT_LOG) else self.none()

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def bulk_create(self, *args, **kwargs):
        raise PermissionError("Audit entries are written one at a time, each sealed (chain.py).")

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

    # Set before the entry is sealed (``chain.py``), not by the database or ``auto_now_add``.
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
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
    # HMAC-SM3 over this entry's other fields and the previous entry's code (``chain.py``).
    mac = models.CharField(_("chain code"), max_length=64, blank=True, editable=False)

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
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        kwargs["force_insert"] = True
        chain.insert_sealed(self, using, lambda: super(AuditEntry, self).save(*args, **kwargs))

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


class AuditVerificationQuerySet(models.QuerySet):
    def restrict(self, user):
        return self if user.has_perm(VIEW_VERIFICATIONS) else self.none()


class AuditVerification(models.Model):
    """One walk of the audit log's chain (``manage.py audit_verify``, daily by Celery beat): when,
    how many entries, and the first broken link if any."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("chain intact"), default=False)
    checked = models.PositiveBigIntegerField(_("entries checked"), default=0)
    # The last entry found intact: the next walk checks it is still there (the newest entries
    # removed would break no link).
    last_entry_id = models.BigIntegerField(_("last entry"), null=True, blank=True)
    last_mac = models.CharField(_("last chain code"), max_length=64, blank=True)
    broken_position = models.PositiveBigIntegerField(_("broken at position"), null=True, blank=True)
    broken_entry_id = models.BigIntegerField(_("broken at entry"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = AuditVerificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log verification")
        verbose_name_plural = _("audit log verifications")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        at = timezone.localtime(self.started_at)
        return f"{at:%Y-%m-%d %H:%M:%S} {_('intact') if self.ok else _('broken')}"
