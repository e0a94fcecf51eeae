"""How long the ledger and the overdue report take with one measure of long unbroken text.

A benchmark, not a test (no timed assertion); run it on purpose:

    .venv/bin/pytest -p no:cacheprovider -s tests/bench/bench_long_text.py

``BENCH_LENGTHS`` (comma-separated, default ``1000``) sets the lengths tried. The run that made
the issue: a measure of 20,000 characters without a space took the ledger past 120 s.
"""

import datetime
import logging
import os
import time

from recommendations import documents
from reforms.models import Measure
from tests import factories


def test_bench_long_unbroken_text(world, housing_case):
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case)
    measure = factories.measure(
        recommendation=letter, actor=officer, due_on=datetime.date(2026, 3, 1)
    )
    documents.recommendation_ledger_pdf(staff, letter)  # warm-up: fonts loaded
    lengths = [int(n) for n in os.environ.get("BENCH_LENGTHS", "1000").split(",")]
    print()
    for length in lengths:
        for label, run in (("CJK", "整" * length), ("ASCII", "x" * length)):
            # Written past the limits on purpose: the renderer must cope with any stored text.
            Measure.objects.filter(pk=measure.pk).update(content=run[:length])
            for name, render in (
                ("ledger", lambda: documents.recommendation_ledger_pdf(staff, letter)),
                ("overdue report", lambda: documents.overdue_report_pdf(staff)),
            ):
                start = time.perf_counter()
                render()
                print(f"{name:<15} {length:>6} {label:<5} {time.perf_counter() - start:6.2f} s")
