"""A rebounded standing measure is reopened without a due date, so a rebound's row may have none:
the rule moves to ``services.measure_reopen``, which knows whether the measure is standing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reforms", "0025_reconciliation_snapshot_standing_has_no_date"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="followupmeasure",
            name="follow_up_measure_rebound_has_due_date",
        ),
    ]
