"""The six roles (docs/architecture.md) and the predicates every permission rule is built from."""

import rules
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISCIPLINE_STAFF = "discipline_staff", _("Discipline staff")
    UNIT_OFFICER = "unit_officer", _("Case-unit officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# Roles that read case content within their jurisdiction. The three separated admins never do.
CASE_READERS = frozenset({Role.DISCIPLINE_STAFF, Role.SUPERVISOR})


def _role_predicate(role: Role) -> rules.Predicate:
    return rules.Predicate(lambda user: getattr(user, "role", None) == role, name=f"is_{role}")


is_discipline_staff = _role_predicate(Role.DISCIPLINE_STAFF)
is_unit_officer = _role_predicate(Role.UNIT_OFFICER)
is_supervisor = _role_predicate(Role.SUPERVISOR)
is_system_admin = _role_predicate(Role.SYSTEM_ADMIN)
is_security_admin = _role_predicate(Role.SECURITY_ADMIN)
is_audit_admin = _role_predicate(Role.AUDIT_ADMIN)
is_case_reader = is_discipline_staff | is_supervisor


@rules.predicate
def in_scope(user, obj) -> bool:
    """The user may see the object (its model's ``restrict``); true for model-level checks."""
    if obj is None:
        return True
    return type(obj)._default_manager.restrict(user).filter(pk=obj.pk).exists()
