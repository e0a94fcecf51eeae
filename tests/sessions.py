"""The test database's sessions other than the test's own: a worker process killed mid-task, a
server's thread. Left behind, they keep the database from being dropped at the end of the run
("being accessed by other users")."""

import time

from django.db import connection

WAIT_SECONDS = 10


def end_other_sessions() -> list[str]:
    """End every other session on the test database and wait until they are gone (ending one
    only asks its backend to exit); what each was doing, for whoever wonders why it was left."""
    if connection.vendor != "postgresql":
        return []
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT application_name, state, left(query, 200), pg_terminate_backend(pid) {others}"
        )
        ended = [f"{name or '?'} ({state}): {query}" for name, state, query, _ in cursor.fetchall()]
        deadline = time.monotonic() + WAIT_SECONDS
        while ended and time.monotonic() < deadline:
            cursor.execute(f"SELECT count(*) {others}")
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.1)
    return ended
