"""Takes the case content out of the audit entries written before the log stopped copying it.

The log is append-only, and stays so: this one migration, run by the owner of the table at
deployment, lifts the database's guard inside its own transaction (PostgreSQL holds the table
locked meanwhile, so nothing else writes unguarded), rewrites only what the audit administrator
must not read — the names of case records, the values of case-content fields, search terms in the
recorded addresses — and puts the guard back. Who did what, when, from where and to which record
(kind and id) stays as it was. The fields are those of ``case_content_fields`` on the day this
was written; later entries are redacted when they are written (``accounts.audit``).
"""

from urllib.parse import parse_qsl, quote

from django.db import migrations

# Kind of record → its case-content fields, and the name the log now gives it ("" keeps the name).
CASE_CONTENT = {
    "cases.case": (("number", "title", "amount", "summary"), "案件"),
    "cases.subject": (("name", "position", "disposition"), "涉案人员"),
    "cases.caseanalysis": (("trajectory", "root_causes", "loopholes", "lessons"), "案件剖析"),
    "cases.problem": (("description",), "问题"),
    "recommendations.recommendation": (("preamble",), ""),
}
REDACTED = "（案件内容，不予记录）"
SEARCH_PARAMETERS = {"q", "search"}
BATCH = 1000

POSTGRESQL_OFF = "ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_append_only"
POSTGRESQL_ON = "ALTER TABLE accounts_auditentry ENABLE TRIGGER accounts_auditentry_append_only"
SQLITE_OFF = "DROP TRIGGER accounts_auditentry_append_only"
SQLITE_ON = """
CREATE TRIGGER accounts_auditentry_append_only BEFORE UPDATE ON accounts_auditentry
BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE refused'); END;
"""


def _redacted_changes(changes: dict, hidden) -> dict:
    return {
        name: [None if value is None else REDACTED for value in values]
        if name in hidden and isinstance(values, list)
        else values
        for name, values in changes.items()
    }


def _redacted_detail(detail: str) -> str:
    method, _, address = detail.partition(" ")
    path, mark, query = address.partition("?")
    if not mark:
        return detail
    pairs = parse_qsl(query, keep_blank_values=True)
    query = "&".join(
        f"{quote(name)}={'…' if name in SEARCH_PARAMETERS else quote(value)}"
        for name, value in pairs
    )
    return f"{method} {path}?{query}"[:300]


def _redact(entry) -> bool:
    """Rewrites the entry in memory; true when something changed."""
    before = (entry.object_repr, entry.changes, entry.detail)
    if entry.object_type in CASE_CONTENT:
        hidden, kind = CASE_CONTENT[entry.object_type]
        if kind and entry.object_id:
            entry.object_repr = f"{kind} #{entry.object_id}"
        if isinstance(entry.changes, dict):
            entry.changes = _redacted_changes(entry.changes, hidden)
    entry.detail = _redacted_detail(entry.detail)
    return (entry.object_repr, entry.changes, entry.detail) != before


def redact(apps, schema_editor):
    entry_model = apps.get_model("accounts", "AuditEntry")
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRESQL_OFF if postgresql else SQLITE_OFF, params=None)
    entries = entry_model.objects.order_by("pk").only("object_type", "object_id", "object_repr",
                                                      "changes", "detail")
    batch = []
    for entry in entries.iterator(chunk_size=BATCH):
        if _redact(entry):
            batch.append(entry)
        if len(batch) >= BATCH:
            entry_model.objects.bulk_update(batch, ["object_repr", "changes", "detail"])
            batch = []
    if batch:
        entry_model.objects.bulk_update(batch, ["object_repr", "changes", "detail"])
    schema_editor.execute(POSTGRESQL_ON if postgresql else SQLITE_ON, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_audit_log"),
    ]

    # Nothing to undo: the values taken out are not kept anywhere.
    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
