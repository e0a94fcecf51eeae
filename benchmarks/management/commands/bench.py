"""``manage.py bench``: time every hot path against the hand-written SQL that gives the same
numbers or rows, on the data ``generate_scale`` made, and write ``docs/benchmarks.md``.

Each path runs ``--runs`` times (the first run, which warms caches, is dropped); the table has p50
and p95, queries per request, peak Python memory where it matters, and the ratio of the p50 to the
p50 of its raw-SQL lower bound measured in the same run.
"""

import datetime
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hashers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.hashers import PBKDF2SM3PasswordHasher
from accounts.models import OrgUnit, User
from accounts.roles import Role
from benchmarks.keyring import FramingOnlyKeyRing
from benchmarks.large_letter import FULL_SIZE, Size, build_large_letter
from benchmarks.machine import describe
from cases.models import Case, CaseAnalysis, Subject
from cases.tally import PROBLEMS
from core.domain import shanghai_today
from core.encryption.keyring import keyring
from core.pages import PAGE_SIZE
from core.paging import LIST_QUERY_BUDGET
from crosscase import analysis as crosscase
from crosscase import tables as crosscase_tables
from crosscase.models import CrossCaseAnalysis
from notifications.delivery import REMINDER_KINDS
from notifications.models import Digest, Notification
from recommendations.models import Recommendation
from recommendations.tally import ITEMS
from reforms import reminders, tally
from reforms.models import Measure, UrgingNotice

OUTPUT = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
# The dashboard's numbers per unit (and the aging buckets) from the unit tally, a row a unit
# (``UnitTally``: its open and signed-off measures in each band of ``MeasureTally.Band``).
SUMMARY_SQL = """
    SELECT t.unit_id, u.name, u.path, u.sector, counts.*,
           t.open_standing, t.open_over_90, t.open_over_30, t.open_over_7, t.open_overdue
    FROM reforms_unittally t JOIN accounts_orgunit u ON u.id = t.unit_id,
    LATERAL (SELECT
        t.open_standing + t.open_over_90 + t.open_over_30 + t.open_over_7 + t.open_overdue
        + t.open_due_today + t.open_due_soon + t.open_later AS open,
        t.open_over_90 + t.open_over_30 + t.open_over_7 + t.open_overdue AS overdue,
        t.open_due_today + t.open_due_soon AS due_soon,
        t.signed_standing + t.signed_over_90 + t.signed_over_30 + t.signed_over_7
        + t.signed_overdue + t.signed_due_today + t.signed_due_soon + t.signed_later AS signed,
        t.open_over_90 + t.open_over_30 + t.open_over_7 + t.open_overdue + t.open_due_today
        + t.signed_over_90 + t.signed_over_30 + t.signed_over_7 + t.signed_overdue
        + t.signed_due_today AS due,
        t.signed_over_90 + t.signed_over_30 + t.signed_over_7 + t.signed_overdue
        + t.signed_due_today AS due_signed
    ) counts
    WHERE u.path LIKE %(path)s AND counts.open + counts.signed <> 0
"""
CROSS_CASE_TITLE = "全省案件类案分析（基准）"

# The cost of the cryptography (--crypto-only): "after" is the project as configured (SM4-GCM
# through DATA_KEY_RING, passwords with PBKDF2-HMAC-SM3); "before" frames values without a cipher
# (benchmarks.keyring, never in a setting of the project) and hashes with Django's pbkdf2_sha256.
CRYPTO_SECTION = "### Cost of the cryptography"
GROWTH_SECTION = "### Growth with the number of measures"
FRAMING_ONLY_RING = "benchmarks.keyring.FramingOnlyKeyRing"
SM3_FIRST = [
    "accounts.hashers.PBKDF2SM3PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
SHA256_FIRST = SM3_FIRST[::-1]
CRYPTO_TITLE = "【密码开销基准】"
CRYPTO_CASES = 60  # a unit's cases: more than a page of the list (25)
CRYPTO_SUBJECTS = 10
CRYPTO_TEXT_CHARACTERS = 2_000
SIGN_IN_USERNAME = "bench-crypto-sign-in"
SIGN_IN_PASSWORD = "Bench-crypto-2026"
# Per ring: the unit its cases are written in, their numbers, the surnames of their subjects (each
# ring's names differ: the blind index is the same in both rings).
CRYPTO_RINGS = {
    "after": ("密码开销基准单位（SM4-GCM）", "基准密-SM4", "王李张刘陈杨赵黄周吴"),
    "before": ("密码开销基准单位（仅封装）", "基准密-无", "徐孙胡朱高林何郭马罗"),
}
GIVEN_NAMES = ("建国", "志强", "秀英", "海燕", "国栋", "明远", "文杰", "丽华", "振宇", "春梅")
CASE_TEXT = (
    "经查，该局原党组书记、局长在担任领导职务期间，利用职务上的便利，在工程项目招投标、"
    "变更签证和资金拨付等环节为他人谋取利益，非法收受他人财物，数额特别巨大；"
    "违反中央八项规定精神，多次接受可能影响公正执行公务的宴请和旅游安排；"
    "违规干预和插手市场经济活动，造成国有资产重大损失。"
    "该局党组主体责任缺失，“三重一大”决策制度流于形式，内部审计和财务监督长期缺位。"
)


def _text(characters: int) -> str:
    return (CASE_TEXT * (characters // len(CASE_TEXT) + 1))[:characters]


@dataclass
class Measured:
    """One path of the real-case letter, against its target (issue [Real case])."""

    name: str
    times: list[float]  # seconds
    queries: int
    size: int | None  # bytes of the response or document
    limit_s: float  # the target, in seconds
    limit_kb: int | None = None
    note: str = ""

    def row(self) -> list[str]:
        p50, p95 = Result._p(self.times, 0.5), Result._p(self.times, 0.95)
        met = p95 <= self.limit_s * 1000 and (
            self.limit_kb is None or (self.size or 0) <= self.limit_kb * 1024
        )
        limit = f"≤ {self.limit_s * 1000:,.0f} ms" if self.limit_s < 5 else f"≤ {self.limit_s:g} s"
        if self.limit_kb:
            limit += f", ≤ {self.limit_kb} KB"
        return [
            self.name,
            str(len(self.times)),
            f"{p50:,.0f}",
            f"{p95:,.0f}",
            str(self.queries),
            f"{self.size / 1024:,.0f}" if self.size is not None else "—",
            limit,
            ("met" if met else "**missed**") + (f" ({self.note})" if self.note else ""),
        ]


@dataclass
class Result:
    name: str
    times: list[float] = field(default_factory=list)
    queries: int = 0
    peak_mb: float | None = None
    bound: list[float] = field(default_factory=list)
    summary_bound: list[float] = field(default_factory=list)  # the SQL over the unit tally
    is_list: bool = False  # a list page or endpoint: held to LIST_QUERY_BUDGET
    measure_reads: list[str] = field(default_factory=list)  # a list's ways to the measures

    def list_faults(self) -> list[str]:
        """What ``--check`` fails a list for: more queries than the budget, or a plan that reads
        the measures table from end to end."""
        if not self.is_list:
            return []
        faults = [f"{self.queries} queries"] if self.queries > LIST_QUERY_BUDGET else []
        return faults + [read for read in self.measure_reads if "Seq Scan" in read]

    def times_ms(self) -> dict:
        """p50 and p95 of the path, and of its SQL bounds, for the growth curve."""
        times = {"p50": self._p(self.times, 0.5), "p95": self._p(self.times, 0.95)}
        for key, bound in (("bound", self.bound), ("summary_bound", self.summary_bound)):
            if bound:
                times[key] = statistics.median(bound) * 1000
        return times

    @staticmethod
    def _p(values, q):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    def row(self) -> list[str]:
        p50, p95 = self._p(self.times, 0.5), self._p(self.times, 0.95)

        def against(times):
            bound = statistics.median(times) * 1000 if times else None
            if bound is None:
                return ["—", "—"]
            return [
                f"{bound:,.1f}",
                f"{p50 / bound:,.2f}×" if p50 < 10 * bound else f"{p50 / bound:,.1f}×",
            ]

        return [
            self.name,
            f"{p50:,.0f}",
            f"{p95:,.0f}",
            str(self.queries),
            f"{self.peak_mb:,.1f}" if self.peak_mb is not None else "—",
            *against(self.bound),
            *against(self.summary_bound),
        ]


@dataclass
class Compared:
    """One path of the cost of the cryptography: after (as configured) and before (no cipher)."""

    name: str
    after: list[float]
    after_queries: int
    before: list[float]
    before_queries: int

    @staticmethod
    def _ms(value: float) -> str:
        return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"

    @property
    def ratio(self) -> float:
        return Result._p(self.after, 0.5) / Result._p(self.before, 0.5)

    def p50(self, side: str) -> str:
        return self._ms(Result._p(getattr(self, side), 0.5))

    def delta(self) -> str:
        """After's p50 less before's, in ms, signed."""
        difference = Result._p(self.after, 0.5) - Result._p(self.before, 0.5)
        return f"{difference:+,.1f}"

    def row(self) -> list[str]:
        queries = str(self.after_queries)
        if self.before_queries != self.after_queries:
            queries += f" / {self.before_queries}"
        return [
            self.name,
            str(len(self.after)),
            self._ms(Result._p(self.after, 0.5)),
            self._ms(Result._p(self.after, 0.95)),
            self._ms(Result._p(self.before, 0.5)),
            self._ms(Result._p(self.before, 0.95)),
            f"{self.ratio:,.2f}×",
            queries,
        ]


class QueryCounter:
    """Counts statements as they run (the test client resets Django's query log per request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _timed(function, runs: int) -> tuple[list[float], int]:
    """Times of ``runs`` calls after one warm-up, and the queries of one call."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times, counter.count


def _in_turns(sides: dict, runs: int) -> dict[str, tuple[list[float], int]]:
    """``{side: (settings, function)}``: each side's times of ``runs`` calls taken in turns (A B,
    B A, A B…) after one warm-up, and its queries; each call inside its side's settings, entered
    outside the timing."""
    times, queries = {side: [] for side in sides}, {}
    for side, (side_settings, function) in sides.items():
        counter = QueryCounter()
        with override_settings(**side_settings), connection.execute_wrapper(counter):
            function()
        queries[side] = counter.count
    order = list(sides)
    for run in range(runs):
        for side in order if run % 2 == 0 else order[::-1]:
            side_settings, function = sides[side]
            with override_settings(**side_settings):
                keyring(), get_hashers()  # built again for the side's settings, before timing
                started = time.perf_counter()
                function()
                times[side].append(time.perf_counter() - started)
    return {side: (times[side], queries[side]) for side in sides}


def _check_password(encoded: str):
    assert check_password(SIGN_IN_PASSWORD, encoded)


def _read_list(unit: OrgUnit):
    """What a page of the list opens: its rows' amounts and summaries."""
    list(Case.objects.filter(case_unit=unit)[:PAGE_SIZE])


def _read_case(case: Case):
    """What the case page opens: the case, its subjects and its analysis, read and decoded."""
    Case.objects.get(pk=case.pk)
    list(Subject.objects.filter(case=case))
    CaseAnalysis.objects.get(case=case)


def _raw(sql: str, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


# A plan's ways to the measures: "Index Only Scan using measure_open_unit_due", "Seq Scan"…
MEASURE_READ = re.compile(
    r"((?:Parallel )?(?:Seq|Index Only|Index|Bitmap Heap) Scan)"
    r"(?: using (\w+))? on reforms_measure\b"
)


def _measure_reads(get) -> list[str]:
    """How PostgreSQL, unaided, plans to read the measures for the statements of one ``get()``:
    each way once, in the order of the plans (``EXPLAIN`` of the SQL the request really sent)."""
    with CaptureQueriesContext(connection) as captured:
        get()
    reads = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if '"reforms_measure"' not in query["sql"]:
                continue
            cursor.execute(f"EXPLAIN {query['sql']}")
            for (line,) in cursor.fetchall():
                if found := MEASURE_READ.search(line):
                    read = " using ".join(part for part in found.groups() if part)
                    reads += [read] if read not in reads else []
    return reads


def _page_and_count(where: str, column: str, size: int) -> str:
    """A list's first page and its count in one statement, as fast as hand-written SQL gets: the
    count, and the page's ids, over ``where`` (measures ``m`` of org units ``u``) from what the
    indexes hold, then the page's rows by primary key with their joins."""
    return f"""
        WITH page AS (
            SELECT m.id FROM reforms_measure m JOIN accounts_orgunit u ON u.id = m.unit_id
            WHERE {where} ORDER BY m.due_on, m.id LIMIT {size}
        ), total AS (
            SELECT count(*) AS total
            FROM reforms_measure m JOIN accounts_orgunit u ON u.id = m.unit_id WHERE {where}
        )
        SELECT m.*, u.name, r.doc_number, {column}, total.total
        FROM page
        JOIN reforms_measure m ON m.id = page.id
        JOIN accounts_orgunit u ON u.id = m.unit_id
        JOIN recommendations_recommendationitem i ON i.id = m.item_id
        JOIN recommendations_recommendation r ON r.id = i.recommendation_id
        CROSS JOIN total
        ORDER BY m.due_on, m.id
    """


class Command(BaseCommand):
    help = "Benchmark the hot paths against raw-SQL lower bounds; writes docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument(
            "--measures",
            type=int,
            default=1_000_000,
            help="Generate this many measures first when the database has none.",
        )
        parser.add_argument(
            "--units",
            type=int,
            default=None,
            help="Units under the commissions when generating (default: one for every 200 "
            "measures).",
        )
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument(
            "--ledger-measures",
            type=int,
            default=None,
            help="Measures of the large letter whose ledger is timed (default: the largest "
            "ledger made in a request, DOCUMENT_ASYNC_MEASURES).",
        )
        parser.add_argument(
            "--large-letter-measures",
            type=int,
            default=FULL_SIZE,
            help="Measures of the real-case letter (13 items; problems, rule changes and "
            "activities in the real case's proportions). 0 leaves the case out.",
        )
        parser.add_argument(
            "--real-case-only",
            action="store_true",
            help="Run the real case alone and replace its section of the output, keeping the "
            "rest (the hot paths' table measured before).",
        )
        parser.add_argument(
            "--crosscase-only",
            action="store_true",
            help="Time the cross-case analysis over every case alone and print it (the table "
            "of docs/benchmarks.md is left as it is).",
        )
        parser.add_argument(
            "--crypto-only",
            action="store_true",
            help="Time the cost of the cryptography alone (sign-in, a case page, the case list; "
            "SM4-GCM and the SM3 hasher against framing without a cipher and pbkdf2_sha256) and "
            "replace its section of the output, keeping the rest.",
        )
        parser.add_argument(
            "--scan-only",
            action="store_true",
            help="Time the deadline scan alone, its first run on a fresh database's state (every "
            "reminder and urging notice deleted first), and replace its row of the output.",
        )
        parser.add_argument(
            "--lists-only",
            action="store_true",
            help="Time the list paths alone (the overdue list page and the API list) and replace "
            "their rows of the output.",
        )
        parser.add_argument(
            "--growth-only",
            action="store_true",
            help="Time the paths of the growth curve alone (dashboards, lists, chain, statistics) "
            "and record them for this number of measures in its section of the output.",
        )
        parser.add_argument("--output", default=str(OUTPUT))
        parser.add_argument(
            "--check",
            action="store_true",
            help=f"Fail when a list runs more than {LIST_QUERY_BUDGET} queries or is planned with "
            "a sequential scan of the measures, or when the measure tally kept by the triggers "
            "differs from a recount (CI smoke run).",
        )

    def handle(
        self,
        *args,
        measures,
        units,
        runs,
        output,
        check,
        ledger_measures,
        large_letter_measures,
        real_case_only,
        crosscase_only=False,
        crypto_only=False,
        scan_only=False,
        lists_only=False,
        growth_only=False,
        **options,
    ):
        if connection.vendor != "postgresql":
            raise CommandError("Benchmarks run on PostgreSQL (set DATABASE_URL).")
        if not Measure.objects.exists():
            call_command("generate_scale", measures=measures, units=units, stdout=self.stdout)
        measures = Measure.objects.count()
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        # As in production: no query log kept in memory, cached templates.
        settings.DEBUG = False
        self.today = shanghai_today()
        self.province = OrgUnit.objects.filter(depth=1, kind="commission").order_by("pk").last()
        self.city = OrgUnit.objects.filter(path__startswith=self.province.path, depth=2).first()
        self.count_the_tally(check)
        if growth_only:
            growth = self.growth_paths(runs)
            self.record_growth(measures, growth, Path(output))
            self.check_budget(growth, check)
            return
        if crosscase_only:
            self.stdout.write(self.render(self.cross_case(runs), measures))
            return
        if crypto_only:
            section = self.render_crypto(self.crypto(runs))
            self.stdout.write(section)
            Path(output).write_text(self._with_section(Path(output), CRYPTO_SECTION, section))
            self.stdout.write(self.style.SUCCESS(f"Written to {output}"))
            return
        if scan_only:
            self.scan_alone(runs, Path(output))
            return
        if lists_only:
            self.lists_alone(runs, Path(output), check)
            return
        if real_case_only:
            section = self.render_real_case(
                *self.real_case(large_letter_measures or FULL_SIZE, runs)
            )
            self.stdout.write(section)
            Path(output).write_text(self._with_real_case(Path(output), section))
            self.stdout.write(self.style.SUCCESS(f"Written to {output}"))
            return
        growth = self.growth_paths(runs)
        results = [
            *growth,
            *self.cross_case(runs),
            self.xlsx_export(max(3, runs // 5)),
            self.letter_pdf(max(3, runs // 2)),
            self.large_ledger_pdf(ledger_measures or settings.DOCUMENT_ASYNC_MEASURES, 3),
            self.scan(max(3, runs // 5)),
        ]
        real_case = self.real_case(large_letter_measures, runs) if large_letter_measures else None
        crypto = self.crypto(runs)
        table = self.render(results, measures)
        if real_case:
            table += self.render_real_case(*real_case)
        table += self.render_crypto(crypto)
        self.stdout.write(table)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(table + self._kept(Path(output)))
        self.record_growth(measures, growth, Path(output))
        self.stdout.write(self.style.SUCCESS(f"Written to {output}"))
        self.check_budget(results, check)

    def check_budget(self, results: list[Result], check: bool) -> None:
        """Report how each list reads the measures; with ``check``, fail a list over its query
        budget (``LIST_QUERY_BUDGET``) or planned with a scan of the whole table."""
        for result in results:
            if result.measure_reads:
                self.stdout.write(
                    f"{result.name} reads the measures by: " + "; ".join(result.measure_reads)
                )
        over = [
            f"{result.name} ({', '.join(faults)})"
            for result in results
            if (faults := result.list_faults())
        ]
        if check and over:
            raise CommandError(
                f"Over the lists' budget of {LIST_QUERY_BUDGET} queries and index reads: "
                + "; ".join(over)
            )

    # ── The measure tally and the growth curve ───────────────────────────────────────────────

    def count_the_tally(self, check: bool) -> None:
        """Count the measure tally for today, first checking what the triggers kept (through the
        generator's COPY and every write since) against the measures, then the item and problem
        tallies against the items and problems; a drift fails ``--check``."""
        started = time.perf_counter()
        rolled = tally.roll(self.today)
        self.stdout.write(
            f"Measure tally: {rolled.rows:,} rows counted for {rolled.as_of} in "
            f"{time.perf_counter() - started:.1f} s; drift of the kept counts "
            f"(for {rolled.previous}): {len(rolled.drift)}"
        )
        if rolled.drift and check:
            raise CommandError(f"The measure tally drifted: {rolled.drift[:5]}")
        for name, checked in (("item", ITEMS), ("problem", PROBLEMS)):
            started = time.perf_counter()
            found = checked.check()
            self.stdout.write(
                f"The {name} tally: checked against the {name}s in "
                f"{time.perf_counter() - started:.1f} s; drift: {len(found)}"
            )
            if found and check:
                raise CommandError(f"The {name} tally drifted: {found[:5]}")

    def growth_paths(self, runs: int) -> list[Result]:
        """The paths whose time the growth curve follows from one database size to the next."""
        return [
            self.dashboard("Supervisor dashboard, whole province", self.province, runs),
            self.dashboard("Supervisor dashboard, one city", self.city, runs),
            self.overdue_list(runs),
            self.api_list(runs),
            self.case_chain(runs),
            self.statistics_endpoint(runs),
            *self.floors(runs),
        ]

    def floors(self, runs: int) -> list[Result]:
        """What a request costs before its own work: the session, the user, the middleware and,
        for a page, the layout. A ratio to a SQL bound below these cannot be met by any page."""
        client = self._client(Role.SUPERVISOR, self.city)
        page = Result("Floor: a page with the layout and one small panel (账号安全)")
        page.times, page.queries = _timed(self._page(client, "/account/"), runs)
        api = Result("Floor: the API's root")
        api.times, api.queries = _timed(self._page(client, "/api/v1/"), runs)
        return [page, api]

    def record_growth(self, measures: int, results: list[Result], output: Path) -> None:
        """Keep this size's times in ``<output>-growth.json`` and write the growth section."""
        data_path = output.with_name(f"{output.stem}-growth.json")
        data = json.loads(data_path.read_text()) if data_path.exists() else {}
        data[str(measures)] = {
            "units": OrgUnit.objects.count(),
            "date": self.today.isoformat(),
            "load": round(os.getloadavg()[0], 1),
            "paths": {result.name: result.times_ms() for result in results},
        }
        data_path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        section = self.render_growth(data)
        self.stdout.write(section)
        output.write_text(self._with_section(output, GROWTH_SECTION, section))

    @staticmethod
    def render_growth(data: dict) -> str:
        sizes = sorted(data, key=int)
        names = list(dict.fromkeys(name for size in sizes for name in data[size]["paths"]))
        header = [
            "path",
            *(f"{int(size):,} measures, {data[size].get('units', 0):,} units" for size in sizes),
        ]
        lines = [
            f"{GROWTH_SECTION} ({', '.join(f'{int(size):,}' for size in sizes)} measures)",
            "",
            "p50 / p95 ms of each path at each size (`make bench` with `BENCH_MEASURES`, one "
            "database a size); under a path, the median ms of its hand-written SQL bound over the "
            "base tables and, for the dashboards, of the SQL over the unit tally. Runs: "
            + "; ".join(
                f"{int(size):,} on {data[size]['date']} (load {data[size]['load']})"
                for size in sizes
            )
            + ".",
            "",
            "| " + " | ".join(header) + " |",
            "|---|" + "---:|" * len(sizes),
        ]
        rows = [(name, "p50", name) for name in names]
        for name in names:
            rows += [
                (name, key, f"{name}: {label}")
                for key, label in (("bound", "SQL bound"), ("summary_bound", "summary SQL"))
                if any(key in data[size]["paths"].get(name, {}) for size in sizes)
            ]
        rows.sort(key=lambda row: names.index(row[0]))
        for name, key, label in rows:
            cells = []
            for size in sizes:
                times = data[size]["paths"].get(name, {})
                if key == "p50":
                    cell = f"{times['p50']:,.0f} / {times['p95']:,.0f}" if times else "—"
                else:
                    cell = f"{times[key]:,.1f}" if key in times else "—"
                cells.append(cell)
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def statistics_endpoint(self, runs: int) -> Result:
        """成效统计 of the whole province: the API's figures (the page counts the same)."""
        client = self._client(Role.SUPERVISOR, self.province)
        result = Result("Statistics endpoint, whole province")
        result.times, result.queries = _timed(self._page(client, "/api/v1/statistics/"), runs)
        return result

    # ── Paths ────────────────────────────────────────────────────────────────────────────────

    def _client(self, role: str, unit: OrgUnit) -> Client:
        user = User.objects.filter(role=role, org_unit=unit).first()
        client = Client()
        client.force_login(user)
        return client

    def _page(self, client: Client, url: str):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    def dashboard(self, name: str, unit: OrgUnit, runs: int) -> Result:
        client = self._client(Role.SUPERVISOR, unit)
        result = Result(name)
        result.times, result.queries = _timed(self._page(client, "/dashboard/"), runs)
        # The same counts per unit and the aging buckets, straight from the tables.
        sql = """
            SELECT m.unit_id,
                   count(*),
                   count(*) FILTER (WHERE m.status <> 'signed_off'),
                   count(*) FILTER (WHERE m.status <> 'signed_off' AND NOT m.is_standing
                                    AND m.due_on < %(today)s),
                   count(*) FILTER (WHERE m.status <> 'signed_off' AND NOT m.is_standing
                                    AND m.due_on BETWEEN %(today)s AND %(window)s),
                   count(*) FILTER (WHERE m.status <> 'signed_off' AND m.is_standing),
                   count(*) FILTER (WHERE m.status = 'signed_off'),
                   count(*) FILTER (WHERE NOT m.is_standing AND m.due_on <= %(today)s),
                   count(*) FILTER (WHERE NOT m.is_standing AND m.due_on <= %(today)s
                                    AND m.status = 'signed_off')
            FROM reforms_measure m JOIN accounts_orgunit u ON u.id = m.unit_id
            WHERE u.path LIKE %(path)s
            GROUP BY m.unit_id
        """
        params = {
            "today": self.today,
            "window": self.today + datetime.timedelta(days=settings.WARNING_WINDOW_DAYS),
            "path": unit.path + "%",
        }
        result.bound, _queries = _timed(_raw(sql, params), runs)
        result.summary_bound, _queries = _timed(_raw(SUMMARY_SQL, params), runs)
        return result

    def overdue_list(self, runs: int) -> Result:
        sector = (
            OrgUnit.objects.filter(path__startswith=self.city.path, kind="unit")
            .values_list("sector", flat=True)
            .first()
        )
        client = self._client(Role.SUPERVISOR, self.province)
        url = f"/measures/?overdue=current&unit={self.city.pk}&sector={sector}"
        result = Result("Overdue measures, first page (city subtree, one sector)", is_list=True)
        result.times, result.queries = _timed(self._page(client, url), runs)
        result.measure_reads = _measure_reads(self._page(client, url))
        where = """
            u.path LIKE %(path)s AND u.sector = %(sector)s AND m.status <> 'signed_off'
            AND NOT m.is_standing AND m.due_on < %(today)s
        """
        params = {"path": self.city.path + "%", "sector": sector, "today": self.today}
        result.bound, _queries = _timed(_raw(_page_and_count(where, "r.title", 25), params), runs)
        return result

    def api_list(self, runs: int) -> Result:
        client = self._client(Role.SUPERVISOR, self.province)
        url = f"/api/v1/measures/?overdue=current&unit={self.city.pk}&page_size=50"
        result = Result("API: overdue measures of a city, 50 a page", is_list=True)
        result.times, result.queries = _timed(self._page(client, url), runs)
        result.measure_reads = _measure_reads(self._page(client, url))
        where = """
            u.path LIKE %(path)s AND m.status <> 'signed_off' AND NOT m.is_standing
            AND m.due_on < %(today)s
        """
        params = {"path": self.city.path + "%", "today": self.today}
        result.bound, _queries = _timed(_raw(_page_and_count(where, "i.number", 50), params), runs)
        return result

    def xlsx_export(self, runs: int) -> Result:
        """The measure list of the unit subtree nearest 10,000 measures, as xlsx."""
        unit = min(
            OrgUnit.objects.filter(path__startswith=self.province.path, kind="commission"),
            key=lambda unit: abs(
                Measure.objects.filter(unit__path__startswith=unit.path).count() - 10_000
            ),
        )
        rows = Measure.objects.filter(unit__path__startswith=unit.path).count()
        client = self._client(Role.SUPERVISOR, self.province)

        def download():
            response = client.get(f"/documents/measures.xlsx?unit={unit.pk}")
            assert response.status_code == 200
            b"".join(response.streaming_content if response.streaming else [response.content])

        result = Result(f"xlsx export of the measure list ({rows:,} measures)")
        tracemalloc.start()
        download()
        result.peak_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        result.times, result.queries = _timed(download, runs)
        sql = """
            SELECT m.*, u.name, i.number, i.content, r.doc_number
            FROM reforms_measure m
            JOIN accounts_orgunit u ON u.id = m.unit_id
            JOIN recommendations_recommendationitem i ON i.id = m.item_id
            JOIN recommendations_recommendation r ON r.id = i.recommendation_id
            WHERE u.path LIKE %s ORDER BY m.due_on, m.id
        """
        result.bound, _queries = _timed(_raw(sql, [unit.path + "%"]), runs)
        return result

    def letter_pdf(self, runs: int) -> Result:
        """纪检监察建议书 with 13 items, as a PDF (no SQL bound: the time is the typesetting)."""
        letter = self._thirteen_item_letter()
        client = self._client(Role.DISCIPLINE_STAFF, self.province)
        result = Result("PDF of a 13-item recommendation")
        url = f"/documents/recommendations/{letter.pk}/letter.pdf"
        result.times, result.queries = _timed(self._page(client, url), runs)
        return result

    def large_ledger_pdf(self, size: int, runs: int) -> Result:
        """整改台账 of the real case's letter at ``size`` measures, made in one process as a
        request would (``documents.recommendation_ledger_pdf``: no request, no time budget)."""
        from oversight import documents

        staff = User.objects.get(role=Role.DISCIPLINE_STAFF, org_unit=self.province)
        letter = build_large_letter(staff=staff, unit=self._real_case_unit(), measures=size)
        result = Result(f"PDF ledger of a 13-item letter, {size:,} measures")
        budget, settings.DOCUMENT_TIME_BUDGET_SECONDS = settings.DOCUMENT_TIME_BUDGET_SECONDS, 0
        try:
            result.times, result.queries = _timed(
                lambda: documents.recommendation_ledger_pdf(staff, letter), runs
            )
        finally:
            settings.DOCUMENT_TIME_BUDGET_SECONDS = budget
        return result

    def _real_case_unit(self) -> OrgUnit:
        return (
            OrgUnit.objects.filter(path__startswith=self.city.path, kind="unit")
            .order_by("pk")
            .first()
        )

    def _thirteen_item_letter(self):
        from recommendations import services

        staff = User.objects.get(role=Role.DISCIPLINE_STAFF, org_unit=self.province)
        title = "关于规模测试十三项建议事项的纪检监察建议"
        existing = Recommendation.objects.filter(title=title).first()
        if existing:
            return existing
        case = (
            Case.objects.filter(commission=self.province).first()
            or Case.objects.filter(case_unit__path__startswith=self.province.path).first()
        )
        letter = services.recommendation_create(
            actor=staff,
            title=title,
            issuer=self.province,
            recipient_unit=case.case_unit,
            cases=[case],
            reply_due_on=self.today + datetime.timedelta(days=60),
            preamble="经查，该单位在工程建设领域存在制度漏洞和监管薄弱环节。现提出如下建议：",
        )
        problem = case.problems.first()
        for number in range(1, 14):
            services.recommendation_item_add(
                recommendation=letter,
                actor=staff,
                content=f"第{number}项：健全工程项目招投标、变更签证和资金拨付的全流程监管制度，"
                "明确责任分工，建立定期检查和问责机制，确保整改措施落到实处。",
                problems=[problem],
            )
        return services.recommendation_issue(recommendation=letter, actor=staff)

    def case_chain(self, runs: int) -> Result:
        case = (
            Case.objects.filter(case_unit__path__startswith=self.city.path).order_by("pk").first()
        )
        client = self._client(Role.DISCIPLINE_STAFF, self.province)
        result = Result("Case detail's closure chain (case → problems → items → measures)")
        result.times, result.queries = _timed(self._page(client, f"/chain/case/{case.pk}/"), runs)
        sql = """
            SELECT p.id, p.description, i.id, i.number, i.content, m.id, m.content, m.status,
                   m.due_on, m.is_standing,
                   (SELECT count(*) FROM reforms_evidence e WHERE e.measure_id = m.id)
            FROM cases_problem p
            LEFT JOIN recommendations_recommendationitem_problems ip ON ip.problem_id = p.id
            LEFT JOIN recommendations_recommendationitem i ON i.id = ip.recommendationitem_id
            LEFT JOIN reforms_measure m ON m.item_id = i.id
            WHERE p.case_id = %s
        """
        result.bound, _queries = _timed(_raw(sql, [case.pk]), runs)
        return result

    def cross_case(self, runs: int) -> list[Result]:
        """类案分析 over every case of the province (about 1,200 at --measures 40000): its page
        with every table, and the API's tables. Their queries do not grow with the cases."""
        staff = User.objects.filter(role=Role.DISCIPLINE_STAFF, org_unit=self.province).first()
        analysis = CrossCaseAnalysis.objects.filter(title=CROSS_CASE_TITLE).first()
        if analysis is None:
            analysis = crosscase.analysis_create(
                actor=staff, title=CROSS_CASE_TITLE, unit=self.province, mode="criteria"
            )
        client = Client()
        client.force_login(staff)
        cases = crosscase_tables.case_set(analysis, staff).count()
        page = Result(f"Cross-case analysis page, {cases:,} cases (every table)")
        page.times, page.queries = _timed(self._page(client, f"/analyses/{analysis.pk}/"), runs)
        api = Result(f"API: cross-case analysis tables, {cases:,} cases")
        api.times, api.queries = _timed(
            self._page(client, f"/api/v1/cross-case-analyses/{analysis.pk}/tables/"), runs
        )
        return [page, api]

    def scan(self, runs: int) -> Result:
        """The daily scan as on a database it never ran on: its first run writes the day's
        reminders, timed as it runs; the rest find them written, once the tables are analysed as
        autovacuum would soon after (without, the planner reads the new rows with the statistics
        of the empty table: steady runs twice as slow). Its memory is that of a first run too,
        under tracemalloc, which doubles the time of what it measures: another run, after the
        reminders are deleted again."""
        result = Result("Daily reminder scan (whole database)")
        self._forget_reminders()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            reminders.scan()
            first = time.perf_counter() - started
        result.queries = counter.count
        result.times = [first]
        self._vacuum_reminders()
        for _ in range(runs - 1):
            started = time.perf_counter()
            reminders.scan()
            result.times.append(time.perf_counter() - started)
        self._forget_reminders()
        tracemalloc.start()
        reminders.scan()
        result.peak_mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        result.name += f" — first run {first:,.1f} s"
        ladder = reminders.Ladder.on(self.today, reminders.ReminderPolicy.current())
        sql = """
            SELECT m.id, m.content, m.due_on, m.unit_id, m.owner_id, m.leader_id, u.party_head_id,
                   r.issuer_id
            FROM reforms_measure m
            JOIN accounts_orgunit u ON u.id = m.unit_id
            JOIN recommendations_recommendationitem i ON i.id = m.item_id
            JOIN recommendations_recommendation r ON r.id = i.recommendation_id
            WHERE NOT m.is_standing AND m.status IN ('not_started', 'in_progress', 'returned')
              AND m.due_on <= %s
        """
        result.bound, _queries = _timed(_raw(sql, [ladder.green_until]), runs)
        return result

    @classmethod
    def _forget_reminders(cls) -> None:
        """Delete every reminder and urging notice, in SQL: the ORM would fetch each of a
        province's 400,000 reminders for the audit log's delete signal (two minutes)."""
        notifications = Notification._meta.db_table
        digested = Digest.notifications.through._meta.db_table
        reminder = f"SELECT id FROM {notifications} WHERE kind = ANY(%s)"
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {digested} WHERE notification_id IN ({reminder})", [REMINDER_KINDS]
            )
            cursor.execute(f"DELETE FROM {notifications} WHERE kind = ANY(%s)", [REMINDER_KINDS])
            cursor.execute(f"DELETE FROM {UrgingNotice._meta.db_table}")
        cls._vacuum_reminders()  # dead tuples out of the way

    @staticmethod
    def _vacuum_reminders() -> None:
        with connection.cursor() as cursor:
            for table in (Notification._meta.db_table, UrgingNotice._meta.db_table):
                cursor.execute(f"VACUUM ANALYZE {table}")

    def scan_alone(self, runs: int, output: Path):
        """The scan alone, replacing its row of the output."""
        row = "| " + " | ".join(self.scan(runs).row()) + " |"
        self.stdout.write(row)
        if output.exists():
            lines = output.read_text().splitlines(keepends=True)
            lines = [
                row + "\n" if line.startswith("| Daily reminder scan") else line for line in lines
            ]
            output.write_text("".join(lines))
            self.stdout.write(self.style.SUCCESS(f"Written to {output}"))

    def lists_alone(self, runs: int, output: Path, check: bool):
        """The list paths alone, each replacing its row of the output."""
        results = [self.overdue_list(runs), self.api_list(runs)]
        rows = {result.name: "| " + " | ".join(result.row()) + " |" for result in results}
        self.stdout.write("\n".join(rows.values()))
        if output.exists():
            lines = output.read_text().splitlines(keepends=True)
            lines = [
                next(
                    (row + "\n" for name, row in rows.items() if line.startswith(f"| {name} |")),
                    line,
                )
                for line in lines
            ]
            output.write_text("".join(lines))
            self.stdout.write(self.style.SUCCESS(f"Written to {output}"))
        self.check_budget(results, check)

    # ── The real case: one letter of 13 items and ~1,200 measures ─────────────────────────────

    def real_case(self, size: int, runs: int):
        """The letter's documents in fresh processes, and its pages and statistics in this one."""
        staff = User.objects.get(role=Role.DISCIPLINE_STAFF, org_unit=self.province)
        started = time.perf_counter()
        letter = build_large_letter(staff=staff, unit=self._real_case_unit(), measures=size)
        built = time.perf_counter() - started
        self.stdout.write(f"Real-case letter {letter.doc_number}: {built:.1f} s")
        client = self._client(Role.DISCIPLINE_STAFF, self.province)
        rows = []

        def fresh(kinds, warm_up=False):
            command = [sys.executable, "manage.py", "bench_document", str(letter.pk)]
            command += [str(staff.pk), *kinds] + (["--warm-up"] if warm_up else [])
            output = subprocess.run(
                command, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
            ).stdout
            return json.loads(output.strip().splitlines()[-1])

        def document(name, made, limit, note=""):
            rows.append(
                Measured(name, [made["seconds"]], made["queries"], made["bytes"], limit, note=note)
            )

        cold = fresh(["ledger", "ledger"])
        parts = f"as a document job: up to {cold['processes']} parts at once"
        document(
            "Ledger PDF, first of a fresh process (cold, no warm-up)",
            cold["documents"][0],
            10,
            note=parts,
        )
        worker = fresh(["ledger"], warm_up=True)
        document(
            "Ledger PDF, first of a fresh worker (after its warm-up)",
            worker["documents"][0],
            10,
            note=f"{parts}; warm-up {worker['warm_up']:.1f} s",
        )
        document("Ledger PDF, warm (second in the process)", cold["documents"][1], 5, note=parts)
        letter_cold = fresh(["letter"])
        document(
            "Letter PDF, first of a fresh process (no warm-up)", letter_cold["documents"][0], 1.5
        )
        letter_worker = fresh(["letter"], warm_up=True)
        document(
            "Letter PDF, first of a fresh worker (after its warm-up)",
            letter_worker["documents"][0],
            1.5,
        )
        for name, url, limit_kb in (
            ("Chain page of the letter", f"/chain/recommendation/{letter.pk}/", 200),
            ("Recommendation page", f"/recommendations/{letter.pk}/", None),
            (
                "Statistics endpoint, the letter",
                f"/api/v1/statistics/?recommendation={letter.pk}",
                None,
            ),
            ("Statistics page, the letter", f"/statistics/?recommendation={letter.pk}", None),
        ):
            sizes = []

            def get(url=url, sizes=sizes):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                sizes.append(len(response.content))

            times, queries = _timed(get, runs)
            rows.append(Measured(name, times, queries, sizes[0], 0.3, limit_kb=limit_kb))
        return letter, Size.of(size), built, rows

    def render_real_case(self, letter, size: Size, built: float, rows: list[Measured]) -> str:
        header = ["path", "runs", "p50 ms", "p95 ms", "queries", "KB", "target", "verdict"]
        lines = [
            "",
            f"### The real case: one letter of 13 items, {size.measures:,} measures",
            "",
            f"Letter {letter.doc_number} (`benchmarks/large_letter.py`): 13 items, "
            f"{size.measures:,} measures, {size.problems:,} problems from four linked cases, "
            f"{size.rule_changes:,} rule changes, {size.activities:,} activities; built in "
            f"{built:.1f} s with bulk_create, in the {Measure.objects.count():,}-measure database "
            f"({self.today:%Y-%m-%d}, load average {os.getloadavg()[0]:.1f} when it began on "
            f"{os.cpu_count()} cores). Documents are made by `manage.py bench_document` "
            "in a new process each (one run: its first document, or the second for *warm*); "
            "pages from the test client as above. KB: the first response or the document. "
            "Verdicts read the p95.",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        lines += ["| " + " | ".join(row.row()) + " |" for row in rows]
        return "\n".join(lines) + "\n"

    # ── The cost of the cryptography: SM4-GCM and the SM3 hasher against no cipher ────────────

    def crypto(self, runs: int) -> list["Compared"]:
        """Sign-in, the hasher alone, a case page and the case list, after and before.

        Each ring reads only the rows written under it: each has its own unit of cases, written
        and deleted while it is in force. The two sides are timed in turns (after, before, before,
        after…), each call inside its side's settings, so a change of the machine's load weighs
        on both. The rows are deleted at the end (a value framed without a cipher left in the
        database would fail the check that opens stored values).
        """
        staff = User.objects.filter(role=Role.DISCIPLINE_STAFF, org_unit=self.province).first()
        client = Client()
        client.force_login(staff)
        sides = {
            "after": {"DATA_KEY_RING": settings.DATA_KEY_RING, "PASSWORD_HASHERS": SM3_FIRST},
            "before": {"DATA_KEY_RING": FRAMING_ONLY_RING, "PASSWORD_HASHERS": SHA256_FIRST},
        }
        fixtures = {}
        try:
            for side, side_settings in sides.items():
                with override_settings(**side_settings):
                    fixtures[side] = self._crypto_cases(side, staff)
            users = {side: self._sign_in_user(side, sides[side]) for side in sides}
            paths = {
                "sign_in": {side: self._sign_in(users[side]) for side in sides},
                "check": {
                    side: functools.partial(_check_password, users[side].password) for side in sides
                },
                "case": {
                    side: self._crypto_page(client, f"/cases/{case.pk}/", name)
                    for side, (unit, case, name) in fixtures.items()
                },
                "list": {
                    side: self._crypto_page(client, f"/cases/?unit={unit.pk}", case.number)
                    for side, (unit, case, name) in fixtures.items()
                },
                "search": {
                    side: self._crypto_page(
                        client, f"/cases/?{urlencode({'q': name})}", case.number
                    )
                    for side, (unit, case, name) in fixtures.items()
                },
                "read_case": {
                    side: functools.partial(_read_case, case)
                    for side, (unit, case, name) in fixtures.items()
                },
                "read_list": {
                    side: functools.partial(_read_list, unit)
                    for side, (unit, case, name) in fixtures.items()
                },
            }
            timed = {
                key: _in_turns({side: (sides[side], calls[side]) for side in sides}, runs)
                for key, calls in paths.items()
            }
            for side, user in users.items():
                stored = User.objects.values_list("password", flat=True).get(pk=user.pk)
                assert stored == user.password, f"{side}: the password was rehashed while timing"
        finally:
            for side, (unit, _case, _name) in fixtures.items():
                with override_settings(**sides[side]):
                    Case.objects.filter(case_unit=unit).delete()
        if isinstance(keyring(), FramingOnlyKeyRing):
            raise CommandError("The key ring was not restored.")  # pragma: no cover
        page = min(CRYPTO_CASES, PAGE_SIZE)
        names = {
            "sign_in": "Sign-in: POST /login/, a new session (password hash, session, audit)",
            "check": "Password check alone (`check_password`, "
            f"{PBKDF2SM3PasswordHasher.iterations:,} iterations)",
            "case": f"Case page: {CRYPTO_SUBJECTS} subjects, a 4-part analysis of "
            f"{CRYPTO_TEXT_CHARACTERS:,} characters each, a {CRYPTO_TEXT_CHARACTERS:,}-character "
            "summary",
            "list": f"Case list, a unit's first page ({page} rows: amount and summary opened)",
            "search": "Case list, search by a subject's full name (blind index, whole province)",
            "read_case": "The case page's sealed rows alone (ORM: the case, its subjects, its "
            f"analysis: {3 * CRYPTO_SUBJECTS + 6} values)",
            "read_list": f"A list page's rows alone (ORM: {page} cases, 2 values each)",
        }
        return [
            Compared(name, *timed[key]["after"], *timed[key]["before"])
            for key, name in names.items()
        ]

    def _sign_in_user(self, side: str, side_settings: dict) -> User:
        """The side's own user, its password set under the side's hashers (so that signing in
        under them does not rehash it)."""
        username = f"{SIGN_IN_USERNAME}-{side}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, role=Role.SUPERVISOR, org_unit=self.province)
        with override_settings(**side_settings):
            user.set_password(SIGN_IN_PASSWORD)
            user.must_change_password = False
            user.save(update_fields=["password", "must_change_password"])
        return user

    @staticmethod
    def _sign_in(user: User):
        """The sign-in page's POST, in a new client (a new session) each time."""
        url = reverse("login")

        def sign_in():
            client = Client()
            response = client.post(url, {"username": user.username, "password": SIGN_IN_PASSWORD})
            assert response.status_code == 302, response.status_code
            assert client.session.get("_auth_user_id") == str(user.pk)

        return sign_in

    @staticmethod
    def _last_child(parent: OrgUnit, name: str) -> OrgUnit:
        """A unit added after the parent's last child (the generated tree is not in name order,
        so treebeard's sorted ``add_child`` would collide with a sibling's path)."""
        last = (
            OrgUnit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .order_by("-path")
            .first()
        )
        fields = {"name": name, "kind": OrgUnit.Kind.UNIT, "sector": "construction"}
        if last is None:
            return OrgUnit.objects.get(pk=parent.pk).add_child(**fields)
        unit = OrgUnit.objects.create(path=last._inc_path(), depth=last.depth, **fields)
        OrgUnit.objects.filter(pk=parent.pk).update(numchild=F("numchild") + 1)
        return unit

    @staticmethod
    def _crypto_page(client: Client, url: str, expected: str):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert expected in response.content.decode(), (url, expected)

        return get

    def _crypto_cases(self, side: str, staff: User) -> tuple[OrgUnit, Case, str]:
        """The ring's unit with its cases written under the ring in force: each case with a
        summary, the first with its subjects and a full analysis. Returns the unit, that case
        and the full name of one of its subjects."""
        unit_name, number_prefix, surnames = CRYPTO_RINGS[side]
        unit = OrgUnit.objects.filter(path__startswith=self.city.path, name=unit_name).first()
        if unit is None:
            unit = self._last_child(self.city, unit_name)
        Case.objects.filter(case_unit=unit).delete()  # a run stopped half-way
        text = _text(CRYPTO_TEXT_CHARACTERS)
        cases = Case.objects.bulk_create(
            Case(
                number=f"{number_prefix}-{index:03d}",
                title=f"{CRYPTO_TITLE}某局工程项目受贿案（{index + 1}）",
                commission=self.province,
                case_unit=unit,
                sector="construction",
                level=Case.Level.CITY,
                amount=Decimal("1286400.00") + index * 1000,
                status=Case.Status.INVESTIGATING,
                opened_on=self.today - datetime.timedelta(days=index),
                summary=text,
                created_by=staff,
            )
            for index in range(CRYPTO_CASES)
        )
        case = cases[0]
        subjects = Subject.objects.bulk_create(
            Subject(
                case=case,
                name=surnames[index] + GIVEN_NAMES[index],
                position="市住房和城乡建设局原党组书记、局长" if index == 0 else "工程科科长",
                is_top_leader=index == 0,
                disposition="开除党籍、开除公职，涉嫌受贿犯罪移送检察机关依法审查起诉",
            )
            for index in range(CRYPTO_SUBJECTS)
        )
        CaseAnalysis.objects.create(
            case=case,
            trajectory=text,
            root_causes=text,
            loopholes=text,
            lessons=text,
            author=staff,
            completed_on=self.today,
        )
        return unit, case, subjects[-1].name

    def render_crypto(self, rows: list[Compared]) -> str:
        header = ["path", "runs", "after p50 ms", "after p95 ms", "before p50 ms", "before p95 ms"]
        header += ["ratio (p50)", "queries"]
        sign_in, check, case, listed, search, read_case, read_list = rows
        page = min(CRYPTO_CASES, PAGE_SIZE)
        lines = [
            "",
            CRYPTO_SECTION,
            "",
            f"`manage.py bench --crypto-only` in the {Measure.objects.count():,}-measure "
            f"database ({self.today:%Y-%m-%d}, load average {os.getloadavg()[0]:.1f} when it "
            f"began on {os.cpu_count()} cores). *After*: the project as configured — case "
            f"content sealed with SM4-GCM by `{settings.DATA_KEY_RING}`, passwords hashed with "
            "`pbkdf2_sm3`. *Before*: the same framing of every sealed value "
            "(`sm4gcm$none$<base64 of the clear text>`, `benchmarks.keyring.FramingOnlyKeyRing`, "
            "a benchmark-only ring) with no cipher, and passwords hashed with Django's "
            f"`pbkdf2_sha256`, at the same iteration count ({PBKDF2SM3PasswordHasher.iterations:,} "
            f"for both: the SM3 hasher takes Django's). Each ring "
            f"reads its own {CRYPTO_CASES} cases in a unit of their own, written under it and "
            "deleted after; the case is read by the province's discipline staff. The two sides "
            "are timed in turns (after, before, before, after…), so a change of load weighs on "
            "both. Pages from the test client as above; *ratio* = after p50 / before p50; "
            "queries: after / before when they differ.",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        lines += ["| " + " | ".join(row.row()) + " |" for row in rows]
        lines += [
            "",
            f"Reading it: the SM3 hasher costs {check.ratio:,.2f}× `pbkdf2_sha256` at the same "
            f"iteration count ({check.p50('after')} against {check.p50('before')} ms a check: "
            "OpenSSL's SM3 through `cryptography` against `hashlib`'s SHA-256), and the hash is "
            f"most of a sign-in: {sign_in.p50('after')} against {sign_in.p50('before')} ms "
            f"({sign_in.ratio:,.2f}×), once per session. Opening with SM4-GCM rather than "
            f"without a cipher changes the reading of the case page's "
            f"{3 * CRYPTO_SUBJECTS + 6} values by {read_case.delta()} ms "
            f"({read_case.ratio:,.2f}×) and of a list page's {2 * page} by "
            f"{read_list.delta()} ms ({read_list.ratio:,.2f}×): "
            f"within the pages' own run-to-run spread ({case.p50('after')} against "
            f"{case.p50('before')} ms for the case page, {listed.p50('after')} against "
            f"{listed.p50('before')} ms for the list, {search.p50('after')} against "
            f"{search.p50('before')} ms for the search by name), whose time goes elsewhere. "
            "*Before* is not the code before encryption (clear columns): it keeps the framing, "
            "the base64 and the blind index, so it isolates the cipher.",
        ]
        return "\n".join(lines) + "\n"

    # ── The report ───────────────────────────────────────────────────────────────────────────

    def render(self, results: list[Result], measures: int) -> str:
        header = [
            "hot path",
            "p50 ms",
            "p95 ms",
            "queries",
            "peak MB",
            "SQL bound ms",
            "ratio",
            "summary SQL ms",
            "ratio",
        ]
        lines = [
            "# Benchmarks",
            "",
            f"`make bench` on {measures:,} measures, {self.today:%Y-%m-%d}. {self._machine()}",
            "",
            "Times are wall-clock from a Django test client in the same process (views, "
            "templates and queries; no network). *SQL bound*: the hand-written SQL that computes "
            "the same numbers or rows from the base tables, timed in the same run; *ratio* = p50 "
            "/ bound. *Summary SQL*: for the dashboards, the hand-written SQL that reads the same "
            "numbers from the unit tally (`UnitTally`, a row a unit, `reforms/tally.py`), and p50 "
            "/ it. *Floor*: a request that does little more than sign the user in. Peak MB: Python "
            "allocations during the path (tracemalloc; for the scan, in a first run of its own, "
            "not the one timed).",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        lines += ["| " + " | ".join(result.row()) + " |" for result in results]
        return "\n".join(lines) + "\n"

    @staticmethod
    def _with_real_case(path: Path, section: str) -> str:
        """The output with its real-case section (generated, before the first ``## ``) replaced."""
        return Command._with_section(path, "### The real case", section)

    @staticmethod
    def _with_section(path: Path, heading: str, section: str) -> str:
        """The output with the generated section under ``heading`` (up to the next ``### ``, or
        the hand-written part from the first ``## ``) replaced, or added at the generated part's
        end; every other section kept."""
        previous = path.read_text() if path.exists() else ""
        end = previous.find("\n## ")
        generated, kept = (previous, "") if end < 0 else (previous[:end], previous[end:])
        start = generated.find("\n" + heading)
        after = ""
        if start >= 0:
            following = generated.find("\n### ", start + 1)
            after = "" if following < 0 else generated[following:]
            generated = generated[:start] + "\n"
        return generated.rstrip("\n") + "\n" + section + after + kept

    @staticmethod
    def _kept(path: Path) -> str:
        """The hand-written sections under the table (from its first ``## `` heading), kept."""
        previous = path.read_text() if path.exists() else ""
        start = previous.find("\n## ")
        return "" if start < 0 else previous[start:]

    def _machine(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        return f"Machine: {describe()}, PostgreSQL {postgres}."
