"""The tally's unit index with the counts in it (PostgreSQL's ``INCLUDE``; SQLite has none): a
scope's sums read from the index alone. It replaces the foreign key's own index on the unit; the
new one is built first, concurrently, so the readers never go without one.

The foreign key's index is dropped by name (``DropForeignKeyIndex``), not by ``AlterField``: on
SQLite that rebuilds the table, and the triggers of ``0014`` on the measures would lose it.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL, DropForeignKeyIndex

COVERING = "measure_tally_unit_counts"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0012_api_token"),
        ("reforms", "0018_measure_open_unit_due_status"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measuretally",
            index=models.Index(fields=["unit"], include=["status", "band", "n"], name=COVERING),
        ),
        DropForeignKeyIndex("measuretally", "unit"),
    ]
