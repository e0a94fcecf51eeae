"""A measure's unit loses the foreign key's own index: ``measure_unit_due_id`` (the unit, the due
date, the id) leads with the unit and serves every lookup by it, the foreign key's checks when a
unit is deleted included. A million-row table no longer keeps a second index up to date on every
write, and the planner no longer weighs two ways to a unit's measures that cost about the same
(``tests/reforms/test_query_plans.py`` met it taking the wrong one). The index is dropped
concurrently on PostgreSQL: the measures' reads and writes go on meanwhile.
"""

from django.db import migrations

from core.migration_operations import DropForeignKeyIndex


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reforms", "0021_unit_tally_update_existing_rows"),
    ]

    operations = [DropForeignKeyIndex("measure", "unit")]
