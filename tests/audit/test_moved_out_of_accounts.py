"""The audit log, notifications and digests moved out of ``accounts`` by state only: undoing and
redoing the move keeps their tables, rows, content types and the log's append-only guard."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError

from accounts.roles import Role
from audit.models import AuditEntry
from notifications.models import Notification
from tests import factories

# Migrations run outside a test transaction (SQLite's schema editor refuses to run inside one).
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [
    ("accounts", "0010_notification_kind_workflow"),
    ("notifications", None),
    ("audit", None),
]


def migrate(targets=None):
    """Migrate to ``targets``, or to every app's latest migration so later tests find the schema."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def nothing_left_to_migrate() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def app_of(model_name: str) -> str:
    return ContentType.objects.get(model=model_name).app_label


def test_undoing_and_redoing_the_move_keeps_rows_content_types_and_the_guard():
    entry = AuditEntry.objects.create(action=AuditEntry.Action.LOGIN, username="city_staff")
    commission = factories.org_root("长春市纪委监委")
    user = factories.user(Role.DISCIPLINE_STAFF, commission, username="reader")
    notification = Notification.objects.create(recipient=user, title="提醒")
    assert (app_of("auditentry"), app_of("notification")) == ("audit", "notifications")

    migrate(BEFORE_THE_MOVE)
    try:
        assert (app_of("auditentry"), app_of("notification"), app_of("digest")) == (
            "accounts",
            "accounts",
            "accounts",
        )
    finally:
        migrate()

    assert (app_of("auditentry"), app_of("notification"), app_of("digest")) == (
        "audit",
        "notifications",
        "notifications",
    )
    assert nothing_left_to_migrate()
    assert AuditEntry.objects.get(pk=entry.pk).username == "city_staff"
    assert Notification.objects.get(pk=notification.pk).title == "提醒"
    if connection.vendor == "postgresql":  # SQLite (development only) has no trigger
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_auditentry SET username = %s WHERE id = %s", ["x", entry.pk]
            )
    assert AuditEntry.objects.get(pk=entry.pk).username == "city_staff"
