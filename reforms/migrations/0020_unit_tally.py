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
# (column, the condition on a tally row ``{row}`` that puts its count in the column)
COLUMNS = [
    (
        f"{kind}_{name}",
        f"{{row}}.status {'<>' if kind == 'open' else '='} 'signed_off' AND {{row}}.band = {band}",
    )
    for kind in ("open", "signed")
    for band, name in enumerate(BANDS)
]


def names(columns) -> str:
    return ", ".join(column for column, _condition in columns)


def _part(row: str, condition: str) -> str:
    """``row``'s count when it meets the column's ``condition``, else 0."""
    return f"CASE WHEN {condition.format(row=row)} THEN {row}.n ELSE 0 END"


def each(columns, template: str, row: str = "c") -> str:
    """``template`` for each of ``columns``, its ``{column}`` and ``{part}`` (``row``'s count in
    it) filled in, joined by commas."""
    return ", ".join(
        template.format(column=column, part=_part(row, condition)) for column, condition in columns
    )


def sums(columns) -> str:
    return each(columns, "SUM({part})")


# PostgreSQL: the tally rows a statement changed, their counts added or taken away.
CHANGES = {
    "insert": "SELECT unit_id, status, band, n FROM new_rows",
    "update": "SELECT unit_id, status, band, n FROM new_rows "
    "UNION ALL SELECT unit_id, status, band, -n FROM old_rows",
    "delete": "SELECT unit_id, status, band, -n AS n FROM old_rows",
}


def postgresql_triggers(columns) -> list[StatementTrigger]:
    """The insert, update and delete triggers of a unit tally of ``columns``."""
    added = each(columns, "{column} = u.{column} + EXCLUDED.{column}")
    upsert = f"""INSERT INTO reforms_unittally AS u (unit_id, {names(columns)})
    SELECT c.unit_id, {sums(columns)} FROM ({{changes}}) c GROUP BY c.unit_id ORDER BY c.unit_id
    ON CONFLICT (unit_id) DO UPDATE SET {added};"""
    subtract_each = f"""FOR r IN
        SELECT c.unit_id, {each(columns, "SUM({part}) AS {column}")}
        FROM ({{changes}}) c GROUP BY c.unit_id ORDER BY c.unit_id
    LOOP
        UPDATE reforms_unittally AS u SET {each(columns, "{column} = u.{column} + r.{column}")}
        WHERE u.unit_id = r.unit_id;
    END LOOP;"""
    return [
        StatementTrigger(
            f"reforms_unit_tally_{event}",
            "reforms_measuretally",
            event,
            (subtract_each if event == "delete" else upsert).format(changes=changes),
            declare="r record;",
        )
        for event, changes in CHANGES.items()
    ]


# SQLite: a row's count adds to its unit's row (made when missing) or, for the old row, is taken
# from an existing one.
def sqlite_add(columns) -> str:
    added = each(columns, "{column} = {column} + excluded.{column}")
    return f"""INSERT INTO reforms_unittally (unit_id, {names(columns)})
    VALUES (NEW.unit_id, {each(columns, "{part}", "NEW")})
    ON CONFLICT (unit_id) DO UPDATE SET {added};"""


def sqlite_subtract(columns) -> str:
    return f"""UPDATE reforms_unittally SET {each(columns, "{column} = {column} - {part}", "OLD")}
    WHERE unit_id = OLD.unit_id;"""


def sqlite_triggers(columns) -> list[RowTrigger]:
    """The insert, update and delete triggers of a unit tally of ``columns``."""
    return [
        RowTrigger(
            "reforms_unit_tally_insert",
            "AFTER INSERT ON reforms_measuretally",
            (sqlite_add(columns),),
        ),
        RowTrigger(
            "reforms_unit_tally_update",
            "AFTER UPDATE OF unit_id, status, band, n ON reforms_measuretally",
            (sqlite_subtract(columns), sqlite_add(columns)),
        ),
        RowTrigger(
            "reforms_unit_tally_delete",
            "AFTER DELETE ON reforms_measuretally",
            (sqlite_subtract(columns),),
        ),
    ]


POSTGRESQL_TRIGGERS = postgresql_triggers(COLUMNS)
SQLITE_TRIGGERS = sqlite_triggers(COLUMNS)


def count_first(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO reforms_unittally (unit_id, {names(COLUMNS)}) "
        f"SELECT c.unit_id, {sums(COLUMNS)} FROM reforms_measuretally c GROUP BY c.unit_id"
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
