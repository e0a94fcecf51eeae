"""Default schedules and reminder policy, editable afterwards in the back office (django-celery-beat)."""

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour, day_of_week)
    ("每日期限扫描与提醒", "reforms.tasks.scan_deadlines", ("30", "8", "*")),
    ("每周逾期情况报告", "reforms.tasks.send_weekly_reports", ("0", "9", "1")),
    ("发件箱投递与重试", "reforms.tasks.sweep_outbox", ("*", "*", "*")),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, day_of_week) in SCHEDULES:
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def create_policy(apps, schema_editor):
    """The ladder's defaults as a row, so the back office has one to edit."""
    apps.get_model("reforms", "ReminderPolicy").objects.get_or_create(pk=1)


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _cron in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reforms", "0004_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_schedules, remove_schedules),
        migrations.RunPython(create_policy, migrations.RunPython.noop),
    ]
