"""The audit log's HMAC-SM3 chain (audit/chain.py): every entry sealed in order, and a walk that
finds the first broken link — a changed row, a deleted one, a forged one, the newest ones cut off
— with its position; the daily job tells the audit administrators; production needs its own key."""

import importlib
import threading
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.checks import Tags, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from audit import chain
from audit.log import record
from audit.models import AuditEntry, AuditVerification
from audit.verification import verify_log
from notifications.models import Notification
from oversight.tasks import verify_audit_log

Action = AuditEntry.Action
pytestmark = pytest.mark.django_db
GUARD = "accounts_auditentry_append_only"
SQLITE_GUARD = f"""
CREATE TRIGGER {GUARD} BEFORE UPDATE ON accounts_auditentry
BEGIN SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE refused'); END;
"""


@contextmanager
def unguarded():
    """The database's append-only guard lifted, as an attacker with the table's rights would."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute(f"ALTER TABLE accounts_auditentry DISABLE TRIGGER {GUARD}")
        else:
            cursor.execute(f"DROP TRIGGER {GUARD}")
        try:
            yield cursor
        finally:
            if postgresql:
                cursor.execute(f"ALTER TABLE accounts_auditentry ENABLE TRIGGER {GUARD}")
            else:
                cursor.execute(SQLITE_GUARD)


def write(count: int) -> list[AuditEntry]:
    for number in range(count):
        record(Action.VIEW, username=f"user{number}", detail=f"/cases/{number}/?审计")
    return list(AuditEntry.objects.order_by("id"))


def position_of(entry_id: int) -> int:
    return AuditEntry.objects.filter(id__lte=entry_id).count()


def test_the_chain_seals_every_stored_field_but_the_code():
    stored = [field.attname for field in AuditEntry._meta.concrete_fields if field.name != "mac"]
    assert sorted(chain.FIELDS) == sorted(stored)


def test_after_many_writes_every_entry_links_to_the_one_before(world, client):
    client.post(reverse("login"), {"username": "city_staff", "password": "wrong"})
    client.force_login(world.users.city_staff)
    record(Action.UPDATE, world.users.housing_officer, changes={"is_active": [True, False]})
    entries = write(60)

    previous = chain.GENESIS
    for entry in entries:
        values = {name: getattr(entry, name) for name in chain.FIELDS}
        assert len(entry.mac) == 64
        assert entry.mac == chain.seal(values, previous)
        previous = entry.mac
    # What was sealed is what the database gives back.
    stored = AuditEntry.objects.order_by("id")
    assert [entry.mac for entry in stored] == [entry.mac for entry in entries]

    verification = verify_log(batch=7)  # pages of 7: the walk crosses many pages
    assert verification.ok
    assert verification.checked == len(entries)
    assert verification.last_entry_id == entries[-1].pk
    assert verification.broken_position is None


@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_time_each_link_to_the_entry_before():
    """Four threads, each on its own connection, some writing several entries in a transaction."""

    def writer(number):
        try:
            for step in range(25):
                if step % 5 == 0:
                    with transaction.atomic():
                        record(Action.UPDATE, username=f"w{number}", detail=f"{step}a")
                        record(Action.UPDATE, username=f"w{number}", detail=f"{step}b")
                else:
                    record(Action.VIEW, username=f"w{number}", detail=str(step))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    verification = verify_log()
    assert verification.ok, verification.detail
    assert verification.checked == AuditEntry.objects.count() == 4 * 30


def test_a_field_changed_in_the_database_is_found_at_its_position(db):
    entries = write(30)
    changed = entries[11]
    with unguarded() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET detail = %s WHERE id = %s", ["covered up", changed.pk]
        )

    verification = verify_log(batch=5)

    assert not verification.ok
    assert (verification.broken_position, verification.broken_entry_id) == (12, changed.pk)
    assert verification.checked == 11
    assert f"#{changed.pk}" in verification.detail


@pytest.mark.parametrize("field", ["at", "changes", "ip", "user_id", "mac"])
def test_any_column_changed_breaks_the_link(db, field):
    entries = write(5)
    value = {
        "at": "2020-01-01 00:00:00+00",
        "changes": '{"a": 1}',
        "ip": "10.0.0.1",
        "user_id": 42,
        "mac": "0" * 64,
    }[field]
    with unguarded() as cursor:
        cursor.execute(
            f"UPDATE accounts_auditentry SET {field} = %s WHERE id = %s", [value, entries[2].pk]
        )
    verification = verify_log()
    assert (verification.ok, verification.broken_entry_id) == (False, entries[2].pk)


def test_a_deleted_entry_breaks_the_next_link(db):
    entries = write(30)
    with unguarded() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [entries[20].pk])

    verification = verify_log(batch=4)

    assert not verification.ok
    # The entry after the deleted one no longer links: it now stands at the deleted one's place.
    assert verification.broken_entry_id == entries[21].pk
    assert verification.broken_position == 21 == position_of(entries[21].pk)


def test_a_forged_entry_is_found(db):
    entries = write(10)
    forged_id = entries[-1].pk + 1
    with unguarded() as cursor:
        cursor.execute(
            "INSERT INTO accounts_auditentry (id, at, username, role, action, object_type, "
            "object_id, object_repr, changes, outcome, detail, mac) VALUES (%s, %s, 'x', '', "
            "'login', '', '', '', '{}', 'success', '', %s)",
            [forged_id, entries[-1].at, "ab" * 32],
        )
    record(Action.VIEW, username="after")  # later entries chain onto the forged one

    verification = verify_log()

    assert not verification.ok
    assert (verification.broken_position, verification.broken_entry_id) == (11, forged_id)


def test_a_forged_entry_between_two_is_found(db):
    entries = write(10)
    with unguarded() as cursor:
        # Make room, as a forger would: move the last entry up and put one in its place.
        cursor.execute(
            "UPDATE accounts_auditentry SET id = %s WHERE id = %s",
            [entries[-1].pk + 5, entries[-1].pk],
        )
        cursor.execute(
            "INSERT INTO accounts_auditentry (id, at, username, role, action, object_type, "
            "object_id, object_repr, changes, outcome, detail, mac) VALUES (%s, %s, 'x', '', "
            "'login', '', '', '', '{}', 'success', '', %s)",
            [entries[-1].pk, entries[-1].at, entries[-1].mac],
        )

    verification = verify_log()

    assert (verification.ok, verification.broken_position) == (False, 10)
    assert verification.broken_entry_id == entries[-1].pk


def test_the_newest_entries_cut_off_are_found_by_the_last_verification(db):
    entries = write(10)
    assert verify_log().ok
    with unguarded() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry WHERE id >= %s", [entries[7].pk])
    record(Action.VIEW, username="later")  # the chain itself goes on intact

    verification = verify_log()

    assert not verification.ok
    # PostgreSQL's ids go on past the anchor: the entry standing where it should be is named;
    # SQLite gives the cut-off ids again, so the walk ends before reaching the anchor's id.
    assert verification.broken_position == (8 if connection.vendor == "postgresql" else 9)
    assert f"#{entries[-1].pk}" in verification.detail


def test_an_entry_without_a_code_is_found(db):
    entries = write(3)
    with unguarded() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET mac = '' WHERE id = %s", [entries[1].pk])
    verification = verify_log()
    assert (verification.ok, verification.broken_position) == (False, 2)


def test_the_migration_seals_existing_entries_in_id_order(db):
    entries = write(12)
    with unguarded() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET mac = ''")
    assert not verify_log().ok

    class Editor:
        def __init__(self):
            self.connection = connection

        def execute(self, sql, params=None):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    migration = importlib.import_module("audit.migrations.0003_chain_existing_entries")
    migration.seal_existing(apps, Editor())

    assert [entry.mac for entry in AuditEntry.objects.order_by("id")] == [e.mac for e in entries]
    assert verify_log().ok
    # The guard is back.
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET detail = 'x'")


def test_no_entry_is_written_without_a_key(db, settings):
    settings.AUDIT_CHAIN_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        record(Action.VIEW, username="nobody")
    assert not AuditEntry.objects.exists()


def test_entries_are_not_written_in_bulk(db):
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_create([AuditEntry(action=Action.VIEW)])


def test_another_key_breaks_every_link(db, settings):
    write(3)
    settings.AUDIT_CHAIN_KEY = "another key " * 4
    verification = verify_log()
    assert (verification.ok, verification.broken_position) == (False, 1)


def test_the_command_reports_the_walk_and_fails_on_a_broken_link(db, capsys):
    entries = write(5)
    call_command("audit_verify", "--batch", "2")
    assert "5 entries" in capsys.readouterr().out
    with unguarded() as cursor:
        cursor.execute(
            "UPDATE accounts_auditentry SET username = 'y' WHERE id = %s", [entries[3].pk]
        )
    with pytest.raises(CommandError, match=f"#{entries[3].pk}"):
        call_command("audit_verify")
    assert AuditVerification.objects.count() == 2


def test_the_daily_job_tells_the_audit_administrators_of_a_broken_chain(world):
    assert verify_audit_log()
    assert not Notification.objects.exists()
    entry = AuditEntry.objects.order_by("id")[1]
    with unguarded() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET username = 'y' WHERE id = %s", [entry.pk])

    assert verify_audit_log() is False

    told = Notification.objects.get()
    assert told.recipient == world.users.audit_admin
    assert f"#{entry.pk}" in told.body
    assert told.link == reverse("admin:audit_auditverification_changelist")


def test_the_job_is_scheduled_daily(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="oversight.tasks.verify_audit_log")
    assert (task.crontab.hour, task.crontab.minute) == ("3", "0")


def test_the_audit_administrator_sees_the_last_verification(world, browse_en):
    client = browse_en(world.users.audit_admin)
    page = client.get(reverse("admin:audit_auditentry_changelist"))
    assert "The chain has not been verified yet." in page.content.decode()

    verification = verify_log()
    page = client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "Last integrity check of the chain" in page and "intact" in page
    assert verification.detail in page
    listed = client.get(reverse("admin:audit_auditverification_changelist"))
    assert listed.status_code == 200
    client.force_login(world.users.system_admin)
    assert client.get(reverse("admin:audit_auditverification_changelist")).status_code == 403


def test_production_without_its_own_key_fails_the_deploy_check(settings):
    settings.PRODUCTION = True

    def errors():
        checks = run_checks(tags=[Tags.security], include_deployment_checks=True)
        return [check.id for check in checks if check.id == "audit.E001"]

    for key in ("", settings.AUDIT_CHAIN_DEVELOPMENT_KEY, "short"):
        settings.AUDIT_CHAIN_KEY = key
        assert errors() == ["audit.E001"]
    settings.AUDIT_CHAIN_KEY = "8" * 64
    assert errors() == []
    settings.PRODUCTION = False
    settings.AUDIT_CHAIN_KEY = ""
    assert errors() == []
