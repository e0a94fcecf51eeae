"""`manage.py bench --check` fails a list over its query budget or planned with a scan of the
whole measures table, reading the plans PostgreSQL gives, unaided, for the SQL the list sent."""

import pytest
from django.db import connection

from accounts.models import User
from accounts.roles import Role
from benchmarks.management.commands.bench import MEASURE_READ, Result, _measure_reads
from benchmarks.scale import Generator
from core.paging import LIST_QUERY_BUDGET


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("  ->  Seq Scan on reforms_measure u0  (cost=0.00..1.01 rows=1)", "Seq Scan"),
        ("->  Parallel Seq Scan on reforms_measure  (cost=…)", "Parallel Seq Scan"),
        (
            "->  Index Only Scan using measure_open_unit_due on reforms_measure u0  (cost=…)",
            "Index Only Scan using measure_open_unit_due",
        ),
        (
            "->  Index Scan using reforms_measure_pkey on reforms_measure  (cost=…)",
            "Index Scan using reforms_measure_pkey",
        ),
        ("->  Bitmap Heap Scan on reforms_measure  (cost=…)", "Bitmap Heap Scan"),
        ("->  Seq Scan on reforms_measuretally u0  (cost=…)", None),
    ],
)
def test_a_plans_line_names_its_way_to_the_measures(line, read):
    found = MEASURE_READ.search(line)
    assert (" using ".join(part for part in found.groups() if part) if found else None) == read


def test_a_list_fails_the_check_for_its_queries_or_a_whole_table_scan():
    by_index = [
        "Index Only Scan using measure_open_unit_due",
        "Index Scan using reforms_measure_pkey",
    ]
    within = Result("list", queries=LIST_QUERY_BUDGET, is_list=True, measure_reads=by_index)
    over = Result("list", queries=LIST_QUERY_BUDGET + 1, is_list=True, measure_reads=by_index)
    scanned = Result("list", queries=3, is_list=True, measure_reads=["Parallel Seq Scan"])
    page = Result("dashboard", queries=40, measure_reads=["Seq Scan"])

    assert within.list_faults() == []
    assert over.list_faults() == [f"{LIST_QUERY_BUDGET + 1} queries"]
    assert scanned.list_faults() == ["Parallel Seq Scan"]
    assert page.list_faults() == []  # not a list: neither held to the budget nor checked


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="manage.py bench runs on PostgreSQL only"
)
def test_the_reads_are_explained_from_the_statements_the_request_sent(client, db):
    Generator(300, seed=3).generate()
    client.force_login(User.objects.filter(role=Role.SUPERVISOR).first())

    def get():
        assert client.get("/api/v1/measures/").status_code == 200

    reads = _measure_reads(get)

    assert reads, "the list's statements read the measures"
    assert len(reads) == len(set(reads))
    for read in reads:
        assert MEASURE_READ.search(f"{read} on reforms_measure"), read
