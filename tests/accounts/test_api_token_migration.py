"""Migration ``accounts.0012``: the tokens REST framework's ``authtoken`` kept in clear are
dropped with their table, not converted (each was written in clear into the audit log), and one of
them presented is told to obtain a new token; tokens issued afterwards work."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.roles import Role
from tests import factories

# Migrations run outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0011_notifications_and_audit_moved_out")]
CLEAR_KEY = "0123456789abcdef0123456789abcdef01234567"


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def authtoken_migrations() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        return cursor.fetchone()[0]


def test_clear_tokens_are_dropped_and_new_ones_work():
    user = factories.user(Role.UNIT_OFFICER, factories.org_root("长春市住建局", kind="unit"))
    migrate(BEFORE)
    try:
        assert "accounts_apitoken" not in tables()
        # The table and its row as REST framework's authtoken left them.
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                "created timestamp with time zone NOT NULL, user_id bigint NOT NULL UNIQUE)"
            )
            cursor.execute(
                "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                [CLEAR_KEY, timezone.now(), user.pk],
            )
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', "
                "'0001_initial', %s)",
                [timezone.now()],
            )
    finally:
        migrate()

    assert "authtoken_token" not in tables()
    assert authtoken_migrations() == 0
    assert not ApiToken.objects.exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {CLEAR_KEY}")
    refused = api.get("/api/v1/measures/")
    assert refused.status_code == 401 and refused.json()["code"] == "token_reissued"

    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    assert api.get("/api/v1/measures/").status_code == 200


def test_a_database_that_never_had_authtoken_migrates_and_back():
    migrate(BEFORE)
    try:
        assert "accounts_apitoken" not in tables()
    finally:
        migrate()
    assert "accounts_apitoken" in tables() and "authtoken_token" not in tables()
