"""``core.migration_operations.CreateTriggers``: each database gets its own triggers, they keep a
tally as written, and a reversed migration leaves none behind (functions included)."""

import pytest
from django.db import connection

from core.migration_operations import CreateTriggers, RowTrigger, StatementTrigger, add_up

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


def triggers_and_functions() -> list:
    if connection.vendor == "postgresql":
        return run(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'test_counted%' "
            "UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE 'test_counted%'"
        )
    return run(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'test_counted%'"
    )


@pytest.fixture
def tables():
    run(f"CREATE TABLE {COUNTED} (k integer NOT NULL)")
    run(f"CREATE TABLE {TALLY} (k integer PRIMARY KEY, n integer NOT NULL)")
    yield
    run(f"DROP TABLE {COUNTED}")
    run(f"DROP TABLE {TALLY}")


def test_the_triggers_keep_the_tally_and_are_gone_once_reversed(tables):
    with connection.schema_editor() as editor:
        OPERATION.database_forwards("tests", editor, None, None)
    run(f"INSERT INTO {COUNTED} (k) VALUES (1), (1), (2)")
    run(f"DELETE FROM {COUNTED} WHERE k = 2")
    assert tally() == {1: 2, 2: 0}
    assert len(triggers_and_functions()) == (4 if connection.vendor == "postgresql" else 2)

    with connection.schema_editor() as editor:
        OPERATION.database_backwards("tests", editor, None, None)
    run(f"INSERT INTO {COUNTED} (k) VALUES (1)")
    assert tally() == {1: 2, 2: 0}
    assert triggers_and_functions() == []
