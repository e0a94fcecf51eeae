"""Building blocks shared by every app: the domain error, timestamps, transition history, today."""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_today() -> datetime.date:
    """Today's date in China, whatever time zone the request or worker runs in."""
    return timezone.now().astimezone(SHANGHAI).date()


# The refusals raised while one request is handled (``collect_refusals``), for the audit log.
_refusals: ContextVar[list | None] = ContextVar("refusals", default=None)


@contextmanager
def collect_refusals():
    """Note every ``DomainError`` made inside the block, however it is then answered (a form, a
    message, a JSON error, the back office): the audit log records them once the answer is known
    (``audit.log.AuditContextMiddleware``), outside the service's rolled-back transaction."""
    token = _refusals.set([])
    try:
        yield _refusals.get()
    finally:
        _refusals.reset(token)


class DomainError(Exception):
    """A refused action, with a message fit to show the user (UI, API, admin and jobs alike)."""

    status_code = 400

    def __init__(self, message, *, code: str = "invalid", errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        # Messages per field (``{"number": ["…"]}``), when the refusal concerns fields.
        self.errors = errors or {}
        if (noted := _refusals.get()) is not None:
            noted.append(self)

    def __str__(self):
        return str(self.message)


class PermissionRefused(DomainError):
    """The actor may not do this to this object."""

    status_code = 403

    def __init__(self, message=None, *, code: str = "permission_denied", errors=None):
        super().__init__(message or _("You are not allowed to do this."), code=code, errors=errors)


class TransitionRefused(DomainError):
    """The object is not in a state that allows this, or the request fails validation."""

    status_code = 409


class InvalidInput(DomainError):
    """The input breaks a field's limit, a uniqueness or a cross-field rule of the model."""

    NON_FIELD = "non_field_errors"

    @classmethod
    def from_validation(cls, error: ValidationError) -> "InvalidInput":
        """Django's validation as a refusal: every message, each under the field it concerns."""
        if not hasattr(error, "error_dict"):
            return cls(" ".join(error.messages), errors={cls.NON_FIELD: error.messages})
        errors = {
            (cls.NON_FIELD if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
        return cls(" ".join(error.messages), errors=errors)


class LengthConstraint(models.CheckConstraint):
    """A ``BoundedTextField``'s limit in the database. Model validation has checked it already,
    by the field's ``MaxLengthValidator``: checking the constraint too would ask the database (a
    query in a savepoint, three statements a record, a list of 1,000 problems 3,000). Written to
    migrations as the ``CheckConstraint`` it is."""

    def validate(self, model, instance, exclude=None, using=None):
        return

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs


class BoundedTextField(models.TextField):
    """Free text with a length limit enforced on every path, the limit's one home.

    ``max_length`` (characters) is required. Forms take it from here (and give the textarea its
    ``maxlength``), as do the API serializers and the Excel import (``max_length_of``); model
    validation checks it (``MaxLengthValidator``, as a ``CharField`` does); and each concrete
    model gets a CHECK constraint ``<model>_<field>_length``, ``LENGTH(field) <= max_length``, so
    the admin, bulk writes and raw ORM updates are refused too. The constraint is added here rather
    than written in each ``Meta.constraints`` so the number is written once: changing
    ``max_length`` makes a migration that replaces the constraint.

    Long text without a break also costs WeasyPrint time (docs/pitfalls.md): these limits bound it.
    """

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if cls._meta.abstract:
            return  # each concrete model gets its own, named after it
        # A model rebuilt from migration state has the constraints its migrations gave it, no
        # more: adding one here would create it twice (with the table, then by AddConstraint).
        if cls.__module__ == "__fake__":
            return
        constraint_name = f"{cls._meta.model_name}_{self.name}_length"
        # A new list: an inherited Meta's list is shared with the other models using it.
        cls._meta.constraints = [
            *cls._meta.constraints,
            LengthConstraint(
                condition=Q(LessThanOrEqual(Length(self.name), self.max_length)),
                name=constraint_name,
            ),
        ]
        # Migrations read the constraints of models whose Meta declared some.
        cls._meta.original_attrs["constraints"] = cls._meta.constraints


def max_length_of(model, field_name: str) -> int:
    """The limit a model field sets, for the forms, serializers and imports that must match it."""
    return model._meta.get_field(field_name).max_length


def max_value_of(model, field_name: str) -> int:
    """The largest number an integer model field holds on every database Django supports (SQLite
    holds more than PostgreSQL), for the serializers that must not pass it a larger one."""
    field = model._meta.get_field(field_name)
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()][1]


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TransitionRecord(models.Model):
    """One state change: who moved the object from which state to which, when and why."""

    from_status = models.CharField(_("from status"), max_length=32)
    to_status = models.CharField(_("to status"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    reason = BoundedTextField(_("reason"), max_length=1000, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


def require_perm(actor, perm: str, obj=None) -> None:
    """Raise ``PermissionRefused`` unless the actor holds ``perm`` (see each app's ``rules.py``)."""
    if not actor.has_perm(perm, obj):
        raise PermissionRefused()


def lock_for_update(obj):
    """Re-read ``obj``'s row under a row lock, so concurrent transitions queue behind each other."""
    fresh = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(fresh, field.attname))
    return obj


def require_status(obj, allowed, message) -> None:
    """Refuse a transition unless ``obj`` is in one of the ``allowed`` states."""
    if obj.status not in allowed:
        raise TransitionRefused(message, code="invalid_state")


def insert_together(model, instances: list) -> list:
    """Insert ``instances`` of ``model`` by one statement, then tell the receivers of
    ``post_save`` (the audit log) of each row as ``save()`` would.

    A tally kept by statement triggers (``reforms.0014``) is updated once a statement: rows
    inserted one by one in one transaction update its row once each, and every update reads
    through the versions the transaction left before it (a plan of 1,000 measures: 0.6 → 4.4 ms
    an insert by the last hundred)."""
    using = router.db_for_write(model)
    with transaction.atomic(using=using):
        created = model._default_manager.using(using).bulk_create(instances)
        for instance in created:
            post_save.send(
                sender=model,
                instance=instance,
                created=True,
                update_fields=None,
                raw=False,
                using=using,
            )
    return created


def apply_transition(obj, *, to_status: str, actor, reason: str = "", **record_fields):
    """Move ``obj`` to ``to_status``, save it, and write its history row."""
    from_status = obj.status
    obj.status = to_status
    obj.save()
    return obj.transitions.create(
        from_status=from_status, to_status=to_status, actor=actor, reason=reason, **record_fields
    )
