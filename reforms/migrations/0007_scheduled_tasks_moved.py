"""The outbox sweep and the weekly report moved out of ``reforms.tasks`` (to ``notifications.tasks``
and ``oversight.tasks``): the schedules made by ``0005`` name them by their new paths."""

from django.db import migrations

MOVED = {
    "reforms.tasks.sweep_outbox": "notifications.tasks.sweep_outbox",
    "reforms.tasks.send_weekly_reports": "oversight.tasks.send_weekly_reports",
}


def rename(apps, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in mapping.items():
        PeriodicTask.objects.filter(task=old).update(task=new)


def forwards(apps, schema_editor):
    rename(apps, MOVED)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("reforms", "0006_text_length_limits"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
