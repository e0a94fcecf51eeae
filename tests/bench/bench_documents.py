"""How long each document takes to render (a benchmark, not a test: no timed assertion).

Not collected by ``make test`` (files are ``test_*.py``); run it on purpose:

    .venv/bin/pytest -p no:cacheprovider -s tests/bench/bench_documents.py

Target (issue 6): a 13-item recommendation in under 1.5 s on the development machine.
"""

import datetime
import logging
import statistics
import time

from oversight import documents
from tests import factories, pdf

ITEM = (
    "建立健全工程建设项目招投标监管制度，严格落实评审专家随机抽取、回避和责任追究机制，"
    "堵塞制度漏洞，切实防范廉政风险。"
)
RUNS = 5


def timed(label, render):
    render()  # warm-up: fonts loaded and cached by fontconfig/HarfBuzz
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        data = render()
        times.append(time.perf_counter() - start)
    pages = len(pdf.reader(data).pages)
    print(
        f"{label:<34} median {statistics.median(times):.2f} s  max {max(times):.2f} s  "
        f"({len(data) // 1024} KiB, {pages} pages)"
    )


def test_bench_documents(world, housing_case):
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(
        staff=staff, the_case=housing_case, items=13, preamble="为深刻汲取教训，现提出如下建议："
    )
    for item in letter.items.all():
        item.content = ITEM * 2
        item.save()
        for n in range(3):
            factories.measure(
                recommendation=letter,
                actor=officer,
                item=item,
                content=f"第{item.number}项第{n + 1}条整改措施：修订管理办法并组织培训",
                due_on=datetime.date(2026, 3, 1 + n),
            )
    print()
    timed("13-item recommendation letter", lambda: documents.recommendation_pdf(staff, letter))
    timed("ledger, 39 measures", lambda: documents.recommendation_ledger_pdf(staff, letter))
    timed(
        "overdue report, 39 measures",
        lambda: documents.overdue_report_pdf(staff, today=datetime.date(2026, 4, 15)),
    )
    timed("case analysis report", lambda: documents.case_analysis_pdf(staff, housing_case))


def test_bench_import_2000_rows(world, housing_case, settings, tmp_path):
    """Target (issue 6): a 2,000-row import under 10 s."""
    from oversight import excel
    from tests.test_excel import PLAN_HEADINGS, plan_row, xlsx

    settings.MEDIA_ROOT = tmp_path
    letter = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=3
    )
    upload = xlsx(PLAN_HEADINGS, [plan_row(1 + n % 3, f"第{n + 1}条措施") for n in range(2000)])
    start = time.perf_counter()
    result = excel.import_plan(world.users.housing_officer, letter, upload)
    elapsed = time.perf_counter() - start
    print(f"\nimport of a 2,000-row plan          {elapsed:.2f} s ({result.created} measures)")


def test_bench_import_the_real_letter_s_outcomes(world, housing_case, settings, tmp_path):
    """The real letter's outcomes (seed 000): 314 rule changes and 52 meetings, each one file."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oversight import excel
    from tests.test_excel import ACTIVITY_HEADINGS, RULE_CHANGE_HEADINGS, xlsx

    settings.MEDIA_ROOT = tmp_path
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    officer = world.users.housing_officer
    files = {
        "314 rule changes": (
            excel.import_rule_changes,
            xlsx(RULE_CHANGE_HEADINGS, [["立", f"第{n + 1}项制度", None] for n in range(314)]),
        ),
        "52 meetings": (
            excel.import_activities,
            xlsx(
                ACTIVITY_HEADINGS,
                [["专题民主生活会", f"第{n + 1}次专题会", "2026-03-01", 30, ""] for n in range(52)],
            ),
        ),
    }
    print()
    for label, (import_file, upload) in files.items():
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = import_file(officer, letter, upload)
            elapsed = time.perf_counter() - start
        assert result.ok, result.errors
        print(f"import of {label:<24} {elapsed:.2f} s, {len(queries)} queries")
