"""The measures awaiting sign-off by unit and due date (``measure_awaiting_unit_due``, partial): the
sign-off queue's count and page, and the discipline staff's home count, from the index alone.
Built concurrently on PostgreSQL, so writes go on meanwhile; plainly on SQLite.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reforms", "0015_dashboard_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measure",
            index=models.Index(
                condition=models.Q(("status", "awaiting_signoff")),
                fields=["unit", "due_on", "id"],
                name="measure_awaiting_unit_due",
            ),
        ),
    ]
