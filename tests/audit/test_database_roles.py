"""The audit log's guard in the database: TRUNCATE refused even to the owner (audit.0004); the
application's role of tools/db-grants.sql can neither empty the log nor drop its triggers; the
deploy check warns while the application connects as a role that could."""

import os
import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from audit.checks import audit_table_not_owned_by_the_application
from audit.models import AuditEntry

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite (development only) has no TRUNCATE"
    ),
]
SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "db-grants.sql"
APP_ROLE = f"loose_test_app_{os.getpid()}"  # roles are the cluster's: a name of this run's own


def refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        return True
    return False


def check_ids(settings) -> list[str]:
    settings.PRODUCTION = True
    return [
        message.id
        for message in audit_table_not_owned_by_the_application(None, databases=["default"])
    ]


@pytest.fixture
def app_role():
    """The script's application role, under a name of this test's own, granted as the script
    grants (inside the test's transaction: rolled back with it)."""
    text = SCRIPT.read_text()
    grants = re.search(r"-- grants:begin\n(.*)-- grants:end", text, re.S).group(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN NOINHERIT")
        grants = grants.replace("yianchugai_app", APP_ROLE)
        cursor.execute(grants.replace("FOR ROLE yianchugai ", f'FOR ROLE "{owner}" '))
        cursor.execute(f"SET ROLE {APP_ROLE}")
    yield APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_truncate_of_the_audit_log_is_refused_even_to_its_owner(world):
    AuditEntry.objects.create(action=AuditEntry.Action.LOGIN, username="city_staff")

    assert refused("TRUNCATE accounts_auditentry")
    assert AuditEntry.objects.filter(username="city_staff").exists()


def test_the_script_s_application_role_writes_rows_but_cannot_lift_the_guard(world, app_role):
    assert not refused("SELECT count(*) FROM accounts_auditentry")
    assert not refused("UPDATE accounts_orgunit SET name = name")
    assert refused("TRUNCATE accounts_auditentry")
    assert refused("DROP TRIGGER accounts_auditentry_append_only ON accounts_auditentry")
    assert refused("DROP TRIGGER accounts_auditentry_no_truncate ON accounts_auditentry")
    assert refused("ALTER TABLE accounts_auditentry DISABLE TRIGGER ALL")
    assert refused("DELETE FROM accounts_auditentry")


def test_the_deploy_check_warns_while_the_application_could_lift_the_guard(settings, db):
    # The tests connect as the tables' owner (a superuser here): what the check warns of.
    assert check_ids(settings) == ["audit.W001"]


def test_the_deploy_check_is_quiet_for_the_script_s_role(settings, app_role):
    assert check_ids(settings) == []


def test_the_deploy_check_says_nothing_outside_production(settings, db):
    settings.PRODUCTION = False
    assert audit_table_not_owned_by_the_application(None) == []
