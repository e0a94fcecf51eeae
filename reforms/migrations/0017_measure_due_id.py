"""The measures by due date (``measure_due_id``), and the open ones alone (``measure_open_due_id``,
partial): the first page of a list over a scope that holds most units, read in the index's order.
Built concurrently on PostgreSQL, so writes go on meanwhile; plainly on SQLite.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reforms", "0016_measure_awaiting_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measure",
            index=models.Index(fields=["due_on", "id"], name="measure_due_id"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measure",
            index=models.Index(
                condition=models.Q(("status", "signed_off"), _negated=True),
                fields=["due_on", "id"],
                name="measure_open_due_id",
            ),
        ),
    ]
