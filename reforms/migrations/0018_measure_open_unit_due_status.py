"""``measure_open_unit_due`` with the status in it (PostgreSQL's ``INCLUDE``; SQLite has none):
the officer's home sets returned measures apart from the index alone. The new index is built
beside the old one, concurrently, then takes its name, so the lists never go without one.
"""

from django.db import migrations, models

from core.migration_operations import (
    AddIndexConcurrentlyOnPostgreSQL,
    RemoveIndexConcurrentlyOnPostgreSQL,
)

OPEN = ~models.Q(status="signed_off")
FIELDS = ["unit", "is_standing", "due_on", "id"]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reforms", "0017_measure_due_id"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measure",
            index=models.Index(
                fields=FIELDS, include=["status"], condition=OPEN, name="measure_open_unit_status"
            ),
        ),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="measure", name="measure_open_unit_due"),
        migrations.RenameIndex(
            model_name="measure",
            new_name="measure_open_unit_due",
            old_name="measure_open_unit_status",
        ),
    ]
