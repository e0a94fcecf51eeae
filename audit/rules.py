"""Who reads the audit log: the audit administrator only; nobody changes it (三员分立)."""

import rules

from accounts.roles import is_audit_admin

from .models import VIEW_AUDIT_LOG, VIEW_VERIFICATIONS

rules.add_perm("audit", is_audit_admin)
rules.add_perm(VIEW_AUDIT_LOG, is_audit_admin)
rules.add_perm(VIEW_VERIFICATIONS, is_audit_admin)
