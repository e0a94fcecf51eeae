"""Migration operations that do the PostgreSQL-only thing on PostgreSQL and the plain one elsewhere.

Production runs on PostgreSQL; SQLite serves ``make run`` and one CI run. A migration that needs
PostgreSQL's form of an operation uses these, so the same migration applies on both: indexes built
and dropped concurrently (a foreign key's own index too, its table not rebuilt on SQLite), and the
triggers that keep a tally (statement triggers with transition tables on PostgreSQL, row triggers
on SQLite).
"""

from dataclasses import dataclass

from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    NotInTransactionMixin,
    RemoveIndexConcurrently,
)
from django.db import router
from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation


class ConcurrentlyOnPostgreSQL:
    """The concurrent operation on PostgreSQL (writes to the table go on while an index is built
    or dropped: a large table is not locked for the time of it), ``plain`` on other databases.
    The migration must set ``atomic = False``, as for Django's concurrent operations."""

    plain: type

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexConcurrentlyOnPostgreSQL(ConcurrentlyOnPostgreSQL, AddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL, a plain ``AddIndex`` elsewhere."""

    plain = AddIndex


class RemoveIndexConcurrentlyOnPostgreSQL(ConcurrentlyOnPostgreSQL, RemoveIndexConcurrently):
    """``DROP INDEX CONCURRENTLY`` on PostgreSQL, a plain ``RemoveIndex`` elsewhere."""

    plain = RemoveIndex


# The transition tables of a statement trigger, by event: the rows as the statement left them
# and as it found them.
TRANSITION_TABLES = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


@dataclass(frozen=True)
class StatementTrigger:
    """A PostgreSQL trigger run once after each ``event`` statement (insert, update or delete) on
    ``table``; its PL/pgSQL ``body`` reads the rows the statement changed from ``new_rows`` and
    ``old_rows``. Its function bears its name."""

    name: str
    table: str
    event: str
    body: str
    declare: str = ""

    def create(self) -> str:
        declare = f"DECLARE {self.declare}\n" if self.declare else ""
        return f"""
CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$
{declare}BEGIN
    {self.body}
    RETURN NULL;
END $$;
CREATE TRIGGER {self.name} AFTER {self.event.upper()} ON {self.table}
    REFERENCING {TRANSITION_TABLES[self.event]} FOR EACH STATEMENT EXECUTE FUNCTION {self.name}();
"""

    def drop(self) -> str:
        return f"DROP FUNCTION {self.name}() CASCADE"


def add_up(tally: str, key: tuple[str, ...], changes: str) -> str:
    """PL/pgSQL adding ``changes`` (rows of the ``key`` columns and ``d``, a count's change) to the
    ``tally`` table, summed by key: the additions in key order, so that two bulk writes never wait
    on each other crosswise, a row made when missing; the subtractions to existing rows only, so
    that a cascade in no set order never writes a row for a unit already gone."""
    columns = ", ".join(key)
    positions = ", ".join(str(position) for position in range(1, len(key) + 1))
    same_key = " AND ".join(f"t.{column} = c.{column}" for column in key)
    return f"""WITH c AS (
        SELECT {columns}, SUM(d) AS d FROM ({changes}) x
        GROUP BY {positions} HAVING SUM(d) <> 0
    ), added AS (
        INSERT INTO {tally} AS t ({columns}, n)
        SELECT {columns}, d FROM c WHERE d > 0 ORDER BY {positions}
        ON CONFLICT ({columns}) DO UPDATE SET n = t.n + EXCLUDED.n
    )
    UPDATE {tally} AS t SET n = t.n + c.d FROM c WHERE c.d < 0 AND {same_key};"""


@dataclass(frozen=True)
class RowTrigger:
    """A SQLite trigger: ``when`` (the event, its table and any condition) runs ``statements``
    for each row."""

    name: str
    when: str
    statements: tuple[str, ...]

    def create(self) -> str:
        statements = "\n    ".join(self.statements)
        return f"CREATE TRIGGER {self.name} {self.when}\nBEGIN\n    {statements}\nEND"

    def drop(self) -> str:
        return f"DROP TRIGGER {self.name}"


class CreateTriggers(Operation):
    """Create the PostgreSQL statement triggers on PostgreSQL and the SQLite row triggers
    elsewhere; drop them when the migration is reversed. Both sets keep the same table right."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, postgresql: list[StatementTrigger], sqlite: list[RowTrigger]):
        self.postgresql = postgresql
        self.sqlite = sqlite

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if router.allow_migrate(schema_editor.connection.alias, app_label):
            for trigger in self._for(schema_editor.connection):
                schema_editor.execute(trigger.create())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if router.allow_migrate(schema_editor.connection.alias, app_label):
            for trigger in reversed(self._for(schema_editor.connection)):
                schema_editor.execute(trigger.drop())

    def describe(self):
        return "Create triggers: " + self._names()

    def _for(self, connection) -> list:
        return self.postgresql if connection.vendor == "postgresql" else self.sqlite

    def _names(self) -> str:
        return ", ".join(dict.fromkeys(t.name for t in [*self.postgresql, *self.sqlite]))


class DropTriggers(CreateTriggers):
    """Drop triggers made by ``CreateTriggers`` (given the same way); make them again when the
    migration is reversed. A trigger is replaced by dropping it, then creating its new form."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "Drop triggers: " + self._names()


class DropForeignKeyIndex(NotInTransactionMixin, Operation):
    """A foreign key's own index dropped, as ``AlterField`` to ``db_index=False`` would, when an
    index of the model's that leads with its column serves the same lookups. ``AlterField``
    rebuilds the table on SQLite, and the rebuild loses the table's triggers (the tallies'): this
    drops the index by name, found by introspection, on both databases; concurrently on
    PostgreSQL (the migration sets ``atomic = False``), so that a large table's reads and writes
    go on. Reversed, it builds the index again, concurrently too."""

    reversible = True
    atomic = False

    def __init__(self, model_name: str, name: str):
        self.model_name = model_name
        self.name = name

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "name": self.name}

    def state_forwards(self, app_label, state):
        model_name = self.model_name.lower()
        field = state.models[app_label, model_name].fields[self.name].clone()
        field.db_index = False
        state.alter_field(app_label, model_name, self.name, field, preserve_default=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        declared = {index.name for index in model._meta.indexes}
        with schema_editor.connection.cursor() as cursor:
            constraints = schema_editor.connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
        for name, constraint in constraints.items():
            if (
                constraint["index"]
                and not constraint["unique"]
                and constraint["columns"] == [column]
                and name not in declared
            ):
                schema_editor.execute(
                    schema_editor._delete_index_sql(model, name, **self._how(schema_editor))
                )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            field = model._meta.get_field(self.name)
            schema_editor.execute(
                schema_editor._create_index_sql(model, fields=[field], **self._how(schema_editor))
            )

    def describe(self):
        return f"Drop the own index of foreign key {self.model_name}.{self.name}"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_{self.name}_no_own_index"

    def _how(self, schema_editor) -> dict:
        if schema_editor.connection.vendor != "postgresql":
            return {}
        self._ensure_not_in_transaction(schema_editor)
        return {"concurrently": True}
