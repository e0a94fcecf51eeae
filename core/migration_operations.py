"""Migration operations that do the PostgreSQL-only thing on PostgreSQL and the plain one elsewhere.

Production runs on PostgreSQL; SQLite serves ``make run`` and one CI run. A migration that needs
PostgreSQL's form of an operation uses these, so the same migration applies on both.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


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
