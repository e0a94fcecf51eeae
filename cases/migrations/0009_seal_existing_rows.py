"""Seal the case content written in clear before 0008, in batches of 1,000 rows a transaction.

Not atomic: each batch commits, so a run stopped half-way (or a large province's tables) resumes
where it stopped when ``migrate`` runs again — values already sealed are skipped. Count what is
left first with ``manage.py rotate_data_key --dry-run``. Going back opens every value again.
"""

from django.db import migrations

from core.encryption.rotation import SealedColumn, SealedTable, reseal_table

TABLES = (
    SealedTable(
        "cases_case",
        "id",
        (SealedColumn("amount", "cases.case.amount"), SealedColumn("summary", "cases.case.summary")),
    ),
    SealedTable(
        "cases_subject",
        "id",
        (
            SealedColumn("name", "cases.subject.name", index_column="name_index"),
            SealedColumn("position", "cases.subject.position"),
            SealedColumn("disposition", "cases.subject.disposition"),
        ),
    ),
    SealedTable(
        "cases_caseanalysis",
        "id",
        tuple(
            SealedColumn(name, f"cases.caseanalysis.{name}")
            for name in ("trajectory", "root_causes", "loopholes", "lessons")
        ),
    ),
)


def seal(apps, schema_editor):
    for table in TABLES:
        reseal_table(table)


def open_again(apps, schema_editor):
    for table in TABLES:
        reseal_table(table, clear=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0008_sealed_case_content")]

    operations = [migrations.RunPython(seal, open_again)]
