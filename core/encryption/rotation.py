"""Re-sealing stored values in batches: key rotation, and the first sealing of clear rows.

Works on the columns with SQL (not through the fields, which open only sealed values), so the
same code serves the management command and the migrations that seal rows written in clear.
Each batch is its own transaction: an interrupted run keeps what it did, and the next run skips
every value already under the current key — it resumes where it stopped.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from .fields import BlindIndexField, SealedMixin
from .keyring import KeyRing, is_sealed, key_id_of, keyring

CLEAR = "clear"  # what the survey calls a value stored unsealed
Progress = Callable[[str, int, int, int], None]  # (what, read, total, rewritten)


@dataclass(frozen=True)
class SealedFiles:
    """Files an app keeps sealed, registered from its ``ready()`` (core imports no app):
    ``survey()`` counts them by key id, ``reseal(batch_size, progress)`` re-seals those not under
    the current key and returns how many."""

    label: str
    survey: Callable[[], Counter]
    reseal: Callable[[int, Progress | None], int]


SEALED_FILES: list[SealedFiles] = []


def register_sealed_files(files: SealedFiles) -> None:
    if files not in SEALED_FILES:
        SEALED_FILES.append(files)


@dataclass(frozen=True)
class SealedColumn:
    column: str
    context: str  # the associated data: ``app_label.model.field``
    index_column: str | None = None  # its blind index, if it has one


@dataclass(frozen=True)
class SealedTable:
    table: str
    pk: str
    columns: tuple[SealedColumn, ...]


def sealed_tables() -> list[SealedTable]:
    """Every table with a sealed column, from the models (with their blind indexes)."""
    tables = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        indexes = {f.source: f.column for f in fields if isinstance(f, BlindIndexField)}
        columns = tuple(
            SealedColumn(f.column, f"{model._meta.label_lower}.{f.name}", indexes.get(f.name))
            for f in fields
            if isinstance(f, SealedMixin)
        )
        if columns:
            tables.append(SealedTable(model._meta.db_table, model._meta.pk.column, columns))
    return tables


def survey(tables: Iterable[SealedTable], batch_size: int = 5000) -> dict[str, Counter]:
    """How many values of each column are under each key id, or in clear (``CLEAR``)."""
    found = {}
    for table in tables:
        counts = {column.column: Counter() for column in table.columns}
        for rows in _batches(table, batch_size, lock=False):
            for _pk, *values in rows:
                for column, value in zip(table.columns, values, strict=True):
                    if value is not None:
                        counts[column.column][key_id_of(value) or CLEAR] += 1
        found.update({f"{table.table}.{name}": tally for name, tally in counts.items()})
    return found


def _batches(table: SealedTable, batch_size: int, lock: bool):
    """The table's rows (pk first, then the sealed columns), by primary key, a batch at a time.

    With ``lock`` each batch is read and yielded inside its own transaction, its rows locked, so
    what the caller writes for it commits with it.
    """
    quote = connection.ops.quote_name
    selected = ", ".join(quote(name) for name in [table.pk, *(c.column for c in table.columns)])
    locking = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    last = None
    while True:
        where = "" if last is None else f"WHERE {quote(table.pk)} > %s"
        params = [batch_size] if last is None else [last, batch_size]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {selected} FROM {quote(table.table)} {where} "
                f"ORDER BY {quote(table.pk)} LIMIT %s{locking}",
                params,
            )
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
        last = rows[-1][0]


def _reseal(value, column: SealedColumn, ring: KeyRing, clear: bool):
    """The value to store instead, or None when it is already as it should be."""
    if value is None:
        return None
    sealed = is_sealed(value)
    if clear:
        return ring.open(value, column.context.encode()).decode() if sealed else None
    if sealed and key_id_of(value) == ring.current_id:
        return None
    text = ring.open(value, column.context.encode()) if sealed else str(value).encode()
    return ring.seal(text, column.context.encode())


def _index_of(value, column: SealedColumn, ring: KeyRing) -> str:
    if not value:
        return ""
    text = ring.open(value, column.context.encode()).decode() if is_sealed(value) else value
    return ring.blind_index(text) if text else ""


def reseal_table(
    table: SealedTable,
    batch_size: int = 1000,
    clear: bool = False,
    progress: Progress | None = None,
) -> int:
    """Re-seal every value of ``table`` not under the current key (``clear``: open them all).

    Walks the table by primary key, ``batch_size`` rows a transaction; ``progress`` is told the
    rows read so far, the table's row count and the rows rewritten. Returns the rows rewritten.
    """
    ring = keyring()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table.table)}")
        (total,) = cursor.fetchone()
    read = rewritten = 0
    for rows in _batches(table, batch_size, lock=True):
        updates = _batch_updates(table, rows, ring, clear)
        with connection.cursor() as cursor:
            for assignments, pk in updates:
                cursor.execute(
                    f"UPDATE {quote(table.table)} SET "
                    + ", ".join(f"{quote(name)} = %s" for name in assignments)
                    + f" WHERE {quote(table.pk)} = %s",
                    [*assignments.values(), pk],
                )
        read += len(rows)
        rewritten += len(updates)
        if progress:
            progress(table.table, read, total, rewritten)
    return rewritten


def _batch_updates(table: SealedTable, rows, ring: KeyRing, clear: bool):
    updates = []
    for pk, *values in rows:
        assignments = {}
        for column, value in zip(table.columns, values, strict=True):
            new = _reseal(value, column, ring, clear)
            if new is not None:
                assignments[column.column] = new
                if column.index_column and not clear:
                    assignments[column.index_column] = _index_of(value, column, ring)
        if assignments:
            updates.append((assignments, pk))
    return updates
