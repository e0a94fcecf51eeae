"""The ledger of a letter with 1,200 measures (13 items), cold and warm (a benchmark, not a test).

The real case behind "documents that scale": 140–163 s and 182 pages before the ledger was split
per item. Run it on purpose, on PostgreSQL like production:

    DATABASE_URL=postgres://… .venv/bin/pytest -s tests/bench/bench_large_ledger.py
"""

import logging
import os
import time

import pytest

from oversight import documents
from tests import factories, pdf

MEASURES = int(os.environ.get("BENCH_LEDGER_MEASURES", "1200"))


@pytest.mark.django_db
def test_bench_large_ledger(world, housing_case):
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    staff = world.users.city_staff
    letter = factories.large_letter(
        staff=staff, officer=world.users.housing_officer, the_case=housing_case, measures=MEASURES
    )
    print()
    for label in ("cold", "warm"):
        start = time.perf_counter()
        data = documents.recommendation_ledger_pdf(staff, letter)
        elapsed = time.perf_counter() - start
        pages = len(pdf.reader(data).pages)
        print(f"ledger, {MEASURES} measures, {label}: {elapsed:.1f} s, {pages} pages")
    start = time.perf_counter()
    data = documents.recommendation_pdf(staff, letter)
    print(f"letter, 13 items, warm: {time.perf_counter() - start:.2f} s")
