"""A standing measure's reconciliation snapshot holds no date, as every page shows none."""

from django.db import migrations, models


def forget_placeholder_dates(apps, schema_editor):
    """A standing measure's snapshot held its placeholder date, which the sheet then printed."""
    ReconciliationRow = apps.get_model("reforms", "ReconciliationRow")
    ReconciliationRow.objects.filter(measure__is_standing=True).update(snapshot_due_on=None)


def restore_placeholder_dates(apps, schema_editor):
    ReconciliationRow = apps.get_model("reforms", "ReconciliationRow")
    Measure = apps.get_model("reforms", "Measure")
    due_on = Measure.objects.filter(pk=models.OuterRef("measure_id")).values("due_on")
    ReconciliationRow.objects.filter(snapshot_due_on=None).update(
        snapshot_due_on=models.Subquery(due_on)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reforms", "0024_measure_indexes_standing_last"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reconciliationrow",
            name="snapshot_due_on",
            field=models.DateField(blank=True, null=True, verbose_name="due date at snapshot"),
        ),
        migrations.RunPython(forget_placeholder_dates, restore_placeholder_dates, elidable=True),
    ]
