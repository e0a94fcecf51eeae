"""The dashboard's indexes beside the measure tally (docs/architecture.md, "Counts kept, not
recomputed"): the weekly trend's measures that fell overdue, by due date
(``measure_fell_overdue``), and the measures a follow-up review reopened (``measure_reopened``),
both partial. Built concurrently on PostgreSQL, so writes go on meanwhile; plainly on SQLite.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reforms", "0014_measure_tally"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measure",
            index=models.Index(
                condition=models.Q(
                    ("is_standing", False),
                    models.Q(
                        ("signed_off_on__isnull", True),
                        ("signed_off_on__gt", models.F("due_on")),
                        _connector="OR",
                    ),
                ),
                fields=["due_on", "unit"],
                name="measure_fell_overdue",
            ),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measure",
            index=models.Index(
                condition=models.Q(("reopen_count__gt", 0)),
                fields=["unit"],
                name="measure_reopened",
            ),
        ),
    ]
