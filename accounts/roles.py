"""The six roles (docs/architecture.md) and the predicates every permission rule is built from."""

import rules
from django.db import models
from django.db.models import Q
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
# Roles that work inside a jurisdiction; anyone else (the audit admin, an account without a role)
# sees no org node and no other account.
JURISDICTION_ROLES = CASE_READERS | {Role.UNIT_OFFICER}
# The administrators who keep the whole org tree and every account (not the audit admin).
WHOLE_TREE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})
# The three separated administrators (三员分立).
ADMIN_ROLES = WHOLE_TREE_ROLES | {Role.AUDIT_ADMIN}
# Unit officers may enable a second factor for themselves; everyone else with a role must.
SECOND_FACTOR_ROLES = frozenset(Role) - {Role.UNIT_OFFICER}

# The accounts of each kind, as filters (``User.objects.unit_officers()`` and friends use them).
UNIT_OFFICERS = Q(role=Role.UNIT_OFFICER)
DISCIPLINE_STAFF = Q(role=Role.DISCIPLINE_STAFF)
SUPERVISORS = Q(role=Role.SUPERVISOR)
CASE_READER_ACCOUNTS = Q(role__in=CASE_READERS)
SYSTEM_ADMINS = Q(role=Role.SYSTEM_ADMIN)
AUDIT_ADMINS = Q(role=Role.AUDIT_ADMIN)


def _role_of(user) -> str | None:
    return getattr(user, "role", None)


# Plain helpers for code that is not a permission check (scoping, sign-in, model validation).


def reads_cases(user) -> bool:
    """Discipline staff and supervisors: every row of their jurisdiction."""
    return _role_of(user) in CASE_READERS


def officer_of_a_unit(user) -> bool:
    return _role_of(user) == Role.UNIT_OFFICER


def works_in_jurisdiction(user) -> bool:
    """The user's view is cut to a jurisdiction (case readers and unit officers)."""
    return _role_of(user) in JURISDICTION_ROLES


def covers_whole_tree(user) -> bool:
    """Superusers and the system and security administrators see the whole org tree."""
    return bool(getattr(user, "is_superuser", False)) or _role_of(user) in WHOLE_TREE_ROLES


def needs_second_factor(user) -> bool:
    """The user's role demands a second factor (whether the installation enforces it or not)."""
    return bool(getattr(user, "is_superuser", False)) or _role_of(user) in SECOND_FACTOR_ROLES


def _role_predicate(role: Role) -> rules.Predicate:
    return rules.Predicate(lambda user: _role_of(user) == role, name=f"is_{role}")


is_discipline_staff = _role_predicate(Role.DISCIPLINE_STAFF)
is_unit_officer = _role_predicate(Role.UNIT_OFFICER)
is_supervisor = _role_predicate(Role.SUPERVISOR)
is_system_admin = _role_predicate(Role.SYSTEM_ADMIN)
is_security_admin = _role_predicate(Role.SECURITY_ADMIN)
is_audit_admin = _role_predicate(Role.AUDIT_ADMIN)
is_case_reader = is_discipline_staff | is_supervisor
is_separated_admin = is_system_admin | is_security_admin | is_audit_admin


@rules.predicate
def in_scope(user, obj) -> bool:
    """The user may see the object (its model's ``restrict``); true for model-level checks."""
    if obj is None:
        return True
    return type(obj)._default_manager.restrict(user).filter(pk=obj.pk).exists()
