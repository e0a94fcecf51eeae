"""``core.migration_operations``: with ``CreateTriggers`` each database gets its own triggers, they
keep a tally as written, and a reversed migration leaves none behind (functions included);
``DropTriggers`` undoes it; ``DropForeignKeyIndex`` drops a foreign key's index and nothing else
of its table (on SQLite, ``AlterField`` would rebuild the table and lose its triggers)."""

import pytest
from django.db import connection, models
from django.db.migrations.state import ModelState, ProjectState

from core.migration_operations import (
    CreateTriggers,
    DropForeignKeyIndex,
    DropTriggers,
    RowTrigger,
    StatementTrigger,
    add_up,
)

pytestmark = pytest.mark.django_db(
    transaction=True
)  # SQLite's schema editor refuses an atomic block

COUNTED, TALLY = "test_counted", "test_counted_tally"
OPERATION = CreateTriggers(
    [
        StatementTrigger(
            "test_counted_insert",
            COUNTED,
            "insert",
            add_up(TALLY, ("k",), "SELECT k, 1 AS d FROM new_rows"),
        ),
        StatementTrigger(
            "test_counted_delete",
            COUNTED,
            "delete",
            add_up(TALLY, ("k",), "SELECT k, -1 AS d FROM old_rows"),
        ),
    ],
    [
        RowTrigger(
            "test_counted_insert",
            f"AFTER INSERT ON {COUNTED}",
            (
                f"INSERT INTO {TALLY} (k, n) VALUES (NEW.k, 1) "
                "ON CONFLICT (k) DO UPDATE SET n = n + 1;",
            ),
        ),
        RowTrigger(
            "test_counted_delete",
            f"AFTER DELETE ON {COUNTED}",
            (f"UPDATE {TALLY} SET n = n - 1 WHERE k = OLD.k;",),
        ),
    ],
)


def run(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else []


def tally() -> dict[int, int]:
    return dict(run(f"SELECT k, n FROM {TALLY}"))


def triggers_and_functions(prefix: str = "test_counted") -> list:
    if connection.vendor == "postgresql":
        return run(
            f"SELECT tgname FROM pg_trigger WHERE tgname LIKE '{prefix}%' "
            f"UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE '{prefix}%'"
        )
    return run(f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '{prefix}%'")


def migrate(operation, direction: str, before=None, after=None, app_label="tests"):
    # Outside a transaction, as a migration with ``atomic = False``: PostgreSQL builds and drops
    # ``DropForeignKeyIndex``'s index concurrently.
    with connection.schema_editor(atomic=False) as editor:
        getattr(operation, f"database_{direction}")(app_label, editor, before, after)


@pytest.fixture
def tables():
    run(f"CREATE TABLE {COUNTED} (k integer NOT NULL)")
    run(f"CREATE TABLE {TALLY} (k integer PRIMARY KEY, n integer NOT NULL)")
    yield
    run(f"DROP TABLE {COUNTED}")
    run(f"DROP TABLE {TALLY}")


def test_the_triggers_keep_the_tally_and_are_gone_once_reversed(tables):
    migrate(OPERATION, "forwards")
    run(f"INSERT INTO {COUNTED} (k) VALUES (1), (1), (2)")
    run(f"DELETE FROM {COUNTED} WHERE k = 2")
    assert tally() == {1: 2, 2: 0}
    assert len(triggers_and_functions()) == (4 if connection.vendor == "postgresql" else 2)

    migrate(OPERATION, "backwards")
    run(f"INSERT INTO {COUNTED} (k) VALUES (1)")
    assert tally() == {1: 2, 2: 0}
    assert triggers_and_functions() == []


def test_dropped_triggers_are_gone_and_come_back_once_reversed(tables):
    migrate(OPERATION, "forwards")
    dropping = DropTriggers(OPERATION.postgresql, OPERATION.sqlite)

    migrate(dropping, "forwards")
    run(f"INSERT INTO {COUNTED} (k) VALUES (1)")
    assert tally() == {}
    assert triggers_and_functions() == []

    migrate(dropping, "backwards")
    run(f"INSERT INTO {COUNTED} (k) VALUES (1)")
    assert tally() == {1: 1}
    assert len(triggers_and_functions()) == (4 if connection.vendor == "postgresql" else 2)
    migrate(OPERATION, "backwards")


APP = "migration_operations"
PARENT, CHILD = f"{APP}_parent", f"{APP}_child"
# A trigger on the child table, which a rebuild of the table would lose.
CHILD_TRIGGER = CreateTriggers(
    [StatementTrigger("test_child_insert", CHILD, "insert", "NULL;")],
    [RowTrigger("test_child_insert", f"AFTER INSERT ON {CHILD}", ("SELECT 1;",))],
)


def child_indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, CHILD)
    return {
        name: constraint["columns"]
        for name, constraint in constraints.items()
        if constraint["index"] and not constraint["unique"]
    }


@pytest.fixture
def parent_and_child():
    state = ProjectState()
    state.add_model(ModelState(APP, "Parent", [("id", models.AutoField(primary_key=True))]))
    state.add_model(
        ModelState(
            APP,
            "Child",
            [
                ("id", models.AutoField(primary_key=True)),
                ("parent", models.ForeignKey(f"{APP}.Parent", models.CASCADE)),
                ("k", models.IntegerField()),
            ],
            # Leads with the foreign key's column: the index the operation must keep.
            {"indexes": [models.Index(fields=["parent", "k"], name="test_child_parent_k")]},
        )
    )
    with connection.schema_editor() as editor:
        for name in ("Parent", "Child"):
            editor.create_model(state.apps.get_model(APP, name))
    migrate(CHILD_TRIGGER, "forwards", app_label=APP)
    yield state
    migrate(CHILD_TRIGGER, "backwards", app_label=APP)
    run(f"DROP TABLE {CHILD}")
    run(f"DROP TABLE {PARENT}")


def test_a_foreign_keys_own_index_is_dropped_and_the_rest_of_its_table_kept(parent_and_child):
    before = parent_and_child
    (own_index,) = [name for name, columns in child_indexes().items() if columns == ["parent_id"]]
    operation = DropForeignKeyIndex("Child", "parent")
    after = before.clone()
    operation.state_forwards(APP, after)
    assert after.models[APP, "child"].fields["parent"].db_index is False

    migrate(operation, "forwards", before, after, APP)
    assert child_indexes() == {"test_child_parent_k": ["parent_id", "k"]}
    assert triggers_and_functions("test_child") != []
    run(f"INSERT INTO {PARENT} (id) VALUES (1)")
    run(f"INSERT INTO {CHILD} (parent_id, k) VALUES (1, 2)")
    assert run(f"SELECT parent_id, k FROM {CHILD}") == [(1, 2)]

    migrate(operation, "backwards", after, before, APP)
    assert child_indexes() == {"test_child_parent_k": ["parent_id", "k"], own_index: ["parent_id"]}
    assert triggers_and_functions("test_child") != []
