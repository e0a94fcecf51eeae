"""A small organisation tree with one user per role, shared by the tests.

长春市纪委监委 (commission, 长纪)            吉林市纪委监委 (commission; outside)
├── 长春市住房和城乡建设局 (unit)              └── 吉林市水利局 (unit)
│   └── 市住建局质量监督站 (unit)
├── 长春市卫生健康委员会 (unit)
├── 派驻市卫健委纪检监察组 (group, posted to 卫健委)
└── 朝阳区纪委监委 (commission, 朝纪)
    └── 朝阳区教育局 (unit)
"""

import functools
import importlib
from collections import Counter
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import post_migrate
from django.test import override_settings

from accounts.models import OrgUnit
from accounts.roles import Role
from cases.models import ProcessStage

from . import factories

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


AUDIT_TABLE = "accounts_auditentry"
NO_TRUNCATE = "accounts_auditentry_no_truncate"  # migration audit.0004


# The files that take 40 seconds or more (measured on SQLite, 2 cores): pytest-xdist hands out whole
# files in the order collected (make test turns its own order, by number of tests, off), so these
# go first and the cores finish together, rather than one of them starting the longest file last.
LONGEST_FIRST = {
    "tests/security/test_confidentiality.py": 420,
    "tests/security/test_routes.py": 270,
    "tests/security/test_api_routes.py": 200,
    "tests/api/test_write_matrix.py": 130,
    "tests/security/test_xss.py": 115,
    "tests/security/test_idor.py": 115,
    "tests/browser/test_content_security_policy.py": 105,
    "tests/browser/test_phone_layouts.py": 90,
    "tests/test_worker.py": 85,
    "tests/api/test_schemathesis_officer.py": 75,
    "tests/api/test_schemathesis_staff.py": 75,
    "tests/browser/test_home_pages.py": 65,
    "tests/audit/test_moved_out_of_accounts.py": 65,
    "tests/accounts/test_api_token_migration.py": 55,
    "tests/recommendations/test_evaluation_services.py": 55,
    "tests/crypto/test_sealed_content.py": 50,
    "tests/api/test_statistics.py": 50,
    "tests/test_statistics_page.py": 45,
    "tests/recommendations/test_services.py": 40,
}


def pytest_collection_modifyitems(config, items):
    """The longest files first, then the others by their number of tests (pytest-xdist's order)."""
    per_file = Counter(item.nodeid.partition("::")[0] for item in items)

    def weight(item):
        path = item.nodeid.partition("::")[0]
        return -LONGEST_FIRST.get(path, 0), -per_file[path], path

    items.sort(key=weight)


@pytest.fixture(autouse=True, scope="session")
def audit_log_emptied_between_transactional_tests():
    """Transactional tests end by emptying every table with one ``TRUNCATE``, which the audit
    log's guard refuses: the flush lifts that guard inside its own transaction, as the owner of
    the test tables may (production's application role may not: tools/db-grants.sql)."""
    plain = PostgreSQLOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = plain(self, style, tables, **kwargs)
        if AUDIT_TABLE not in tables or not statements:
            return statements
        return [
            f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER {NO_TRUNCATE}",
            *statements,
            f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER {NO_TRUNCATE}",
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgreSQLOperations, "sql_flush", sql_flush)
        yield


def add_replica_mirror() -> None:
    """The alias ``replica`` in every test run, as a mirror of the test database (as settings make
    it from ``DATABASE_REPLICA_URL``): a second connection to the same database. No router reads
    it unless a test installs ``core.db.ReplicaRouter`` (``tests/test_replica_router.py``)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from core.db import REPLICA

    if REPLICA not in connections.settings:
        default = connections.settings[DEFAULT_DB_ALIAS]
        mirror = {"MIRROR": DEFAULT_DB_ALIAS}
        connections.settings[REPLICA] = {**default, "TEST": {**default.get("TEST", {}), **mirror}}


add_replica_mirror()


def rows_by_table() -> dict[str, int]:
    """The number of rows of every table the project's models keep."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


# The rows each table holds once the migrations ran, before any test (django_db_setup).
AS_MIGRATED = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, noting the rows the migrations left (``AS_MIGRATED``), and at the end the
    mirror's connection closed: left open, it keeps the test database from being dropped ("being
    accessed by other users")."""
    from django.db import connections

    from core.db import REPLICA

    with django_db_blocker.unblock():
        AS_MIGRATED.update(rows_by_table())
    yield
    connections[REPLICA].close()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Password hashing is deliberately slow; tests log users in hundreds of times.
    settings.PASSWORD_HASHERS = FAST_HASHER


@pytest.fixture
def browse(client):
    """``browse(user)``: the test client signed in as ``user`` (pages in Chinese)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def browse_en(browse, client):
    """``browse_en(user)``: as ``browse``, reading the pages in English."""

    def sign_in(user):
        browse(user).cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> SimpleNamespace:
    """The tree above with one user per role (a plain function: module-scoped fixtures reuse it)."""
    city = factories.org_root("长春市纪委监委", doc_abbr="长纪")
    housing = factories.org_child(city, "长春市住房和城乡建设局", sector="construction")
    station = factories.org_child(housing, "市住建局质量监督站", sector="construction")
    health = factories.org_child(city, "长春市卫生健康委员会", sector="healthcare")
    group = factories.org_child(
        city, "派驻市卫健委纪检监察组", kind=OrgUnit.Kind.GROUP, doc_abbr="长纪卫"
    )
    group.posted_to.add(health)
    county = factories.org_child(
        city, "朝阳区纪委监委", kind=OrgUnit.Kind.COMMISSION, doc_abbr="朝纪"
    )
    education = factories.org_child(county, "朝阳区教育局", sector="education")
    other_city = factories.org_root("吉林市纪委监委", doc_abbr="吉纪")
    water = factories.org_child(other_city, "吉林市水利局", sector="water")

    def reload(unit):
        return OrgUnit.objects.get(pk=unit.pk)

    units = SimpleNamespace(
        city=reload(city),
        housing=reload(housing),
        station=reload(station),
        health=reload(health),
        group=reload(group),
        county=reload(county),
        education=reload(education),
        other_city=reload(other_city),
        water=reload(water),
    )
    users = SimpleNamespace(
        city_staff=factories.user(Role.DISCIPLINE_STAFF, units.city, "city_staff"),
        county_staff=factories.user(Role.DISCIPLINE_STAFF, units.county, "county_staff"),
        group_staff=factories.user(Role.DISCIPLINE_STAFF, units.group, "group_staff"),
        other_staff=factories.user(Role.DISCIPLINE_STAFF, units.other_city, "other_staff"),
        supervisor=factories.user(Role.SUPERVISOR, units.city, "supervisor"),
        county_supervisor=factories.user(Role.SUPERVISOR, units.county, "county_supervisor"),
        housing_officer=factories.user(Role.UNIT_OFFICER, units.housing, "housing_officer"),
        health_officer=factories.user(Role.UNIT_OFFICER, units.health, "health_officer"),
        system_admin=factories.user(Role.SYSTEM_ADMIN, units.city, "system_admin"),
        security_admin=factories.user(Role.SECURITY_ADMIN, units.city, "security_admin"),
        audit_admin=factories.user(Role.AUDIT_ADMIN, units.city, "audit_admin"),
    )
    return SimpleNamespace(units=units, users=users)


@pytest.fixture
def housing_case(world):
    """A case in the housing bureau, handled by the city commission."""
    return factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
    )


@contextmanager
def built_once(django_db_blocker, tmp_path_factory, **more_settings):
    """Records built once for a module or class of tests, rolled back after the last of them.

    Each test still runs in a savepoint of its own (pytest-django's ``db``), so a test that writes
    leaves the next one the records as built. Yields the folder that holds their files.
    """
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER, **more_settings),
        transaction.atomic(),
    ):
        yield media
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, seeded once for a class of read-only tests and rolled back after them."""
    with built_once(django_db_blocker, tmp_path_factory):
        yield factories.seed()


# Rows the migrations load, which a transactional test's flush removes: (migration, function).
# tests/test_migrated_data.py compares the tables after a flush with what ``migrate`` left.
MIGRATED_DATA = [
    ("cases.migrations.0002_seed_taxonomies", "seed"),
    ("cases.migrations.0005_seed_more_taxonomies", "seed"),
    ("reforms.migrations.0003_load_chinese_calendar", "load"),
    ("reforms.migrations.0005_reminder_schedules", "create_schedules"),
    ("reforms.migrations.0005_reminder_schedules", "create_policy"),
    ("reforms.migrations.0007_scheduled_tasks_moved", "forwards"),
    ("recommendations.migrations.0007_default_evaluation_template", "seed"),
    ("reforms.migrations.0011_reconciliation_schedule_job", "create_schedule"),
    ("reforms.migrations.0014_measure_tally", "count_first"),
    ("reforms.migrations.0014_measure_tally", "create_schedule"),
    ("oversight.migrations.0002_audit_verification_schedule", "create_schedule"),
]


def restore_migrated_data():
    """Load what the migrations load, unless it is there, as they load it: through the models of
    the migrations' state, which send no signals, so the audit log stays empty as after
    ``migrate`` (the project's models would write an entry for every row, committed, and a later
    test of the log on the same worker would find them)."""
    if ProcessStage.objects.exists():
        return
    with connection.schema_editor(atomic=False) as schema_editor:
        for module, function in MIGRATED_DATA:
            getattr(importlib.import_module(module), function)(migrated_models(), schema_editor)


@functools.cache
def migrated_models():
    """The models as the last migrations leave them (a registry of their own, built once)."""
    return MigrationLoader(connection).project_state().apps


@pytest.fixture(autouse=True, scope="session")
def migrated_data_loaded_again_after_each_flush():
    """A transactional test ends with a flush, which empties what the migrations load; the flush
    then sends ``post_migrate``, and this loads it again there, so whatever test runs next finds it
    (pytest-xdist runs a file's tests where the file falls, transactional or not)."""

    def load_again(using, **kwargs):
        if using == DEFAULT_DB_ALIAS:
            restore_migrated_data()

    cases = apps.get_app_config("cases")
    post_migrate.connect(load_again, sender=cases, dispatch_uid=__name__)
    yield
    post_migrate.disconnect(sender=cases, dispatch_uid=__name__)
