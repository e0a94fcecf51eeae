"""A province-sized data set for benchmarks: org tree, users, cases, problems, recommendations,
items, measures and progress reports, in the proportions real commissions report
(docs/benchmarks.md).

For ``measures`` = 1,000,000: ~5,000 org units (a province, 15 cities, 150 counties and their
units), 30,000 cases, 150,000 problems, 60,000 recommendations, 300,000 items, 1,000,000 measures
and 2,000,000 progress reports. Most measures are signed off; about 8 % are overdue, with a long
tail of old ones; units and sectors are uneven (a few units hold many measures, some sectors run
late more often).

Rows are written with PostgreSQL's COPY (batched inserts elsewhere) with ids assigned here, so no
row is read back; sequences are moved past them at the end.
"""

import datetime
import itertools
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import OrgUnit, Sector, User
from accounts.roles import Role
from cases.models import Case, Problem, ProcessStage
from recommendations.models import Recommendation, RecommendationItem
from reforms.models import Measure, ProgressReport

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CITIES = 15
COUNTIES_PER_CITY = 10
REPLY_WINDOW = datetime.timedelta(days=60)  # from a letter's issue to its reply deadline
# How much more often than average a sector's measures run late (uneven on purpose).
LATE_BY_SECTOR = {
    Sector.CONSTRUCTION: 1.9,
    Sector.HEALTHCARE: 1.3,
    Sector.STATE_ENTERPRISE: 1.2,
    Sector.RURAL_REVITALISATION: 1.1,
    Sector.NATURAL_RESOURCES: 1.0,
    Sector.WATER: 0.9,
    Sector.FINANCE: 0.8,
    Sector.ENVIRONMENT: 0.8,
    Sector.EDUCATION: 0.6,
    Sector.GRAIN: 0.7,
}
SECTORS = list(LATE_BY_SECTOR)
# The columns each table is written with, in the order of the generated rows.
USER_COLUMNS = [
    "id",
    "password",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "full_name",
    "title",
    "phone",
    "role",
    "org_unit_id",
    "must_change_password",
]
CASE_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "number",
    "title",
    "commission_id",
    "case_unit_id",
    "sector",
    "level",
    "amount",
    "status",
    "opened_on",
    "closed_on",
    "summary",
    "created_by_id",
]
PROBLEM_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "case_id",
    "unit_id",
    "category",
    "process_stage_id",
    "description",
]
RECOMMENDATION_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "kind",
    "title",
    "issuer_id",
    "recipient_unit_id",
    "recipient_name",
    "preamble",
    "copied_to",
    "status",
    "doc_year",
    "doc_serial",
    "doc_number",
    "issued_on",
    "reply_due_on",
    "created_by_id",
]
MEASURE_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "item_id",
    "unit_id",
    "content",
    "standard",
    "department",
    "owner_name",
    "leader_name",
    "is_standing",
    "original_due_on",
    "due_on",
    "status",
    "signed_off_on",
    "created_by_id",
]
REPORT_COLUMNS = [
    "id",
    "measure_id",
    "content",
    "percent_complete",
    "reported_by_id",
    "reported_at",
]
Status = Measure.Status
RecStatus = Recommendation.Status


def _step(number: int) -> str:
    """treebeard's materialised path step: four base-36 digits."""
    digits = ""
    for _ in range(4):
        number, remainder = divmod(number, 36)
        digits = ALPHABET[remainder] + digits
    return digits


@dataclass
class Unit:
    pk: int
    path: str
    kind: str
    sector: str
    commission: int  # the nearest commission at or above it
    weight: float = 1.0
    officer: int | None = None


class Writer:
    """Rows into a table: COPY on PostgreSQL, batched INSERTs on other databases."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
        columns, rows = _with_defaults(table, columns, rows)
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                names = ", ".join(columns)
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            for batch in _batched(rows, 5000):
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def sealed(model, field: str, value) -> str:
    """A value as its sealed column stores it (core/encryption), for rows written with COPY."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)


def _with_defaults(table: str, columns: list[str], rows: Iterable[tuple]):
    """The rows with every other NOT NULL column of the table's model at its default (a text
    field's is ""), so a column added to a model later does not break the generator."""
    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return columns, rows
    missing = [
        field
        for field in model._meta.concrete_fields
        if field.column not in columns
        and not field.null
        and not field.primary_key
        and (field.has_default() or field.empty_strings_allowed)
    ]
    if not missing:
        return columns, rows
    defaults = tuple(field.get_default() for field in missing)
    return [*columns, *(field.column for field in missing)], ((*row, *defaults) for row in rows)


def _batched(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class Generator:
    def __init__(
        self,
        measures: int,
        *,
        seed: int = 2026,
        today: datetime.date | None = None,
        units: int | None = None,
    ):
        self.measures = measures
        # Units under the commissions: by default one for every 200 measures; a fixed number
        # compares sizes of one province (the growth curve of ``make bench``).
        self.units = units or max(200, measures // 200)
        self.random = random.Random(seed)
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.writer = Writer()
        self.next_id = {}
        self.counts: dict[str, int] = {}

    def ids(self, model, count: int) -> range:
        start = self.next_id.get(model)
        if start is None:
            start = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.next_id[model] = start + count
        return range(start, start + count)

    # ── The tree and its people ──────────────────────────────────────────────────────────────

    def org_tree(self) -> list[Unit]:
        """A province commission, cities, counties, and units under each level."""
        total_units = self.units
        root_path = _step(self._next_root())
        units: list[Unit] = []
        ids = iter(self.ids(OrgUnit, 1 + CITIES + CITIES * COUNTIES_PER_CITY + total_units))
        rows = []

        def add(path, kind, name, sector, commission=None, doc_abbr=""):
            pk = next(ids)
            unit = Unit(pk, path, kind, sector, commission or pk)
            units.append(unit)
            rows.append([pk, path, len(path) // 4, 0, name, kind, doc_abbr, sector])
            return unit

        province = add(
            root_path, OrgUnit.Kind.COMMISSION, "规模测试省纪委监委", "", doc_abbr="规省纪"
        )
        levels = [(province, "省")]
        children = defaultdict(int)

        def child_path(parent: Unit) -> str:
            children[parent.pk] += 1
            return parent.path + _step(children[parent.pk])

        for c in range(1, CITIES + 1):
            city = add(
                child_path(province),
                OrgUnit.Kind.COMMISSION,
                f"第{c}市纪委监委",
                "",
                None,
                f"规{c}纪",
            )
            levels.append((city, f"{c}市"))
            for k in range(1, COUNTIES_PER_CITY + 1):
                county = add(
                    child_path(city),
                    OrgUnit.Kind.COMMISSION,
                    f"第{c}市第{k}县纪委监委",
                    "",
                    None,
                    f"规{c}-{k}纪",
                )
                levels.append((county, f"{c}市{k}县"))
        # Units: most under counties, fewer under cities and the province.
        weights = [
            20 if len(level.path) == 12 else 8 if len(level.path) == 8 else 30
            for level, _ in levels
        ]
        for n in range(1, total_units + 1):
            parent, place = self.random.choices(levels, weights=weights)[0]
            sector = self.random.choice(SECTORS)
            unit = add(
                child_path(parent),
                OrgUnit.Kind.UNIT,
                f"{place}{Sector(sector).label}单位{n}",
                sector,
                parent.pk,
            )
            unit.weight = self.random.paretovariate(1.3)  # a few units hold many measures
        for row in rows:
            row[3] = children.get(row[0], 0)
        self.counts["org units"] = self.writer.write(
            "accounts_orgunit",
            ["id", "path", "depth", "numchild", "name", "kind", "doc_abbr", "sector"],
            (tuple(row) for row in rows),
        )
        return units

    def _next_root(self) -> int:
        last = OrgUnit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True)
        first = last.first()
        return 1 if first is None else int(first, 36) + 1

    def people(self, units: list[Unit]) -> dict[int, int]:
        """Staff and a supervisor at each commission, an officer in each unit; the staff ids."""
        commissions = [unit for unit in units if unit.kind == OrgUnit.Kind.COMMISSION]
        accounts = []
        for unit in commissions:
            accounts += [(unit, Role.DISCIPLINE_STAFF, "staff"), (unit, Role.SUPERVISOR, "sup")]
        accounts += [(unit, Role.UNIT_OFFICER, "officer") for unit in units if unit.kind == "unit"]
        ids = self.ids(User, len(accounts))
        staff = {}
        rows = []
        for pk, (unit, role, prefix) in zip(ids, accounts, strict=True):
            if role == Role.DISCIPLINE_STAFF:
                staff[unit.pk] = pk
            rows.append(
                (
                    *(pk, "!", False, f"scale-{prefix}-{unit.pk}", "", "", "", False, True),
                    *(self.now, "", "", "", role, unit.pk, False),
                )
            )
        self.counts["users"] = self.writer.write(
            "accounts_user",
            USER_COLUMNS,
            rows,
        )
        return staff

    # ── Cases and recommendations ────────────────────────────────────────────────────────────

    def cases(self, units: list[Unit], staff: dict[int, int]) -> list[tuple]:
        """(case id, unit, opened_on, problem ids) for each case."""
        case_units = [unit for unit in units if unit.kind == OrgUnit.Kind.UNIT]
        weights = [unit.weight for unit in case_units]
        count = max(10, self.measures * 3 // 100)
        case_ids = self.ids(Case, count)
        stages = list(ProcessStage.objects.values_list("pk", flat=True))
        cases, case_rows, problem_rows = [], [], []
        problem_ids = iter(self.ids(Problem, count * 5))
        for pk, unit in zip(
            case_ids, self.random.choices(case_units, weights, k=count), strict=True
        ):
            opened = self.today - datetime.timedelta(days=self.random.randint(120, 4 * 365))
            closed = min(opened + datetime.timedelta(days=self.random.randint(60, 240)), self.today)
            case_rows.append(
                (
                    *(pk, self.now, self.now, f"规案-{pk}", f"第{pk}号案件", unit.commission),
                    *(unit.pk, unit.sector, Case.Level.SECTION, sealed(Case, "amount", 0)),
                    *(Case.Status.CLOSED, opened, closed, sealed(Case, "summary", "")),
                    staff[unit.commission],
                )
            )
            problems = []
            for n in range(5):
                problem = next(problem_ids)
                problems.append(problem)
                problem_rows.append(
                    (
                        *(problem, self.now, self.now, pk, unit.pk, list(Problem.Category)[n % 3]),
                        *(self.random.choice(stages), f"第{pk}号案件暴露的问题{n + 1}"),
                    )
                )
            cases.append((pk, unit, closed, problems))
        self.counts["cases"] = self.writer.write(
            "cases_case",
            CASE_COLUMNS,
            case_rows,
        )
        self.counts["problems"] = self.writer.write(
            "cases_problem",
            PROBLEM_COLUMNS,
            problem_rows,
        )
        return cases

    def recommendations(self, cases: list[tuple], staff: dict[int, int]) -> list[tuple]:
        """Two letters per case, five items each; (item id, unit, issued_on) for each item."""
        serials = defaultdict(int)
        recommendation_rows, link_rows, item_rows, problem_links = [], [], [], []
        items = []
        recommendation_ids = iter(self.ids(Recommendation, len(cases) * 2))
        item_ids = iter(self.ids(RecommendationItem, len(cases) * 10))
        abbreviations = dict(
            OrgUnit.objects.filter(kind="commission").values_list("pk", "doc_abbr")
        )
        for case_id, unit, closed, problems in cases:
            for letter in range(2):
                pk = next(recommendation_ids)
                issued = min(closed + datetime.timedelta(days=30 + 90 * letter), self.today)
                year = issued.year
                serials[(unit.commission, year)] += 1
                serial = serials[(unit.commission, year)]
                abbr = abbreviations.get(unit.commission, "规纪")
                reply_due = issued + REPLY_WINDOW
                age = (self.today - issued).days
                status = (
                    RecStatus.EVALUATED
                    if age > 540
                    else RecStatus.CLOSED
                    if age > 400
                    else RecStatus.RECTIFYING
                    if age > 30
                    else RecStatus.ISSUED
                )
                recommendation_rows.append(
                    (
                        *(pk, self.now, self.now, Recommendation.Kind.LETTER),
                        *(f"关于第{case_id}号案件的建议", unit.commission, unit.pk, "", "", ""),
                        *(status, year, serial, f"{abbr}建〔{year}〕{serial}号", issued, reply_due),
                        staff[unit.commission],
                    )
                )
                link_rows.append((pk, case_id))
                for number in range(1, 6):
                    item = next(item_ids)
                    item_rows.append((item, pk, number, f"建议事项{number}：健全制度、堵塞漏洞"))
                    problem_links.append((item, problems[number - 1]))
                    items.append((item, unit, issued))
        self.counts["recommendations"] = self.writer.write(
            "recommendations_recommendation",
            RECOMMENDATION_COLUMNS,
            recommendation_rows,
        )
        self.writer.write(
            "recommendations_recommendation_cases", ["recommendation_id", "case_id"], link_rows
        )
        self.counts["items"] = self.writer.write(
            "recommendations_recommendationitem",
            ["id", "recommendation_id", "number", "content"],
            item_rows,
        )
        self.writer.write(
            "recommendations_recommendationitem_problems",
            ["recommendationitem_id", "problem_id"],
            problem_links,
        )
        return items

    # ── Measures and their progress ─────────────────────────────────────────────────────────

    def measure_rows(self, items: list[tuple], staff: dict[int, int]) -> Iterator[tuple]:
        """Each measure as a row; its progress reports are queued in ``self.reports``."""
        ids = iter(self.ids(Measure, self.measures))
        self.report_ids = iter(self.ids(ProgressReport, self.measures * 2))
        self.reports: list[tuple] = []
        for n in range(self.measures):
            item, unit, issued = items[n % len(items)]
            pk = next(ids)
            due = issued + datetime.timedelta(days=self.random.randint(30, 360))
            standing = self.random.random() < 0.03
            if standing:  # the placeholder its letter's reply deadline is (services.MeasurePlan)
                due = issued + REPLY_WINDOW
            status, signed = self._fate(unit, due, standing)
            self._progress(pk, issued, due, status, unit)
            yield (
                *(pk, self.now, self.now, item, unit.pk, f"整改措施{pk}", "形成制度文件并执行到位"),
                *("办公室", "责任人", "分管领导", standing, due, due, status, signed),
                staff[unit.commission],
            )

    def _fate(self, unit: Unit, due: datetime.date, standing: bool):
        """Status and sign-off date: most signed off; ~8 % overdue overall, old ones included."""
        if due >= self.today or standing:
            status = self.random.choice(
                [
                    Status.NOT_STARTED,
                    Status.IN_PROGRESS,
                    Status.IN_PROGRESS,
                    Status.AWAITING_SIGNOFF,
                ]
            )
            return status, None
        late = 0.11 * LATE_BY_SECTOR.get(unit.sector, 1.0)
        if self.random.random() < late:
            return self.random.choice(
                [Status.IN_PROGRESS, Status.RETURNED, Status.NOT_STARTED]
            ), None
        signed = due - datetime.timedelta(days=self.random.randint(0, 25))
        return Status.SIGNED_OFF, max(signed, due - datetime.timedelta(days=300))

    def _progress(self, measure: int, issued, due, status, unit: Unit) -> None:
        start = datetime.datetime.combine(issued, datetime.time(10), tzinfo=datetime.UTC)
        span = max((min(due, self.today) - issued).days, 2)
        for step, percent in ((1, 50), (2, 100 if status == Status.SIGNED_OFF else 80)):
            when = start + datetime.timedelta(days=span * step // 3)
            self.reports.append(
                (next(self.report_ids), measure, f"第{step}次进展报告", percent, unit.officer, when)
            )

    def generate(self) -> dict[str, int]:
        with transaction.atomic():
            units = self.org_tree()
            staff = self.people(units)
            officers = dict(
                User.objects.filter(
                    role=Role.UNIT_OFFICER, org_unit_id__in=[u.pk for u in units]
                ).values_list("org_unit_id", "pk")
            )
            for unit in units:
                unit.officer = officers.get(unit.pk)
            cases = self.cases(units, staff)
            items = self.recommendations(cases, staff)
            self.counts["measures"] = 0
            self.counts["progress reports"] = 0
            rows = self.measure_rows(items, staff)
            for batch in _batched(rows, 50_000):
                self.counts["measures"] += self.writer.write(
                    "reforms_measure", MEASURE_COLUMNS, batch
                )
                self.counts["progress reports"] += self.writer.write(
                    "reforms_progressreport", REPORT_COLUMNS, self.reports
                )
                self.reports = []
            self._reset_sequences()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return self.counts

    def _reset_sequences(self) -> None:
        models = [OrgUnit, User, Case, Problem, Recommendation, RecommendationItem, Measure]
        models.append(ProgressReport)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
