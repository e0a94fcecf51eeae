"""How long the ledger and the overdue report take with one measure of long unbroken text.

A benchmark, not a test (no timed assertion); run it on purpose:

    .venv/bin/pytest -p no:cacheprovider -s tests/bench/bench_long_text.py

``BENCH_LENGTHS`` (comma-separated, default ``1000``, the limit of a measure's content) sets
the lengths tried. Lengths past the limit cannot be stored, so the measure's text is replaced in
memory and the two templates rendered directly. The run behind the issue: 20,000 characters
without a space took the ledger past 120 s; 5,000 took 27 s before tables were laid out in
fixed mode.
"""

import datetime
import logging
import os
import time

from oversight import documents
from oversight.dashboard import Counts
from tests import factories


def test_bench_long_unbroken_text(world, housing_case):
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case)
    measure = factories.measure(
        recommendation=letter, actor=officer, due_on=datetime.date(2026, 3, 1)
    )
    today = datetime.date(2026, 3, 31)
    ledger = {
        "title": "整改台账",
        "groups": documents.ledger_groups([measure], today),
        "today": today,
    }
    report = {
        "today": today,
        "jurisdiction": "长春市纪委监委",
        "total": Counts(),
        "units": [],
        "aging": [],
        "overdue": [measure],
    }
    documents.render_pdf("documents/ledger.html", ledger)  # warm-up: fonts loaded
    lengths = [int(n) for n in os.environ.get("BENCH_LENGTHS", "1000").split(",")]
    print()
    for length in lengths:
        for label, character in (("CJK", "整"), ("ASCII", "x")):
            measure.content = character * length
            for name, template, context in (
                ("ledger", "documents/ledger.html", ledger),
                ("overdue report", "documents/overdue_report.html", report),
            ):
                start = time.perf_counter()
                documents.render_pdf(template, context)
                print(f"{name:<15} {length:>6} {label:<5} {time.perf_counter() - start:6.2f} s")
