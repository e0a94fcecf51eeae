"""Notifications, digests and the audit log moved to apps of their own (``notifications``,
``audit``): removed from this app's state only; their tables stay, under the same names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_notification_kind_workflow"),
        ("notifications", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.RemoveField(model_name="notification", name="recipient"),
                migrations.DeleteModel(name="Digest"),
                migrations.DeleteModel(name="Notification"),
            ],
        ),
    ]
