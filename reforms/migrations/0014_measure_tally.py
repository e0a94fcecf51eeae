"""The measure tally (``reforms/tally.py``): its tables, the triggers that keep it, its first count
and its nightly roll (00:01 Asia/Shanghai, editable in the back office).

The triggers' SQL is written here, once, for both databases: PostgreSQL runs one statement trigger
per insert, update or delete, adding up the rows it changed (its transition tables) and writing
the tally rows in key order, so that two bulk writes never wait on each other crosswise;
SQLite runs a row trigger. A measure's band compares its due date with the dates of the one
``reforms_tallybasis`` row; with no such row the triggers write nothing.
"""

import datetime
from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import CreateTriggers, RowTrigger, StatementTrigger

BAND = """CASE WHEN {row}.is_standing THEN 0
    WHEN {row}.due_on < b.over_90_before THEN 1
    WHEN {row}.due_on < b.over_30_before THEN 2
    WHEN {row}.due_on < b.over_7_before THEN 3
    WHEN {row}.due_on < b.as_of THEN 4
    WHEN {row}.due_on = b.as_of THEN 5
    WHEN {row}.due_on <= b.soon_until THEN 6
    ELSE 7 END"""

# PostgreSQL: the rows a statement changed, +1 for each new row and -1 for each old one.
CHANGES = {
    "insert": "SELECT unit_id, status, is_standing, due_on, 1 AS d FROM new_rows",
    "delete": "SELECT unit_id, status, is_standing, due_on, -1 AS d FROM old_rows",
    "update": "SELECT unit_id, status, is_standing, due_on, 1 AS d FROM new_rows "
    "UNION ALL SELECT unit_id, status, is_standing, due_on, -1 AS d FROM old_rows",
}
ADD_UP = """INSERT INTO reforms_measuretally AS t (unit_id, status, band, n)
    SELECT c.unit_id, c.status, {band}, SUM(c.d)
    FROM ({changes}) c CROSS JOIN reforms_tallybasis b
    GROUP BY 1, 2, 3 HAVING SUM(c.d) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (unit_id, status, band) DO UPDATE SET n = t.n + EXCLUDED.n;"""
POSTGRESQL_TRIGGERS = [
    StatementTrigger(
        f"reforms_measure_tally_{event}",
        "reforms_measure",
        event,
        ADD_UP.format(band=BAND.format(row="c"), changes=changes),
    )
    for event, changes in CHANGES.items()
]

# SQLite: a row's +1 adds to its tally row (made when missing); its -1 only subtracts from an
# existing one, so that Django's flush in tests, which empties the tables in no set order, never
# writes a tally row for a unit already deleted.
SQLITE_ADD = f"""INSERT INTO reforms_measuretally (unit_id, status, band, n)
    SELECT NEW.unit_id, NEW.status, {BAND.format(row="NEW")}, 1 FROM reforms_tallybasis b
    WHERE true ON CONFLICT (unit_id, status, band) DO UPDATE SET n = n + 1;"""
SQLITE_SUBTRACT = f"""UPDATE reforms_measuretally SET n = n - 1
    WHERE unit_id = OLD.unit_id AND status = OLD.status
    AND band = (SELECT {BAND.format(row="OLD")} FROM reforms_tallybasis b);"""
SQLITE_TRIGGERS = [
    RowTrigger("reforms_measure_tally_insert", "AFTER INSERT ON reforms_measure", (SQLITE_ADD,)),
    RowTrigger(
        "reforms_measure_tally_update",
        "AFTER UPDATE OF unit_id, status, is_standing, due_on ON reforms_measure",
        (SQLITE_SUBTRACT, SQLITE_ADD),
    ),
    RowTrigger(
        "reforms_measure_tally_delete", "AFTER DELETE ON reforms_measure", (SQLITE_SUBTRACT,)
    ),
]


def count_first(apps, schema_editor):
    """The basis for today in Asia/Shanghai, and the tally counted from the measures there are."""
    today = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    day = datetime.timedelta(days=1)
    apps.get_model("reforms", "TallyBasis").objects.create(
        as_of=today,
        over_90_before=today - 90 * day,
        over_30_before=today - 30 * day,
        over_7_before=today - 7 * day,
        soon_until=today + settings.WARNING_WINDOW_DAYS * day,
    )
    schema_editor.execute(
        "INSERT INTO reforms_measuretally (unit_id, status, band, n) "
        f"SELECT m.unit_id, m.status, {BAND.format(row='m')}, COUNT(*) "
        "FROM reforms_measure m CROSS JOIN reforms_tallybasis b GROUP BY 1, 2, 3"
    )


NAME = "措施计数日切"
TASK = "reforms.tasks.roll_tally"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="1",
        hour="0",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_api_token"),
        ("reforms", "0013_measure_list_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="TallyBasis",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("as_of", models.DateField()),
                ("over_90_before", models.DateField()),
                ("over_30_before", models.DateField()),
                ("over_7_before", models.DateField()),
                ("soon_until", models.DateField()),
            ],
            options={
                "verbose_name": "tally basis",
                "verbose_name_plural": "tally basis",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="tally_basis_one_row"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MeasureTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("not_started", "Not started"),
                            ("in_progress", "In progress"),
                            ("awaiting_signoff", "Awaiting sign-off"),
                            ("signed_off", "Signed off"),
                            ("returned", "Returned"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "band",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Standing"),
                            (1, "More than 90 days overdue"),
                            (2, "31–90 days overdue"),
                            (3, "8–30 days overdue"),
                            (4, "1–7 days overdue"),
                            (5, "Due today"),
                            (6, "Due within the warning window"),
                            (7, "Due later"),
                        ]
                    ),
                ),
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
                "verbose_name": "measure tally",
                "verbose_name_plural": "measure tallies",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("unit", "status", "band"), name="measure_tally_key"
                    )
                ],
            },
        ),
        CreateTriggers(POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS),
        migrations.RunPython(count_first, migrations.RunPython.noop),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
