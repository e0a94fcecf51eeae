"""The measure indexes that lists walk in due-date order lead with ``is_standing`` too: the lists
put standing measures (长期坚持, whose due date is a placeholder) after every dated one
(``reforms.models.DUE_DATE_ORDER``), and a page of them is still read from an index, not sorted
from the whole scope. Each new index is built beside the old one, concurrently, then takes its
name, so the lists never go without one.
"""

from django.db import migrations, models

from core.migration_operations import (
    AddIndexConcurrentlyOnPostgreSQL,
    RemoveIndexConcurrentlyOnPostgreSQL,
)

OPEN = ~models.Q(status="signed_off")
AWAITING = models.Q(status="awaiting_signoff")
IN_A_UNIT = ["unit", "is_standing", "due_on", "id"]
IN_ALL_UNITS = ["is_standing", "due_on", "id"]

INDEXES = [
    models.Index(fields=IN_A_UNIT, name="measure_unit_due_id"),
    models.Index(fields=IN_ALL_UNITS, name="measure_due_id"),
    models.Index(fields=IN_ALL_UNITS, condition=OPEN, name="measure_open_due_id"),
    models.Index(fields=IN_A_UNIT, condition=AWAITING, name="measure_awaiting_unit_due"),
    models.Index(fields=["status", *IN_ALL_UNITS], name="measure_status_due"),
]


def replaced(index: models.Index) -> list:
    """Build ``index`` under a passing name, drop the old one, give the new one its name."""
    _path, _args, kwargs = index.deconstruct()
    building = models.Index(**{**kwargs, "name": f"{index.name}_new"})
    return [
        AddIndexConcurrentlyOnPostgreSQL(model_name="measure", index=building),
        RemoveIndexConcurrentlyOnPostgreSQL(model_name="measure", name=index.name),
        migrations.RenameIndex(model_name="measure", new_name=index.name, old_name=building.name),
    ]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reforms", "0023_unit_tally_status"),
    ]

    operations = [
        *(operation for index in INDEXES for operation in replaced(index)),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="measure",
            index=models.Index(fields=IN_ALL_UNITS, condition=AWAITING, name="measure_awaiting_due"),
        ),
    ]
