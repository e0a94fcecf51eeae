"""System checks: the key ring loads, production has keys of its own, and the stored values open.

``manage.py check`` (and so ``runserver`` and ``migrate``) fails when the ring cannot be built;
``check --deploy`` fails in production on the development keys; with ``--database default`` it
also opens the first and the last sealed value of every column and fails on a value whose key
is missing from the ring or does not open it (a wrong key) — before anything is served or
written with it.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from .keyring import DecryptionFailed, is_sealed, keyring
from .rotation import sealed_tables


@register(Tags.security)
def key_ring_loads(app_configs, **kwargs):
    try:
        keyring()
    except ImproperlyConfigured as error:
        return [Error(f"The data key ring cannot be built: {error}", id="encryption.E001")]
    return []


@register(Tags.security, deploy=True)
def production_keys(app_configs, **kwargs):
    if not settings.PRODUCTION:
        return []
    development = settings.DATA_KEYS == settings.DATA_KEYS_DEVELOPMENT and not (
        settings.DATA_KEYS_FILE
    )
    if development or settings.BLIND_INDEX_KEY == settings.BLIND_INDEX_DEVELOPMENT_KEY:
        return [
            Error(
                "Production runs on the development data keys: case content would be sealed "
                "with keys published in the repository.",
                hint="Set DATA_KEYS (or DATA_KEYS_FILE) and BLIND_INDEX_KEY; see "
                "docs/cryptography.md.",
                id="encryption.E002",
            )
        ]
    return []


@register(Tags.database)
def stored_values_open(app_configs, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    try:
        ring = keyring()
    except ImproperlyConfigured:
        return []  # encryption.E001 says why
    problems = []
    connection = connections["default"]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # ``migrate`` runs the checks before it migrates: on a new database the tables are not
        # there yet, and before ``cases.0008`` the columns still hold numbers and clear text.
        existing = set(connection.introspection.table_names(cursor))
        for table in sealed_tables():
            if table.table not in existing:
                continue
            for column in table.columns:
                name, where = quote(column.column), f"{quote(column.column)} IS NOT NULL"
                for direction in ("ASC", "DESC"):
                    cursor.execute(
                        f"SELECT {name} FROM {quote(table.table)} WHERE {where} "
                        f"ORDER BY {quote(table.pk)} {direction} LIMIT 1"
                    )
                    row = cursor.fetchone()
                    for problem in (
                        _sample_problems(ring, row[0], table.table, column) if row else []
                    ):
                        if problem not in problems:  # the first and the last row may say the same
                            problems.append(problem)
    return problems


def _sample_problems(ring, value, table, column):
    if not isinstance(value, str) or not is_sealed(value):
        return [
            Warning(
                f"{table}.{column.column} holds values stored in clear.",
                hint="Run manage.py migrate, or manage.py rotate_data_key, to seal them.",
                id="encryption.W001",
            )
        ]
    try:
        ring.open(value, column.context.encode())
    except DecryptionFailed as error:
        return [
            Error(
                f"A stored value does not open: {error}",
                hint="Start with the key ring the data was sealed with (DATA_KEYS).",
                id="encryption.E003",
            )
        ]
    return []
