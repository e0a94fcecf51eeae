"""The optional read replica (``core.db``): the dashboard, the statistics, the aggregate reports and
the list exports read from it; every write, every read inside a transaction (each transition's) and
every ordinary page read the primary; without a replica nothing changes.

The replica here is the alias ``replica`` that ``tests/conftest.py`` adds to every test run as a
mirror of the test database (a second connection to the same database, as settings make it from
``DATABASE_REPLICA_URL`` under tests); the ``replica`` fixture installs the router. Each
connection's queries are captured, so what went where is seen. The tests are
transactional: a test's rows must be committed for a second connection to read them, and a
TestCase's transaction around every test would send every read to the primary anyway. The real
standby (``pg_basebackup``, replication lag) is shown by ``tools/replica-demo.sh``.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.db import REPLICA, ReplicaRouter, primary_reads, read_database, replica_reads
from reforms import services
from reforms.models import Measure
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
ROUTER = "core.db.ReplicaRouter"
# What a standby answers: queries, and the server-side cursors of ``.iterator()`` over them.
READ_ONLY = re.compile(
    r"\s*(SELECT|WITH|DECLARE \S+ NO SCROLL CURSOR WITH HOLD FOR SELECT)\b", re.I
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def replica(settings):
    """The router, reading the alias ``replica`` (``tests/conftest.py``: a mirror of the test
    database)."""
    settings.DATABASE_ROUTERS = [ROUTER]
    return connections[REPLICA]


@pytest.fixture
def letter(transactional_db, world):
    """An issued letter to the housing bureau with one planned measure."""
    users = world.users
    the_case = factories.case(
        case_unit=world.units.housing, commission=world.units.city, created_by=users.city_staff
    )
    recommendation = factories.issued_recommendation(staff=users.city_staff, the_case=the_case)
    factories.measure(recommendation=recommendation, actor=users.housing_officer)
    return recommendation


class Captured:
    """The queries of both connections while the block runs."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPLICA]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _sql(context) -> list[str]:
        return [query["sql"] for query in context.captured_queries]

    @property
    def on_primary(self) -> list[str]:
        return self._sql(self.primary)

    @property
    def on_replica(self) -> list[str]:
        return self._sql(self.replica)


def touching(queries: list[str], table: str) -> list[str]:
    return [sql for sql in queries if f'"{table}"' in sql]


# Every reader of the replica: (name, address); the figures are read there, nowhere else.
REPLICA_READERS = [
    ("dashboard", reverse("dashboard:index")),
    ("statistics page", reverse("statistics:index")),
    ("statistics records", reverse("statistics:records", args=["problems"])),
    ("statistics workbook", reverse("statistics:report_xlsx")),
    ("statistics API", "/api/v1/statistics/"),
    ("evaluation ranking API", "/api/v1/evaluation-ranking/"),
    ("evaluation ranking workbook", reverse("documents:evaluation_ranking_xlsx")),
    ("measures workbook", reverse("documents:measures_xlsx")),
    ("cases workbook", reverse("documents:cases_xlsx")),
    ("recommendations workbook", reverse("documents:recommendations_xlsx")),
    ("ledger PDF", reverse("documents:ledger")),
    ("overdue report PDF", reverse("documents:overdue_report")),
]


def test_dashboard_statistics_reports_and_exports_read_from_the_replica(
    replica, letter, world, browse
):
    client = browse(world.users.city_staff)
    for name, url in REPLICA_READERS:
        with Captured() as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        assert captured.on_replica, f"{name}: nothing read from the replica"
        if name in ("dashboard", "statistics page"):  # the lag rule, said under the figures
            assert 'data-testid="replica-note"' in response.content.decode(), name
        assert [sql for sql in captured.on_replica if not READ_ONLY.match(sql)] == [], name
        # The records behind the figures come from the replica; the primary serves the sign-in,
        # the session and the audit log's record of a download.
        for table in ("reforms_measure", "recommendations_recommendation", "cases_case"):
            assert not touching(captured.on_primary, table), f"{name} read {table} on the primary"


def test_the_dashboard_shows_what_the_replica_holds(replica, letter, world, browse):
    """The figures are right when read there: one open measure of the housing bureau."""
    with Captured() as captured:
        response = browse(world.users.supervisor).get(reverse("dashboard:index"))
    assert touching(captured.on_replica, "reforms_measure")
    assert response.context["total"].open == 1
    assert "数字读自只读副本" in response.content.decode()  # the lag rule, said on the page
    assert [row["unit"]["name"] for row in response.context["units"]] == ["长春市住房和城乡建设局"]


def test_ordinary_pages_read_the_primary(replica, letter, world, browse):
    """A list or a record's page shows the result of the user's own write: the primary only."""
    client = browse(world.users.housing_officer)
    measure = Measure.objects.get()
    for url in (
        reverse("reforms:measure_list"),
        reverse("reforms:measure_detail", args=[measure.pk]),
        reverse("recommendations:detail", args=[letter.pk]),
        "/",
    ):
        with Captured() as captured:
            assert client.get(url).status_code == 200, url
        assert captured.on_primary, url
        assert captured.on_replica == [], url


def test_a_transition_reads_and_writes_the_primary_even_inside_replica_reads(
    replica, letter, world
):
    """Every read of a transition (its row lock and the checks after it) is in its transaction,
    so on the primary; its writes too. Nothing goes to the replica."""
    measure = Measure.objects.get()
    officer = world.users.housing_officer
    with replica_reads(), Captured() as captured:
        services.progress_report_add(
            measure=measure, actor=officer, content="已完成", percent_complete=100
        )
        services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())
        services.measure_request_signoff(measure=measure, actor=officer)
        services.measure_sign_off(measure=measure, actor=world.users.city_staff, note="经核查")
    assert captured.on_replica == []
    reads = [sql for sql in touching(captured.on_primary, "reforms_measure") if "SELECT" in sql]
    assert reads
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":  # SQLite locks the whole file instead
        assert [sql for sql in reads if "FOR UPDATE" in sql]
    assert touching(captured.on_primary, "reforms_measuretransition")
    assert Measure.objects.get().status == Measure.Status.SIGNED_OFF


def test_reads_inside_a_transaction_go_to_the_primary(replica, letter):
    with replica_reads():
        assert read_database() == REPLICA
        with Captured() as captured:
            assert Measure.objects.count() == 1
        assert captured.on_replica and not captured.on_primary
        with transaction.atomic():
            assert read_database() == DEFAULT_DB_ALIAS
            with Captured() as captured:
                assert Measure.objects.count() == 1
            assert captured.on_primary and not captured.on_replica
        with primary_reads():
            assert read_database() == DEFAULT_DB_ALIAS
        assert read_database() == REPLICA
    assert read_database() == DEFAULT_DB_ALIAS


def test_writes_go_to_the_primary_and_so_does_the_audit_log_s_before_read(replica, letter):
    """A save inside replica_reads, outside a transaction: the row as stored before it (read by
    the audit log to record the change) comes from the primary, not a replica that may lag."""
    measure = Measure.objects.get()
    with replica_reads():
        replica_copy = Measure.objects.get(pk=measure.pk)  # read on the replica
        assert replica_copy._state.db == REPLICA
        replica_copy.department = "综合科"
        with Captured() as captured:
            replica_copy.save(update_fields=["department"])
    assert captured.on_replica == []
    assert touching(captured.on_primary, "reforms_measure")
    # Once the block has ended, an object read on the replica does not take its relations' reads
    # there (Django's fallback would follow the instance's database): the router always answers.
    with Captured() as captured:
        assert replica_copy.item.recommendation_id == letter.pk
    assert captured.on_primary and not captured.on_replica


def test_the_router_always_answers_the_primary_for_writes_and_migrations(replica):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Measure) == REPLICA
        assert router.db_for_write(Measure) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Measure) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "reforms")
    assert not router.allow_migrate(REPLICA, "reforms")
    assert router.allow_relation(Measure(), Measure())


@pytest.fixture
def no_replica():
    """No alias ``replica``, as without ``DATABASE_REPLICA_URL``."""
    configured = connections.settings.pop(REPLICA)
    yield
    connections.settings[REPLICA] = configured


@pytest.mark.django_db(transaction=True, databases=["default"])
def test_without_a_replica_every_read_goes_to_the_primary(
    no_replica, settings, letter, world, browse
):
    """The router installed but no alias (or neither, as without DATABASE_REPLICA_URL): one
    database, and the dashboard reads it as before."""
    for routers in ([ROUTER], []):
        settings.DATABASE_ROUTERS = routers
        with replica_reads():
            assert read_database() == DEFAULT_DB_ALIAS
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
            response = browse(world.users.supervisor).get(reverse("dashboard:index"))
        assert response.status_code == 200
        assert response.context["total"].open == 1
        assert 'data-testid="replica-note"' not in response.content.decode()
        assert touching([query["sql"] for query in primary.captured_queries], "reforms_measure")


def _settings_with(environment: dict) -> dict:
    """The databases and routers settings make from an environment (a fresh interpreter)."""
    script = (
        "import json, django.conf as c;"
        "s = c.settings;"
        "print(json.dumps({'aliases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS,"
        " 'replica': s.DATABASES.get('replica')}, default=str))"
    )
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"} | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **environment,
    }
    output = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return json.loads(output)


@pytest.mark.django_db(transaction=False)
def test_settings_add_the_replica_only_with_its_url():
    plain = _settings_with({})
    assert plain["aliases"] == ["default"] and plain["routers"] == []
    url = "postgres://reader@10.0.0.2:5433/yianchugai"
    with_replica = _settings_with({"DATABASE_REPLICA_URL": url})
    assert with_replica["aliases"] == ["default", "replica"]
    assert with_replica["routers"] == [ROUTER]
    replica = with_replica["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("10.0.0.2", 5433, "yianchugai")
    assert replica["TEST"] == {"MIRROR": "default"}


def test_a_large_ledger_made_in_the_request_reads_its_job_on_the_primary(
    replica, letter, world, browse, settings, monkeypatch
):
    """Broker down: the job runs in the request that created it, inside the ledger's
    replica_reads; its own row (written a moment ago) is read on the primary, the rows of the
    ledger on the replica."""
    from oversight import tasks
    from oversight.models import DocumentJob

    settings.DOCUMENT_ASYNC_MEASURES = 0

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.make_document, "delay", broker_down)
    with Captured() as captured:
        response = browse(world.users.housing_officer).get(reverse("documents:ledger"))
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and job.status == DocumentJob.Status.DONE, job.error
    assert not touching(captured.on_replica, "oversight_documentjob")
    assert touching(captured.on_replica, "reforms_measure")
    assert not touching(captured.on_primary, "reforms_measure")
