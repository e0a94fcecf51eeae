"""The run's end leaves no session on the test database (``tests/sessions.py``)."""

import psycopg
import pytest
from django.db import connection

from tests.sessions import end_other_sessions

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="sessions of a server: PostgreSQL's"
)


@pytest.mark.django_db(transaction=True)
def test_another_session_is_ended_named_and_gone():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, application_name="left-behind") as other:
        other.execute("SELECT 1")

        ended = end_other_sessions()

        assert [line.split(" ", 1)[0] for line in ended] == ["left-behind"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 0
        with pytest.raises(psycopg.OperationalError):
            other.execute("SELECT 1")
