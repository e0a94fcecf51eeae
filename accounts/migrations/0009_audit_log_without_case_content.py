"""Takes the case content out of the audit entries written before the log stopped copying it.

The log is append-only, and stays so: this one migration, run by the owner of the table at
deployment, lifts the database's guard inside its own transaction (PostgreSQL holds the table
locked meanwhile, so nothing else writes unguarded), rewrites only what the audit administrator
must not read — the names of the domain's records, the values of their free text and of case
amounts, search terms in the recorded addresses — and puts the guard back. Who did what, when,
from where and to which record (kind and id, a letter's document number) stays as it was. Later
entries are redacted when they are written (``accounts.audit``, ``accounts.confidentiality``).
"""

import re
from urllib.parse import parse_qsl, quote

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

# The domain's apps: their records are named by kind and id, and none of their free text is kept.
DOMAIN_APPS = {"cases", "recommendations", "reforms"}
# Case content that is not free text.
CASE_AMOUNTS = {"cases.case": {"amount"}}
REDACTED = "（案件内容，不予记录）"
SEARCH_PARAMETERS = {"q", "search"}
# A letter kept its document number at the head of its name.
LETTER = "recommendations.recommendation"
DOC_NUMBER = re.compile(r"^\S*〔\d{4}〕\d+号")
BATCH = 1000

POSTGRESQL_OFF = "ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_append_only"
POSTGRESQL_ON = "ALTER TABLE accounts_auditentry ENABLE TRIGGER accounts_auditentry_append_only"
SQLITE_OFF = "DROP TRIGGER accounts_auditentry_append_only"
SQLITE_ON = """
CREATE TRIGGER accounts_auditentry_append_only BEFORE UPDATE ON accounts_auditentry
BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE refused'); END;
"""


class Kinds:
    """Per kind of record: its name in the log, and the fields whose values are not kept."""

    def __init__(self, apps):
        self.apps = apps
        self.known = {}

    def __getitem__(self, object_type):
        if object_type not in self.known:
            self.known[object_type] = self._describe(object_type)
        return self.known[object_type]

    def _describe(self, object_type):
        try:
            model = self.apps.get_model(object_type)
        except (LookupError, ValueError):
            return object_type, None  # a kind since removed: every text value is dropped
        # A historical model's name is a plain string: translated here, as the log now writes it.
        with translation.override(settings.LANGUAGE_CODE):
            kind = translation.gettext(str(model._meta.verbose_name))
        hidden = {
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.choices
        }
        return kind, hidden | CASE_AMOUNTS.get(object_type, set())


def _redacted_changes(changes: dict, hidden) -> dict:
    def dropped(name, values):
        return isinstance(values, list) and (
            name in hidden if hidden is not None else any(isinstance(v, str) for v in values)
        )

    return {
        name: [value if value in (None, "") else REDACTED for value in values]
        if dropped(name, values)
        else values
        for name, values in changes.items()
    }


def _redacted_detail(detail: str) -> str:
    method, _, address = detail.partition(" ")
    path, mark, query = address.partition("?")
    if not mark:
        return detail
    query = "&".join(
        f"{quote(name)}={'…' if name in SEARCH_PARAMETERS else quote(value)}"
        for name, value in parse_qsl(query, keep_blank_values=True)
    )
    return f"{method} {path}?{query}"[:300]


def _redact(entry, kinds) -> bool:
    """Rewrites the entry in memory; true when something changed."""
    before = (entry.object_repr, entry.changes, entry.detail)
    if entry.object_type.partition(".")[0] in DOMAIN_APPS:
        kind, hidden = kinds[entry.object_type]
        if entry.object_id:
            number = LETTER == entry.object_type and DOC_NUMBER.match(entry.object_repr)
            reference = f"{kind} #{entry.object_id}"
            entry.object_repr = f"{reference} {number.group()}" if number else reference
        if isinstance(entry.changes, dict):
            entry.changes = _redacted_changes(entry.changes, hidden)
    entry.detail = _redacted_detail(entry.detail)
    return (entry.object_repr, entry.changes, entry.detail) != before


def redact(apps, schema_editor):
    entry_model = apps.get_model("accounts", "AuditEntry")
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRESQL_OFF if postgresql else SQLITE_OFF, params=None)
    kinds = Kinds(apps)
    entries = entry_model.objects.order_by("pk").only(
        "object_type", "object_id", "object_repr", "changes", "detail"
    )
    batch = []
    for entry in entries.iterator(chunk_size=BATCH):
        if _redact(entry, kinds):
            batch.append(entry)
        if len(batch) >= BATCH:
            entry_model.objects.bulk_update(batch, ["object_repr", "changes", "detail"])
            batch = []
    if batch:
        entry_model.objects.bulk_update(batch, ["object_repr", "changes", "detail"])
    schema_editor.execute(POSTGRESQL_ON if postgresql else SQLITE_ON, params=None)


class Migration(migrations.Migration):
    # The domain's migrations too: the redaction reads its models' field types.
    dependencies = [
        ("accounts", "0008_text_length_limits"),
        ("cases", "0003_text_length_limits"),
        ("recommendations", "0003_text_length_limits"),
        ("reforms", "0006_text_length_limits"),
    ]

    # Nothing to undo: the values taken out are not kept anywhere.
    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
