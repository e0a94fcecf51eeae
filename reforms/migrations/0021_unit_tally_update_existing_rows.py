"""The unit tally's update trigger changes existing rows only, as its delete trigger does: only an
inserted tally row, or one moved to another unit, makes a unit's row.

``0020``'s update trigger upserted: an update of a tally row for a unit whose row was already
deleted wrote that row back. A deletion of everything in an order where the unit tally goes before
the measures did so (each deleted measure updates its tally row), and the commit then failed on the
unit's foreign key: SQLite's flush, which deletes table by table in no set order, met it between
tests. An updated tally row keeps its unit (the measures' triggers and the roll change its count),
so its unit's row exists whenever the unit does.
"""

import importlib

from django.db import migrations

from core.migration_operations import CreateTriggers, DropTriggers, RowTrigger, StatementTrigger

unit_tally = importlib.import_module("reforms.migrations.0020_unit_tally")
ZEROS = ", ".join("0" for _column in unit_tally.COLUMNS)
UPDATE_OLD = [unit_tally.POSTGRESQL_TRIGGERS[1]], [unit_tally.SQLITE_TRIGGERS[1]]

# PostgreSQL: the units that rows moved into (units of the new rows and not of the old: the
# transition tables pair no row with its old self cheaply) are made when missing; then each unit's
# change is added to its row where it exists, in key order, as 0020 did (as fast: 1.0 s for
# 50,000 rows of 5,000 units). A unit's row goes only with the unit, which its measures protect.
MAKE_MOVED_UNITS = f"""INSERT INTO reforms_unittally (unit_id, {unit_tally.NAMES})
    SELECT m.unit_id, {ZEROS}
    FROM (SELECT unit_id FROM new_rows EXCEPT SELECT unit_id FROM old_rows) m ORDER BY 1
    ON CONFLICT (unit_id) DO NOTHING;"""
ADD_TO_EXISTING = f"""INSERT INTO reforms_unittally AS u (unit_id, {unit_tally.NAMES})
    SELECT g.* FROM (
        SELECT c.unit_id, {unit_tally.SUMS} FROM ({unit_tally.CHANGES["update"]}) c
        GROUP BY c.unit_id
    ) g
    WHERE EXISTS (SELECT FROM reforms_unittally e WHERE e.unit_id = g.unit_id) ORDER BY g.unit_id
    ON CONFLICT (unit_id) DO UPDATE SET
    {unit_tally._each("{column} = u.{column} + EXCLUDED.{column}")};"""
POSTGRESQL_UPDATE = StatementTrigger(
    "reforms_unit_tally_update",
    "reforms_measuretally",
    "update",
    MAKE_MOVED_UNITS + "\n    " + ADD_TO_EXISTING,
)

# SQLite: the same, row by row (there the old row is at hand).
SQLITE_MAKE_MOVED_UNIT = f"""INSERT INTO reforms_unittally (unit_id, {unit_tally.NAMES})
    SELECT NEW.unit_id, {ZEROS} WHERE NEW.unit_id IS NOT OLD.unit_id
    ON CONFLICT (unit_id) DO NOTHING;"""
SQLITE_ADD_TO_EXISTING = f"""UPDATE reforms_unittally
    SET {unit_tally._each("{column} = {column} + {part}", "NEW")}
    WHERE unit_id = NEW.unit_id;"""
SQLITE_UPDATE = RowTrigger(
    "reforms_unit_tally_update",
    "AFTER UPDATE OF unit_id, status, band, n ON reforms_measuretally",
    (SQLITE_MAKE_MOVED_UNIT, unit_tally.SQLITE_SUBTRACT, SQLITE_ADD_TO_EXISTING),
)


class Migration(migrations.Migration):
    dependencies = [("reforms", "0020_unit_tally")]

    operations = [
        DropTriggers(*UPDATE_OLD),
        CreateTriggers([POSTGRESQL_UPDATE], [SQLITE_UPDATE]),
    ]
