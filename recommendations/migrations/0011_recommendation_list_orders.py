"""The letter lists' orders, the page's and the API's: their first pages read by walking an
index. Built concurrently on PostgreSQL, so writes go on meanwhile; plainly on SQLite.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("recommendations", "0010_item_tally"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="recommendation",
            index=models.Index(fields=["created_at", "id"], name="recommendation_created_id"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="recommendation",
            index=models.Index(fields=["issued_on", "id"], name="recommendation_issued_id"),
        ),
    ]
