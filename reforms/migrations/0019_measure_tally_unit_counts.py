"""The tally's unit index with the counts in it (PostgreSQL's ``INCLUDE``; SQLite has none): a
scope's sums read from the index alone. It replaces the foreign key's own index on the unit; the
new one is built first, concurrently, so the readers never go without one.

The foreign key's index is dropped by name rather than by ``AlterField``: on SQLite that rebuilds
the table, and the triggers of ``0014`` on the measures would lose it.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL

COVERING = "measure_tally_unit_counts"


def _foreign_key_indexes(schema_editor, table: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, constraint in constraints.items()
        if constraint["index"]
        and not constraint["unique"]
        and constraint["columns"] == ["unit_id"]
        and name != COVERING
    ]


def drop_the_foreign_keys_index(apps, schema_editor):
    table = apps.get_model("reforms", "MeasureTally")._meta.db_table
    for name in _foreign_key_indexes(schema_editor, table):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_the_foreign_keys_index(apps, schema_editor):
    model = apps.get_model("reforms", "MeasureTally")
    schema_editor.execute(
        schema_editor._create_index_sql(model, fields=[model._meta.get_field("unit")])
    )


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
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="measuretally",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.orgunit",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_the_foreign_keys_index, restore_the_foreign_keys_index),
            ],
        ),
    ]
