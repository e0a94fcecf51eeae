"""Who may do what with accounts and the org tree. Every app keeps its rules in its ``rules.py``."""

import rules

from .confidentiality import VIEW_CASE_CONTENT
from .roles import (
    in_scope,
    is_audit_admin,
    is_case_reader,
    is_discipline_staff,
    is_security_admin,
    is_separated_admin,
    is_system_admin,
)

has_any_role = rules.predicate(lambda user: bool(getattr(user, "role", "")), name="has_any_role")

rules.add_perm("accounts", has_any_role)
rules.add_perm("accounts.view_orgunit", has_any_role & in_scope)
rules.add_perm("accounts.add_orgunit", is_system_admin)
rules.add_perm("accounts.change_orgunit", is_system_admin)
rules.add_perm("accounts.delete_orgunit", is_system_admin)

# Case content (``accounts.confidentiality``): discipline staff and supervisors, in their
# jurisdiction; never a unit officer, never one of the three administrators.
rules.add_perm(VIEW_CASE_CONTENT, is_case_reader)

# The back office: staff keep the records of their jurisdiction there, the three administrators
# do their separated duties. Unit officers and supervisors work in the pages only.
rules.add_perm(
    "accounts.use_back_office",
    is_discipline_staff | is_system_admin | is_security_admin | is_audit_admin,
)

# Settings that are not case content (calendar, reminder policy, outbox): system administrators
# edit them; every role may read them in the back office it reaches.
rules.add_perm("accounts.view_system_settings", has_any_role)
rules.add_perm("accounts.change_system_settings", is_system_admin)

# The three separated administrators' own work (the menu's "back office" entry leads them there).
rules.add_perm("accounts.administer", is_separated_admin)


@rules.predicate
def is_self(user, account) -> bool:
    return account is not None and account == user


rules.add_perm("accounts.view_user", (is_system_admin | is_security_admin) & in_scope)
rules.add_perm("accounts.add_user", is_system_admin)
rules.add_perm("accounts.change_user", is_system_admin | is_security_admin)
rules.add_perm("accounts.delete_user", is_system_admin)
# 三员分立 within an account: the system administrator keeps who, where and the password; the
# security administrator grants the role and switches the account on or off, never their own.
rules.add_perm("accounts.change_user_account", is_system_admin)
rules.add_perm("accounts.set_user_password", is_system_admin)
rules.add_perm("accounts.change_user_role", is_security_admin & ~is_self)

# API tokens (``accounts.ApiToken``, kept as digests): users obtain their own at /api/v1/token/;
# the security administrator sees them (user, prefix, created) and revokes one by deleting it.
rules.add_perm("accounts.view_apitoken", is_security_admin)
rules.add_perm("accounts.delete_apitoken", is_security_admin)


# Lockouts (django-axes) and second-factor devices (django-otp) are the security administrator's:
# they read the sign-in records, lift a lockout by deleting its attempt record, and reset a
# user's second factor by deleting the device (the user enrols again at the next sign-in).
rules.add_perm("axes", is_security_admin)
for _model in ("accessattempt", "accesslog", "accessfailurelog"):
    rules.add_perm(f"axes.view_{_model}", is_security_admin)
rules.add_perm("axes.delete_accessattempt", is_security_admin)
rules.add_perm("otp_totp", is_security_admin)
rules.add_perm("otp_totp.view_totpdevice", is_security_admin)
rules.add_perm("otp_totp.delete_totpdevice", is_security_admin)
