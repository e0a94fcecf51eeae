"""The ledger of a letter with 1,200 measures (13 items), cold and warm (a benchmark, not a test).

The real case behind "documents that scale": 140–163 s and 182 pages before the ledger was split
per item; targets (the issue's Done-when): ≤ 10 s cold on a fresh worker, ≤ 5 s warm. Run it on
purpose, on PostgreSQL like production, in a fresh process (its first document is the cold one):

    DATABASE_URL=postgres://… .venv/bin/pytest -p no:cacheprovider -s \
        tests/bench/bench_large_ledger.py

It times the job's path (``tasks.run_document_job``: the rows read again through the measure
list's filter, the ledger laid out in ``DOCUMENT_JOB_PROCESSES`` parts at once and joined), cold
then warm, then the same ledger laid out in one process. ``DOCUMENT_JOB_PROCESSES=1`` makes the
cold run a one-process one; ``BENCH_LEDGER_MEASURES`` changes the size.
"""

import logging
import os
import time

import pytest

from oversight import documents, tasks
from oversight.models import DocumentJob
from tests import factories, pdf

MEASURES = int(os.environ.get("BENCH_LEDGER_MEASURES", "1200"))


@pytest.mark.django_db
def test_bench_large_ledger(world, housing_case, settings, tmp_path):
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    settings.MEDIA_ROOT = tmp_path
    staff = world.users.city_staff
    letter = factories.large_letter(
        staff=staff, officer=world.users.housing_officer, the_case=housing_case, measures=MEASURES
    )
    processes = settings.DOCUMENT_JOB_PROCESSES
    print(f"\n{os.cpu_count()} cores, DOCUMENT_JOB_PROCESSES={processes}")
    for label in ("cold", "warm", "warm"):
        job = DocumentJob.objects.create(
            kind=DocumentJob.Kind.LEDGER,
            query=f"recommendation={letter.pk}",
            filename="整改台账.pdf",
            total=MEASURES,
            created_by=staff,
        )
        start = time.perf_counter()
        job = tasks.run_document_job(job.pk)
        elapsed = time.perf_counter() - start
        assert job.status == DocumentJob.Status.DONE, job.error
        with job.file.open("rb") as handle:
            pages = len(pdf.reader(handle.read()).pages)
        print(f"ledger, {MEASURES} measures, job, {label}: {elapsed:.1f} s, {pages} pages")
    start = time.perf_counter()
    data = documents.recommendation_ledger_pdf(staff, letter)
    elapsed = time.perf_counter() - start
    pages = len(pdf.reader(data).pages)
    print(f"ledger, {MEASURES} measures, one process, warm: {elapsed:.1f} s, {pages} pages")
    start = time.perf_counter()
    data = documents.recommendation_pdf(staff, letter)
    print(f"letter, 13 items, warm: {time.perf_counter() - start:.2f} s")
