"""A transactional test's flush empties every table; the suite then loads again what the
migrations load (``tests/conftest.py``, ``MIGRATED_DATA``), so the next test finds the database as
``migrate`` left it. A migration that loads rows and is missing from that list fails here."""

import pytest
from django.core.management import call_command

from tests.conftest import AS_MIGRATED, rows_by_table


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_every_table_holds_what_the_migrations_left():
    assert AS_MIGRATED, "django_db_setup noted no tables"

    call_command("flush", interactive=False)

    assert rows_by_table() == AS_MIGRATED
