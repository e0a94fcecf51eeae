"""The unit tally (``reforms.UnitTally``): a unit's measure tally in one row, kept by triggers on
``reforms_measuretally`` as that one is kept on the measures (``0014``), and counted from it once.

PostgreSQL runs one statement trigger per insert, update and delete of tally rows, adding up
what changed (its transition tables) and writing the units' rows in key order; an upsert of the
tally (the measures' triggers) fires both its insert and its update trigger, each seeing its own
rows. SQLite runs a row trigger. A deleted tally row only subtracts from an existing unit row, so
that a unit's deletion, whose cascade may remove its unit row first, never writes it back.

The triggers go before the first count, in the same transaction: creating them locks the tally
against writes until the count is committed. On SQLite, a later ``AlterField`` of the tally
rebuilds its table and drops these triggers: such a migration must install them again.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import CreateTriggers, RowTrigger, StatementTrigger

BANDS = (
    "standing",
    "over_90",
    "over_30",
    "over_7",
    "overdue",
    "due_today",
    "due_soon",
    "later",
)  # MeasureTally.Band, in order
# (column, the status condition, band)
COLUMNS = [
    (f"{kind}_{name}", "<>" if kind == "open" else "=", band)
    for kind in ("open", "signed")
    for band, name in enumerate(BANDS)
]
NAMES = ", ".join(column for column, _status, _band in COLUMNS)


def _part(row: str, status: str, band: int) -> str:
    """``row``'s count when it is of the column's status and band, else 0."""
    return (
        f"CASE WHEN {row}.status {status} 'signed_off' AND {row}.band = {band} "
        f"THEN {row}.n ELSE 0 END"
    )


def _each(template: str, row: str = "c") -> str:
    """``template`` for each column, its ``{column}`` and ``{part}`` (``row``'s count in it)
    filled in, joined by commas."""
    return ", ".join(
        template.format(column=column, part=_part(row, status, band))
        for column, status, band in COLUMNS
    )


SUMS = _each("SUM({part})")

# PostgreSQL: the tally rows a statement changed, their counts added or taken away.
CHANGES = {
    "insert": "SELECT unit_id, status, band, n FROM new_rows",
    "update": "SELECT unit_id, status, band, n FROM new_rows "
    "UNION ALL SELECT unit_id, status, band, -n FROM old_rows",
    "delete": "SELECT unit_id, status, band, -n AS n FROM old_rows",
}
UPSERT = f"""INSERT INTO reforms_unittally AS u (unit_id, {NAMES})
    SELECT c.unit_id, {SUMS} FROM ({{changes}}) c GROUP BY c.unit_id ORDER BY c.unit_id
    ON CONFLICT (unit_id) DO UPDATE SET {_each("{column} = u.{column} + EXCLUDED.{column}")};"""
SUBTRACT_EACH = f"""FOR r IN
        SELECT c.unit_id, {_each("SUM({part}) AS {column}")}
        FROM ({{changes}}) c GROUP BY c.unit_id ORDER BY c.unit_id
    LOOP
        UPDATE reforms_unittally AS u SET {_each("{column} = u.{column} + r.{column}")}
        WHERE u.unit_id = r.unit_id;
    END LOOP;"""
POSTGRESQL_TRIGGERS = [
    StatementTrigger(
        f"reforms_unit_tally_{event}",
        "reforms_measuretally",
        event,
        (SUBTRACT_EACH if event == "delete" else UPSERT).format(changes=changes),
        declare="r record;",
    )
    for event, changes in CHANGES.items()
]

# SQLite: a row's count adds to its unit's row (made when missing) or, for the old row, is taken
# from an existing one.
SQLITE_ADD = f"""INSERT INTO reforms_unittally (unit_id, {NAMES})
    VALUES (NEW.unit_id, {_each("{part}", "NEW")})
    ON CONFLICT (unit_id) DO UPDATE SET {_each("{column} = {column} + excluded.{column}")};"""
SQLITE_SUBTRACT = f"""UPDATE reforms_unittally SET {_each("{column} = {column} - {part}", "OLD")}
    WHERE unit_id = OLD.unit_id;"""
SQLITE_TRIGGERS = [
    RowTrigger("reforms_unit_tally_insert", "AFTER INSERT ON reforms_measuretally", (SQLITE_ADD,)),
    RowTrigger(
        "reforms_unit_tally_update",
        "AFTER UPDATE OF unit_id, status, band, n ON reforms_measuretally",
        (SQLITE_SUBTRACT, SQLITE_ADD),
    ),
    RowTrigger(
        "reforms_unit_tally_delete", "AFTER DELETE ON reforms_measuretally", (SQLITE_SUBTRACT,)
    ),
]


def count_first(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO reforms_unittally (unit_id, {NAMES}) "
        f"SELECT c.unit_id, {SUMS} FROM reforms_measuretally c GROUP BY c.unit_id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_api_token"),
        ("reforms", "0019_measure_tally_unit_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitTally",
            fields=[
                (
                    "unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.orgunit",
                    ),
                ),
                ("open_standing", models.IntegerField(default=0)),
                ("open_over_90", models.IntegerField(default=0)),
                ("open_over_30", models.IntegerField(default=0)),
                ("open_over_7", models.IntegerField(default=0)),
                ("open_overdue", models.IntegerField(default=0)),
                ("open_due_today", models.IntegerField(default=0)),
                ("open_due_soon", models.IntegerField(default=0)),
                ("open_later", models.IntegerField(default=0)),
                ("signed_standing", models.IntegerField(default=0)),
                ("signed_over_90", models.IntegerField(default=0)),
                ("signed_over_30", models.IntegerField(default=0)),
                ("signed_over_7", models.IntegerField(default=0)),
                ("signed_overdue", models.IntegerField(default=0)),
                ("signed_due_today", models.IntegerField(default=0)),
                ("signed_due_soon", models.IntegerField(default=0)),
                ("signed_later", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "unit tally",
                "verbose_name_plural": "unit tallies",
            },
        ),
        CreateTriggers(POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS),
        migrations.RunPython(count_first, migrations.RunPython.noop),
    ]
