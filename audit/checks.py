"""Deployment checks (``manage.py check --deploy``): the audit log's chain key, and a database
role that cannot lift the log's guard."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError, connections

MINIMUM_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def audit_chain_key(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    key = settings.AUDIT_CHAIN_KEY
    if not key or key == settings.AUDIT_CHAIN_DEVELOPMENT_KEY or len(key) < MINIMUM_KEY_LENGTH:
        return [
            Error(
                "Production runs without its own AUDIT_CHAIN_KEY: audit entries cannot be sealed "
                "(HMAC-SM3 chain, 密评).",
                hint=f"Set AUDIT_CHAIN_KEY to a secret of at least {MINIMUM_KEY_LENGTH} "
                "characters, apart from SECRET_KEY (python -c 'import secrets; "
                "print(secrets.token_hex(32))'), kept by the audit side.",
                id="audit.E001",
            )
        ]
    return []


AUDIT_TABLE = "accounts_auditentry"
# Whether the connected role could lift the log's guard (own the table, or be a member of its
# owner, or a superuser) or empty it (TRUNCATE).
CONTROL = """
SELECT r.rolsuper OR pg_has_role(current_user, c.relowner, 'MEMBER'),
       has_table_privilege(c.oid, 'TRUNCATE')
FROM pg_class c, pg_roles r
WHERE c.oid = to_regclass(%s) AND r.rolname = current_user
"""


@register(Tags.security, deploy=True)
def audit_table_not_owned_by_the_application(app_configs, databases=None, **kwargs):
    """The application's database role must not be able to drop the audit log's triggers or
    truncate it (tools/db-grants.sql)."""
    if not settings.PRODUCTION:
        return []
    found = []
    # Only when asked to look at databases (``check --deploy --database default``), as Django's
    # own database checks: a check without them must not need one.
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(CONTROL, [AUDIT_TABLE])
                row = cursor.fetchone()
        except DatabaseError:
            continue  # no database to ask: nothing to say about its roles
        if row is None:
            continue  # not migrated yet
        owns, truncates = row
        if owns or truncates:
            found.append(
                Warning(
                    f"The application's database role ({connection.settings_dict['USER']}) "
                    + (
                        "owns the audit log's table or is a superuser"
                        if owns
                        else "may TRUNCATE the audit log's table"
                    )
                    + ": it could drop the table's append-only triggers or empty it.",
                    hint="Run migrations as the owner and the application as a role with row "
                    'rights only: tools/db-grants.sql (README "Production").',
                    id="audit.W001",
                )
            )
    return found
