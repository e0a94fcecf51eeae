"""The dashboard's late replies read letters awaiting a reply by deadline from a partial index
(``recommendation_awaiting_reply``), built concurrently on PostgreSQL, plainly on SQLite."""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0012_api_token"),
        ("recommendations", "0008_alter_recommendation_kind"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="recommendation",
            index=models.Index(
                condition=models.Q(("status__in", ["issued", "acknowledged", "rectifying"])),
                fields=["reply_due_on", "recipient_unit"],
                name="recommendation_awaiting_reply",
            ),
        ),
    ]
