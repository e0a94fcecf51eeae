"""The case list's order (``case_opened_id``): its first page read by walking the index.
Built concurrently on PostgreSQL, so writes go on meanwhile; plainly on SQLite.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0009_seal_existing_rows"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="case",
            index=models.Index(fields=["opened_on", "id"], name="case_opened_id"),
        ),
    ]
