"""The measure lists' main filters are served by their index, not by a scan of the table.

On the benchmark's generated data (``benchmarks.scale``, a few thousand measures in the proportions
of the 1,000,000-measure database), the SQL that the list page and the API list really send —
captured from the requests — is explained by PostgreSQL: the overdue filter over a city's subtree
(with a sector for the page) must read ``reforms_measure`` through ``measure_open_unit_due``, the
count and the page's ids from the index alone, and the page's rows by primary key
(``core.paging``: the deferred join).

On a table this small, written in the test's own transaction (which no VACUUM can mark
all-visible, so reading the index alone is costed as reading the table too), the planner rightly
prefers a sequential or a bitmap scan. ``SET LOCAL enable_seqscan = off``, ``enable_bitmapscan =
off`` and ``enable_memoize = off`` (for the test's savepoint only) leave those as last resorts
(the last: every measure walked by its unit, each unit looked up in a cache, which one run chose
for the API's count by a hair), so the plans show what the index *can* serve — the filter, the
count and the page's ids from the index alone, and the order within a unit — rather than what
the planner prefers at a few thousand rows. At 1,000,000 measures the planner chooses the same
plans unaided (docs/benchmarks.md, "Lists at province scale", has them). PostgreSQL only: the
index and the plans are PostgreSQL's; SQLite serves development alone.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrgUnit, User
from accounts.roles import Role
from benchmarks.scale import Generator
from core.domain import shanghai_today
from reforms import tally
from reforms.models import Measure, TallyBasis
from tests.conftest import built_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the lists' index and its plans are PostgreSQL's"
)

INDEX = "measure_open_unit_due"
WALKED = "measure_open_due_id"


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker, tmp_path_factory):
    with built_once(django_db_blocker, tmp_path_factory):
        Generator(4_000, seed=11).generate()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield OrgUnit.objects.filter(depth=1, kind="commission").order_by("pk").last()


@pytest.fixture
def city(province, db):
    # ``db``: each test in a savepoint of the module's transaction (SET LOCAL ends with it).
    return OrgUnit.objects.filter(path__startswith=province.path, depth=2).first()


@pytest.fixture(autouse=True)
def rows_counted(city):
    """The lists sum their count from the measure tally when it is current
    (``tests/reforms/test_tally.py``); without it, as before the nightly roll or with a filter it
    does not hold, they count their rows: that count's plan is the one shown here."""
    TallyBasis.objects.all().delete()  # in the test's savepoint


@pytest.fixture
def supervisor(client, province):
    client.force_login(User.objects.filter(role=Role.SUPERVISOR, org_unit=province).first())
    return client


def explain(sql: str, params=None) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_memoize = off")
        cursor.execute(f"EXPLAIN (COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def keep_only_the_indexes(*names: str) -> None:
    """Drop, for the test's savepoint, every index on the measures but their primary key and
    ``names``: the question each test asks is whether a statement is served by the indexes made
    for it. At 4,000 measures, in a suite whose rolled-back writes leave the table and its indexes
    larger, the planner's pick among the table's other indexes, whose rows must then be read, is
    a toss-up (in CI: the foreign key's, since dropped by reforms.0022, then
    ``measure_unit_due_id`` and ``measure_status_due``); at 1,000,000 measures it picks these
    unaided."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid = 'reforms_measure'::regclass AND NOT indisprimary"
        )
        for (name,) in cursor.fetchall():
            if name not in names:
                cursor.execute(f'DROP INDEX "{name}"')


def list_statements(client, url: str) -> tuple[str, str]:
    """The count and the page's rows of the measure list that ``url`` answers."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    on_measures = [
        query["sql"]
        for query in captured.captured_queries
        if 'FROM "reforms_measure"' in query["sql"]
    ]
    counts = [sql for sql in on_measures if sql.startswith('SELECT COUNT(*) AS "__count"')]
    rows = [sql for sql in on_measures if sql not in counts]
    assert len(counts) == 1 and len(rows) == 1, on_measures
    return counts[0], rows[0]


def assert_served_by_the_index(count_sql: str, rows_sql: str):
    """Both statements find their measures in an index — the count in ``measure_open_unit_due``
    alone, for each unit of the subtree its open, not standing measures due before today, the
    three conditions in the index's — and the page's rows are then read by primary key, 25 or 50
    of them."""
    from_the_index = f"Index Only Scan using {INDEX} on reforms_measure"
    keep_only_the_indexes(INDEX, WALKED)
    count_plan, rows_plan = explain(count_sql), explain(rows_sql)
    for plan in (count_plan, rows_plan):
        assert "Seq Scan on reforms_measure" not in plan, plan
    # The filter's conditions in the index's, for each unit of the subtree (``unit_id = …``) or
    # over the index with each entry's unit then looked up: which side drives the join is the
    # planner's pick from row estimates, which autovacuum may refresh from the test database's
    # committed (empty) tables while the module runs; either way no measure row is read. Or, as
    # for the page's ids below, the open measures due before today walked in due-date order, each
    # one's unit checked: at this size its cost is within 0.5 % of the index's (484 against 486).
    per_unit = r"(unit_id = (accounts_orgunit|u1)\.id\) AND \()?"
    condition = rf"Index Cond: \(\({per_unit}is_standing = false\) AND \(due_on < "
    if f"Index Scan using {WALKED} on reforms_measure" in count_plan:
        assert "Index Cond: ((is_standing = false) AND (due_on < " in count_plan, count_plan
    else:
        assert from_the_index in count_plan, count_plan
        assert re.search(condition, count_plan), count_plan
    # The page's ids: either each unit's from the same index, then a top-N sort of them (the
    # index is in the list's order within each unit), or the open measures walked in due-date
    # order (``measure_open_due_id``), each one's unit checked, until the page is full — the
    # planner's pick for a subtree holding many units (on the benchmark's data, the API's city
    # list). Then the page's rows only, by primary key.
    if f"Index Scan using {WALKED} on reforms_measure u0" in rows_plan:
        assert "Sort Key: u0." not in rows_plan, rows_plan
        assert "Limit" in rows_plan, rows_plan
    else:
        assert f"{from_the_index} u0" in rows_plan, rows_plan
        assert re.search(condition, rows_plan), rows_plan
        assert "Sort Key: u0.is_standing, u0.due_on, u0.id" in rows_plan, rows_plan
    assert "Index Scan using reforms_measure_pkey on reforms_measure" in rows_plan, rows_plan


def assert_walked_in_order(client, url: str, index: str):
    """The page's ids of the list ``url`` answers are the first entries of ``index`` whose unit
    is in scope, walked in the list's order: no sort, no scan of the table."""
    _count, rows_sql = list_statements(client, url)
    keep_only_the_indexes(index)
    plan = explain(rows_sql)
    assert f"Index Scan using {index} on reforms_measure u0" in plan, plan
    assert "Sort Key: u0." not in plan, plan
    assert "Seq Scan on reforms_measure" not in plan, plan


def test_the_overdue_list_page_of_a_city_and_sector_reads_the_index(supervisor, city):
    sector = (
        Measure.objects.overdue()
        .filter(unit__path__startswith=city.path)
        .values_list("unit__sector", flat=True)
        .first()
    )
    url = f"/measures/?overdue=current&unit={city.pk}&sector={sector}"
    assert_served_by_the_index(*list_statements(supervisor, url))


def test_the_api_overdue_list_of_a_city_reads_the_index(supervisor, city):
    url = f"/api/v1/measures/?overdue=current&unit={city.pk}&page_size=50"
    assert_served_by_the_index(*list_statements(supervisor, url))


def test_a_citys_count_from_the_tally_reads_its_units_index_alone(supervisor, city):
    """When the tally is current the list's count is its sum over the city's units, read from
    ``measure_tally_unit_counts`` alone, never from the tally's rows.

    At this size the planner would as soon merge the unique key's entries with the units; that
    key is dropped and the merge and hash joins left as last resorts, for the test's savepoint,
    so the plan shows what the index serves. Which side drives the nested loop — each unit's
    entries (``unit_id = …``, the planner's pick unaided at 1,000,000 measures: 5.7 → 2.0 ms for a
    city's overdue count) or the index's entries, each one's unit then looked up — is the
    planner's pick from row estimates that autovacuum may refresh while the suite runs; either
    way no row of the tally is read."""
    tally.roll(shanghai_today())
    with CaptureQueriesContext(connection) as captured:
        url = f"/api/v1/measures/?overdue=current&unit={city.pk}&page_size=50"
        assert supervisor.get(url).status_code == 200
    [count_sql] = [
        query["sql"]
        for query in captured.captured_queries
        if 'FROM "reforms_measuretally"' in query["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the roll's checks, before the ALTER
        cursor.execute("ALTER TABLE reforms_measuretally DROP CONSTRAINT measure_tally_key")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL enable_hashjoin = off")
    plan = explain(count_sql)
    assert "Index Only Scan using measure_tally_unit_counts on reforms_measuretally" in plan, plan
    assert "Seq Scan on reforms_measuretally" not in plan, plan


def test_the_provinces_unfiltered_list_walks_the_measures_in_due_date_order(supervisor):
    """Over a scope that holds every unit, the page's ids are the first entries of
    ``measure_due_id`` whose unit is in scope: no sort of the province's measures."""
    assert_walked_in_order(supervisor, "/measures/", "measure_due_id")


def test_the_index_gives_one_units_open_measures_in_the_lists_order(province, db):
    """Within one unit the index is in the list's order (standing last, due date, id): no sort
    at all."""
    unit = Measure.objects.overdue().filter(unit__path__startswith=province.path).first().unit
    page = Measure.objects.filter(unit=unit).overdue(today=shanghai_today())
    keep_only_the_indexes(INDEX)
    plan = explain(*page.by_due_date().values("pk")[:25].query.sql_with_params())
    assert f"Index Only Scan using {INDEX} on reforms_measure" in plan, plan
    assert "Index Cond: ((unit_id = " in plan, plan
    assert "Sort" not in plan, plan


def test_the_sign_off_queue_counts_from_its_own_index(client, province, db):
    """The queue's count (and the staff's home count) over a province: the measures awaiting
    sign-off from ``measure_awaiting_unit_due`` alone, never the table.

    At a few thousand rows not yet marked all-visible, the older (status, due date) index costs
    the same as this one; the plan shows what the new index serves, as the planner chooses
    unaided at 1,000,000 measures (12 ms against 128 ms)."""
    client.force_login(User.objects.filter(role=Role.DISCIPLINE_STAFF, org_unit=province).first())
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/measures/sign-off-queue/").status_code == 200
    [count_sql] = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "reforms_measure"')
    ]
    keep_only_the_indexes("measure_awaiting_unit_due")
    plan = explain(count_sql)
    assert "Index Only Scan using measure_awaiting_unit_due on reforms_measure" in plan, plan
    assert "Seq Scan on reforms_measure" not in plan, plan


def test_the_sign_off_queue_of_a_province_walks_its_own_index_in_order(client, province, db):
    """The queue's first page over a province: the measures awaiting sign-off walked in the
    list's order from ``measure_awaiting_due``, each one's unit checked, until the page is full —
    no sort of the province's queue (at 1,000,000 measures the planner walked the open measures'
    index without it, which held few awaiting sign-off among the earliest due: 170 → 0.7 ms)."""
    client.force_login(User.objects.filter(role=Role.DISCIPLINE_STAFF, org_unit=province).first())
    assert_walked_in_order(client, "/measures/sign-off-queue/", "measure_awaiting_due")


def test_queries_are_not_compiled_just_in_time(db):
    # The settings turn JIT off: a page's query whose estimate passed jit_above_cost spent more
    # time compiling than running (the dashboard's campaigns: 2–4 ms for 0.1 ms).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_server_side_cursors_are_planned_for_every_row(db):
    # An export's cursor is read to the end: planned for its first tenth, the measure list's
    # export of a 10,300-measure county walked every measure in due-date order (0.14 → 1.5 s).
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone() == ("1",)
