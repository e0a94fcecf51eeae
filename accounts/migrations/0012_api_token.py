"""API tokens kept as HMAC-SM3 digests (``accounts.ApiToken``, ``accounts/tokens.py``), and the
tokens REST framework's ``authtoken`` kept in clear dropped, not converted.

Converting them would keep working tokens that cannot be trusted to be secret: each was written in
clear into the append-only, sealed audit log when it was made or revoked (the record's id and name
were the token itself) and was listed in clear in the back office. So their table is dropped with
its rows, and ``authtoken``'s migrations are forgotten (the app is no longer installed; installed
again, it would make its table anew). A user obtains a new token at ``/api/v1/token/``; one of the
old tokens presented is refused with a notice saying so (``accounts.api.authentication``).

Undoing this migration drops the digests: tokens must be obtained again (the dropped ones are gone).
Stale content types of ``authtoken`` go with ``manage.py remove_stale_contenttypes``.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


CLEAR_TABLE = "authtoken_token"


def drop_clear_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if CLEAR_TABLE in connection.introspection.table_names(cursor):
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(CLEAR_TABLE)}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_notifications_and_audit_moved_out"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "digest",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="token digest"
                    ),
                ),
                (
                    "prefix",
                    models.CharField(
                        editable=False,
                        help_text="The token's first characters, to tell tokens apart; not enough to use it.",
                        max_length=8,
                        verbose_name="prefix",
                    ),
                ),
                (
                    "created",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="issued"
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_token",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
            },
        ),
        migrations.RunPython(drop_clear_tokens, migrations.RunPython.noop, elidable=False),
    ]
