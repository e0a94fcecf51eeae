"""Seals the entries written before the chain, in id order, in batches (``audit/chain.py``).

As ``accounts.0009`` did, this one migration, run by the owner of the table at deployment, lifts
the append-only guard inside its own transaction (PostgreSQL holds the table locked meanwhile), writes
only the new ``mac`` column and puts the guard back. It needs ``AUDIT_CHAIN_KEY`` when there are
entries to seal.
"""

from django.db import migrations

from audit import chain

POSTGRESQL_OFF = "ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_append_only"
POSTGRESQL_ON = "ALTER TABLE accounts_auditentry ENABLE TRIGGER accounts_auditentry_append_only"
SQLITE_OFF = "DROP TRIGGER accounts_auditentry_append_only"
SQLITE_ON = """
CREATE TRIGGER accounts_auditentry_append_only BEFORE UPDATE ON accounts_auditentry
BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE refused'); END;
"""


def seal_existing(apps, schema_editor):
    entry_model = apps.get_model("audit", "AuditEntry")
    if not entry_model.objects.exists():
        return
    key = chain.chain_key()
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRESQL_OFF if postgresql else SQLITE_OFF, params=None)
    previous = chain.GENESIS
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for row in chain.rows(entry_model.objects.all()):
            values = dict(zip(chain.FIELDS, row[:-1], strict=True))
            previous = chain.seal(values, previous, key)
            batch.append((previous, values["id"]))
            if len(batch) >= chain.BATCH:
                cursor.executemany("UPDATE accounts_auditentry SET mac = %s WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany("UPDATE accounts_auditentry SET mac = %s WHERE id = %s", batch)
    schema_editor.execute(POSTGRESQL_ON if postgresql else SQLITE_ON, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
