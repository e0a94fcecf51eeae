"""The letters' items counted by recipient unit, drafts apart (``ItemTally``), kept by triggers,
and its first count.

A change moves items between keys (recipient unit, draft or not): an item written, deleted or
moved to another letter, and a letter whose recipient or draft-ness changes, or that is deleted
(its items still there, when Django deletes it before them; deleted first, they count no more).
PostgreSQL runs one statement trigger per event, adding up the rows it changed (its transition
tables) and writing the additions in key order; SQLite runs row triggers. An addition makes the
row when missing; a subtraction only updates an existing one, so that a flush or a cascade in no
set order never writes a row for a unit already gone.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import CreateTriggers, RowTrigger, StatementTrigger, add_up

ITEMS = "recommendations_recommendationitem"
LETTERS = "recommendations_recommendation"
TALLY = "recommendations_itemtally"
KEY = ("unit_id", "draft")

# PostgreSQL: per event, the changes as rows (unit_id, draft, d): d items added to or taken from
# the key.
ITEM_CHANGES = f"""SELECT r.recipient_unit_id AS unit_id, r.status = 'draft' AS draft, x.d
    FROM ({{rows}}) x JOIN {LETTERS} r ON r.id = x.recommendation_id"""
ITEM_ROWS = {
    "insert": "SELECT recommendation_id, 1 AS d FROM new_rows",
    "delete": "SELECT recommendation_id, -1 AS d FROM old_rows",
    "update": "SELECT recommendation_id, 1 AS d FROM new_rows "
    "UNION ALL SELECT recommendation_id, -1 AS d FROM old_rows",
}
ITEMS_OF = f"(SELECT COUNT(*) FROM {ITEMS} i WHERE i.recommendation_id = {{letter}}.id)"
# A letter moved: another recipient, or a draft issued (or back to draft).
MOVED = "o.recipient_unit_id <> w.recipient_unit_id OR (o.status = 'draft') <> (w.status = 'draft')"
LETTER_CHANGES = {
    "update": f"""SELECT o.recipient_unit_id AS unit_id, o.status = 'draft' AS draft,
            -{ITEMS_OF.format(letter="o")} AS d
        FROM old_rows o JOIN new_rows w ON w.id = o.id WHERE {MOVED}
    UNION ALL
    SELECT w.recipient_unit_id, w.status = 'draft', {ITEMS_OF.format(letter="w")}
        FROM old_rows o JOIN new_rows w ON w.id = o.id WHERE {MOVED}""",
    "delete": f"""SELECT o.recipient_unit_id AS unit_id, o.status = 'draft' AS draft,
        -{ITEMS_OF.format(letter="o")} AS d FROM old_rows o""",
}
POSTGRESQL_TRIGGERS = [
    StatementTrigger(
        f"recommendations_item_tally_{event}",
        ITEMS,
        event,
        add_up(TALLY, KEY, ITEM_CHANGES.format(rows=rows)),
    )
    for event, rows in ITEM_ROWS.items()
] + [
    StatementTrigger(
        f"recommendations_letter_item_tally_{event}",
        LETTERS,
        event,
        add_up(TALLY, KEY, changes),
    )
    for event, changes in LETTER_CHANGES.items()
]


# SQLite: row triggers. ``add``: n items to the key of the letter row ``letter`` (NEW or OLD, or
# the letter of an item); ``subtract``: the same taken away.
def sqlite_add(letter: str, n: str, source: str = "") -> str:
    return f"""INSERT INTO {TALLY} (unit_id, draft, n)
        SELECT {letter}.recipient_unit_id, {letter}.status = 'draft', {n} {source}
        {"" if n == "1" else f"{'AND' if source else 'WHERE'} {n} > 0"}
        ON CONFLICT (unit_id, draft) DO UPDATE SET n = n + excluded.n;"""


def sqlite_subtract(letter: str, n: str, source: str = "") -> str:
    key = f"SELECT {letter}.recipient_unit_id, {letter}.status = 'draft' {source}"
    return f"UPDATE {TALLY} SET n = n - ({n}) WHERE (unit_id, draft) = ({key});"


def item_letter(row: str) -> str:
    return f"FROM {LETTERS} r WHERE r.id = {row}.recommendation_id"


OLD_ITEMS, NEW_ITEMS = ITEMS_OF.format(letter="OLD"), ITEMS_OF.format(letter="NEW")
SQLITE_TRIGGERS = [
    RowTrigger(
        "recommendations_item_tally_insert",
        f"AFTER INSERT ON {ITEMS}",
        (sqlite_add("r", "1", item_letter("NEW")),),
    ),
    RowTrigger(
        "recommendations_item_tally_delete",
        f"AFTER DELETE ON {ITEMS}",
        (sqlite_subtract("r", "1", item_letter("OLD")),),
    ),
    RowTrigger(
        "recommendations_item_tally_update",
        f"""AFTER UPDATE OF recommendation_id ON {ITEMS}
        WHEN OLD.recommendation_id <> NEW.recommendation_id""",
        (
            sqlite_subtract("r", "1", item_letter("OLD")),
            sqlite_add("r", "1", item_letter("NEW")),
        ),
    ),
    RowTrigger(
        "recommendations_letter_item_tally_update",
        f"""AFTER UPDATE OF recipient_unit_id, status ON {LETTERS}
        WHEN {MOVED.replace("o.", "OLD.").replace("w.", "NEW.")}""",
        (sqlite_subtract("OLD", OLD_ITEMS), sqlite_add("NEW", NEW_ITEMS)),
    ),
    RowTrigger(
        "recommendations_letter_item_tally_delete",
        f"AFTER DELETE ON {LETTERS}",
        (sqlite_subtract("OLD", OLD_ITEMS),),
    ),
]


def count_first(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO {TALLY} (unit_id, draft, n) "
        f"SELECT r.recipient_unit_id, r.status = 'draft', COUNT(*) FROM {ITEMS} i "
        f"JOIN {LETTERS} r ON r.id = i.recommendation_id GROUP BY 1, 2"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_api_token"),
        ("recommendations", "0009_awaiting_reply_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ItemTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("draft", models.BooleanField()),
                ("n", models.IntegerField(default=0)),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.orgunit",
                    ),
                ),
            ],
            options={
                "verbose_name": "item tally",
                "verbose_name_plural": "item tallies",
                "constraints": [
                    models.UniqueConstraint(fields=("unit", "draft"), name="item_tally_key")
                ],
            },
        ),
        CreateTriggers(POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS),
        migrations.RunPython(count_first, migrations.RunPython.noop),
    ]
