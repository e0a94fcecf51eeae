"""The unit tally counts each unit's measures in each open status too (``status_<status>``), so
that the statistics of a unit scope read a row a unit rather than the tally's rows by status.

The triggers of ``0020`` and ``0021`` are made again for the longer list of columns: dropped
first (on SQLite, adding a column rebuilds the unit tally's table, which their bodies name), then
created before the new columns are counted, in the same transaction, as ``0020`` counted its own.
"""

import importlib

from django.db import migrations, models

from core.migration_operations import CreateTriggers, DropTriggers

unit_tally = importlib.import_module("reforms.migrations.0020_unit_tally")
update = importlib.import_module("reforms.migrations.0021_unit_tally_update_existing_rows")

STATUSES = ("not_started", "in_progress", "awaiting_signoff", "returned")  # open, of Measure.Status
STATUS_COLUMNS = [(f"status_{status}", f"{{row}}.status = '{status}'") for status in STATUSES]
COLUMNS = [*unit_tally.COLUMNS, *STATUS_COLUMNS]


def triggers(columns) -> tuple[list, list]:
    """The unit tally's triggers for ``columns``: PostgreSQL's, SQLite's."""
    postgresql = unit_tally.postgresql_triggers(columns)
    sqlite = unit_tally.sqlite_triggers(columns)
    postgresql[1], sqlite[1] = update.postgresql_update(columns), update.sqlite_update(columns)
    return postgresql, sqlite


def count_statuses(apps, schema_editor):
    """Each unit's new columns, summed from its tally rows with the triggers' own conditions."""
    counts = unit_tally.each(
        STATUS_COLUMNS,
        "{column} = (SELECT COALESCE(SUM({part}), 0) FROM reforms_measuretally c "
        "WHERE c.unit_id = reforms_unittally.unit_id)",
    )
    schema_editor.execute(f"UPDATE reforms_unittally SET {counts}")


class Migration(migrations.Migration):
    dependencies = [("reforms", "0022_measure_unit_no_index_of_its_own")]

    operations = [
        DropTriggers(*triggers(unit_tally.COLUMNS)),
        *(
            migrations.AddField(
                model_name="unittally",
                name=f"status_{status}",
                field=models.IntegerField(default=0),
            )
            for status in STATUSES
        ),
        CreateTriggers(*triggers(COLUMNS)),
        migrations.RunPython(count_statuses, migrations.RunPython.noop),
    ]
