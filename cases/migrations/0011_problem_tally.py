"""The problems counted by their case's unit, their own unit, category and process stage
(``ProblemTally``), kept by triggers, and its first count.

A change moves problems between keys: a problem written, deleted, or changed in case, unit,
category or stage, and a case whose unit changes, or that is deleted (its problems still there,
when Django deletes it before them; deleted first, they count no more). PostgreSQL runs one
statement trigger per event, adding up the rows it changed (its transition tables) and writing
the additions in key order; SQLite runs row triggers. An addition makes the row when missing; a
subtraction only updates an existing one, so that a flush or a cascade in no set order never
writes a row for a unit already gone.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_operations import CreateTriggers, RowTrigger, StatementTrigger, add_up

PROBLEMS = "cases_problem"
CASES = "cases_case"
TALLY = "cases_problemtally"
KEY_COLUMNS = ("case_unit_id", "unit_id", "category", "process_stage_id")
KEY = ", ".join(KEY_COLUMNS)
# The key's columns a problem holds itself.
OWN = ("unit_id", "category", "process_stage_id")

# PostgreSQL: per event, the changes as rows (the key's columns, d): d problems added to or taken
# from the key.
PROBLEM_CHANGES = f"""SELECT c.case_unit_id, x.unit_id, x.category, x.process_stage_id, x.d
    FROM ({{rows}}) x JOIN {CASES} c ON c.id = x.case_id"""
_COLUMNS = "case_id, unit_id, category, process_stage_id"
PROBLEM_ROWS = {
    "insert": f"SELECT {_COLUMNS}, 1 AS d FROM new_rows",
    "delete": f"SELECT {_COLUMNS}, -1 AS d FROM old_rows",
    "update": f"SELECT {_COLUMNS}, 1 AS d FROM new_rows "
    f"UNION ALL SELECT {_COLUMNS}, -1 AS d FROM old_rows",
}
# A case's problems by key, under the case unit of its row ``case`` (``o`` old, ``w`` new).
CASE_PROBLEMS = f"""SELECT {{case}}.case_unit_id, p.unit_id, p.category, p.process_stage_id,
        {{sign}}COUNT(*) AS d
    FROM {{rows}} JOIN {PROBLEMS} p ON p.case_id = {{case}}.id {{where}}
    GROUP BY 1, 2, 3, 4"""
MOVED = "o.case_unit_id <> w.case_unit_id"
_MOVED_ROWS = {"rows": "old_rows o JOIN new_rows w ON w.id = o.id", "where": f"WHERE {MOVED}"}
CASE_CHANGES = {
    "update": CASE_PROBLEMS.format(case="o", sign="-", **_MOVED_ROWS)
    + "\n    UNION ALL\n"
    + CASE_PROBLEMS.format(case="w", sign="", **_MOVED_ROWS),
    "delete": CASE_PROBLEMS.format(case="o", sign="-", rows="old_rows o", where=""),
}
POSTGRESQL_TRIGGERS = [
    StatementTrigger(
        f"cases_problem_tally_{event}",
        PROBLEMS,
        event,
        add_up(TALLY, KEY_COLUMNS, PROBLEM_CHANGES.format(rows=rows)),
    )
    for event, rows in PROBLEM_ROWS.items()
] + [
    StatementTrigger(
        f"cases_case_problem_tally_{event}", CASES, event, add_up(TALLY, KEY_COLUMNS, changes)
    )
    for event, changes in CASE_CHANGES.items()
]


# SQLite: row triggers. A problem row (NEW or OLD) counted one up or down under its case's unit.
def sqlite_problem_added(row: str) -> str:
    return f"""INSERT INTO {TALLY} ({KEY}, n)
        SELECT c.case_unit_id, {row}.unit_id, {row}.category, {row}.process_stage_id, 1
        FROM {CASES} c WHERE c.id = {row}.case_id
        ON CONFLICT ({KEY}) DO UPDATE SET n = n + excluded.n;"""


def sqlite_problem_taken(row: str) -> str:
    return f"""UPDATE {TALLY} SET n = n - 1 WHERE ({KEY}) = (
        SELECT c.case_unit_id, {row}.unit_id, {row}.category, {row}.process_stage_id
        FROM {CASES} c WHERE c.id = {row}.case_id);"""


# A case row's problems counted up under its unit, or down from its unit's rows.
def sqlite_case_added(row: str) -> str:
    return f"""INSERT INTO {TALLY} ({KEY}, n)
        SELECT {row}.case_unit_id, p.unit_id, p.category, p.process_stage_id, COUNT(*)
        FROM {PROBLEMS} p WHERE p.case_id = {row}.id GROUP BY 2, 3, 4
        ON CONFLICT ({KEY}) DO UPDATE SET n = n + excluded.n;"""


def sqlite_case_taken(row: str) -> str:
    same = " AND ".join(f"p.{column} = {TALLY}.{column}" for column in OWN)
    return f"""UPDATE {TALLY} SET n = n - (
        SELECT COUNT(*) FROM {PROBLEMS} p WHERE p.case_id = {row}.id AND {same})
        WHERE case_unit_id = {row}.case_unit_id;"""


PROBLEM_MOVED = " OR ".join(f"OLD.{column} <> NEW.{column}" for column in ("case_id", *OWN))
SQLITE_TRIGGERS = [
    RowTrigger(
        "cases_problem_tally_insert",
        f"AFTER INSERT ON {PROBLEMS}",
        (sqlite_problem_added("NEW"),),
    ),
    RowTrigger(
        "cases_problem_tally_delete",
        f"AFTER DELETE ON {PROBLEMS}",
        (sqlite_problem_taken("OLD"),),
    ),
    RowTrigger(
        "cases_problem_tally_update",
        f"AFTER UPDATE OF case_id, {', '.join(OWN)} ON {PROBLEMS} WHEN {PROBLEM_MOVED}",
        (sqlite_problem_taken("OLD"), sqlite_problem_added("NEW")),
    ),
    RowTrigger(
        "cases_case_problem_tally_update",
        f"""AFTER UPDATE OF case_unit_id ON {CASES}
        WHEN OLD.case_unit_id <> NEW.case_unit_id""",
        (sqlite_case_taken("OLD"), sqlite_case_added("NEW")),
    ),
    RowTrigger(
        "cases_case_problem_tally_delete",
        f"AFTER DELETE ON {CASES}",
        (sqlite_case_taken("OLD"),),
    ),
]


def count_first(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO {TALLY} ({KEY}, n) "
        f"SELECT c.case_unit_id, p.unit_id, p.category, p.process_stage_id, COUNT(*) "
        f"FROM {PROBLEMS} p JOIN {CASES} c ON c.id = p.case_id GROUP BY 1, 2, 3, 4"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_api_token"),
        ("cases", "0010_case_opened_id"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProblemTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("institutional_gap", "Institutional gap"),
                            ("risk_point", "Power-use risk point"),
                            ("blind_spot", "Supervision blind spot"),
                        ],
                        max_length=32,
                    ),
                ),
                ("n", models.IntegerField(default=0)),
                (
                    "case_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.orgunit",
                    ),
                ),
                (
                    "process_stage",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.processstage",
                    ),
                ),
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
                "verbose_name": "problem tally",
                "verbose_name_plural": "problem tallies",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case_unit", "unit", "category", "process_stage"),
                        name="problem_tally_key",
                    )
                ],
            },
        ),
        CreateTriggers(POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS),
        migrations.RunPython(count_first, migrations.RunPython.noop),
    ]
