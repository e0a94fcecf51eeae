"""PostgreSQL refuses ``TRUNCATE`` of the audit log, whoever asks.

The row trigger of ``accounts.0007`` refuses ``UPDATE`` and young ``DELETE``s, but ``TRUNCATE``
fires no row trigger: this statement trigger refuses it, even to the table's owner, who would
have to drop the trigger first (and the application's role should not own the table: README
"Production", ``tools/db-grants.sql``, deploy check ``audit.W001``). SQLite, for development only,
has no ``TRUNCATE``. The tests empty tables with ``TRUNCATE`` between transactional tests and lift
this trigger inside that transaction (``tests/conftest.py``).
"""

from django.db import migrations

POSTGRESQL_GUARD = """
CREATE FUNCTION accounts_auditentry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER accounts_auditentry_no_truncate BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_no_truncate();
"""
POSTGRESQL_UNGUARD = """
DROP TRIGGER accounts_auditentry_no_truncate ON accounts_auditentry;
DROP FUNCTION accounts_auditentry_no_truncate();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_existing_entries")]

    operations = [migrations.RunPython(guard, unguard)]
