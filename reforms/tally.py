"""Counts of measures kept, not recomputed (the tally): what they mean, how they are read, and
how they are checked.

**How they are kept.** ``MeasureTally`` holds, per unit, status and *band*, how many measures
there are. Database triggers on ``reforms_measure`` (migration ``0014``: statement triggers on
PostgreSQL, row triggers on SQLite) add and subtract in the same transaction as every insert,
update and delete — services, the back office, imports, bulk API calls, ``QuerySet.update`` and
the scale generator's ``COPY`` alike — so no write path can forget them.

**Bands, and the date.** A measure's colour changes with the date alone: at midnight one due
yesterday falls overdue. The tally therefore counts by bands of due dates relative to one day,
``TallyBasis.as_of`` (standing; more than 90, 31–90, 8–30 and 1–7 days overdue; due today;
due within the warning window; later), and the nightly ``roll`` recounts it from the measures for
the new day. Counting by each due date instead would make "overdue today" a sum over dates with
no nightly step, but a unit's measures spread over hundreds of due dates, so such a tally would
hold nearly a row per measure and save nothing. Until the day's roll has run (and whenever the
warning window or the aging buckets differ from those it was counted with), ``is_current`` is
false and the readers count the measures themselves, which is slower and as exact.

**Per unit.** ``UnitTally`` holds a unit's tally rows in one: its open and signed-off measures
in each band and its measures in each open status, kept by triggers on the tally (migrations
``0020``, ``0021``, ``0023``). A dashboard and the statistics read it, one row a unit, where the
tally holds up to 40 (``Source.unit_rows``, ``Source.by_status``).

**Checked.** ``roll`` first recounts the tally for the day it was kept for, with the ORM
expression ``band_of`` below — written apart from the triggers' SQL on purpose — and reports any
difference (there should be none) before it recounts for the new day; the unit tally it checks
against the tally, and mends.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import reduce
from operator import add

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from accounts.models import OrgUnit
from accounts.scoping import subtree_q
from core import tallies

from .models import (
    AGING_BUCKETS,
    Measure,
    MeasureTally,
    Signal,
    TallyBasis,
    UnitTally,
    WorkGroup,
    work_group_q,
)

logger = logging.getLogger(__name__)

Band = MeasureTally.Band
Status = Measure.Status

# The overdue bands by the aging bucket they are (``reforms.models.AGING_BUCKETS``), oldest first.
AGING_BANDS = {"90+": Band.OVER_90, "31-90": Band.OVER_30, "8-30": Band.OVER_7, "1-7": Band.OVERDUE}
OVERDUE_BANDS = tuple(AGING_BANDS.values())
DUE_BY_TODAY = (*OVERDUE_BANDS, Band.DUE_TODAY)  # not standing, due on or before the day
DUE_SOON_BANDS = (Band.DUE_TODAY, Band.DUE_SOON)


def basis(as_of: datetime.date) -> dict:
    """The basis of a tally counted on ``as_of``: the due dates its bands start from."""
    before = {
        key: as_of - datetime.timedelta(days=AGING_BUCKETS[key][0] - 1)
        for key in ("90+", "31-90", "8-30")
    }
    return {
        "as_of": as_of,
        "over_90_before": before["90+"],
        "over_30_before": before["31-90"],
        "over_7_before": before["8-30"],
        "soon_until": as_of + datetime.timedelta(days=settings.WARNING_WINDOW_DAYS),
    }


def band_of(as_of: datetime.date) -> Case:
    """A measure's band on ``as_of`` as an ORM expression (the triggers write their own)."""
    bounds = basis(as_of)
    return Case(
        When(is_standing=True, then=Value(Band.STANDING)),
        When(due_on__lt=bounds["over_90_before"], then=Value(Band.OVER_90)),
        When(due_on__lt=bounds["over_30_before"], then=Value(Band.OVER_30)),
        When(due_on__lt=bounds["over_7_before"], then=Value(Band.OVER_7)),
        When(due_on__lt=as_of, then=Value(Band.OVERDUE)),
        When(due_on=as_of, then=Value(Band.DUE_TODAY)),
        When(due_on__lte=bounds["soon_until"], then=Value(Band.DUE_SOON)),
        default=Value(Band.LATER),
        output_field=IntegerField(),
    )


def is_current(today: datetime.date) -> bool:
    """The tally is counted for ``today`` with today's warning window and aging buckets."""
    return TallyBasis.objects.filter(pk=1, **basis(today)).exists()


# ── Reading: the same names from the tally and from the measures ─────────────────────────────

_signed = Q(status=Status.SIGNED_OFF)
# The colour code on the tally's rows (``Measure.signal()`` on a measure's).
COLOURS = {
    Signal.RED: ~_signed & Q(band__in=OVERDUE_BANDS),
    Signal.YELLOW: ~_signed & Q(band__in=DUE_SOON_BANDS),
    Signal.BLUE: ~_signed & Q(band=Band.STANDING),
    # The rest: signed off, or open and due after the warning window.
    Signal.GREEN: _signed | Q(band=Band.LATER),
}


_returned = Q(status=Status.RETURNED)
# The officer's groups on the tally's rows (``reforms.models.work_group_q`` on a measure's).
WORK_GROUPS = {
    WorkGroup.RETURNED: _returned,
    WorkGroup.OVERDUE: ~_returned & COLOURS[Signal.RED],
    WorkGroup.DUE_SOON: ~_returned & COLOURS[Signal.YELLOW],
    WorkGroup.LATER: ~_signed & ~_returned & ~Q(band__in=(*OVERDUE_BANDS, *DUE_SOON_BANDS)),
}


def _tally_sums() -> dict:
    def n(condition: Q | None = None) -> Sum:
        return Sum("n", filter=condition, default=0)

    open_ = ~_signed
    return {
        "total": n(),
        "open": n(open_),
        "standing": n(COLOURS[Signal.BLUE]),
        "overdue": n(COLOURS[Signal.RED]),
        "due_soon": n(COLOURS[Signal.YELLOW]),
        "signed_off": n(_signed),
        "due": n(Q(band__in=DUE_BY_TODAY)),
        "due_signed": n(_signed & Q(band__in=DUE_BY_TODAY)),
        **{f"aged_{key}": n(open_ & Q(band=band)) for key, band in AGING_BANDS.items()},
        **{_grouped(group): n(WORK_GROUPS[group]) for group in WorkGroup},
    }


def _grouped(group: WorkGroup) -> str:
    return f"group_{group.value}"


def _measure_counts(today: datetime.date) -> dict:
    """The same numbers counted from the measures; ``band_of`` and the colour code's querysets
    agree on every one (``tests/reforms/test_tally.py``)."""
    band = band_of(today)

    def n(condition: Q | None = None) -> Count:
        return Count("pk", filter=condition)

    def in_bands(*bands) -> Q:
        return Q(_band__in=bands)

    open_ = ~_signed
    return {
        "_band": band,
        "total": n(),
        "open": n(open_),
        "standing": n(open_ & Q(is_standing=True)),
        "overdue": n(open_ & in_bands(*OVERDUE_BANDS)),
        "due_soon": n(open_ & in_bands(*DUE_SOON_BANDS)),
        "signed_off": n(_signed),
        "due": n(in_bands(*DUE_BY_TODAY)),
        "due_signed": n(_signed & in_bands(*DUE_BY_TODAY)),
        **{f"aged_{key}": n(open_ & Q(_band=band)) for key, band in AGING_BANDS.items()},
        **{_grouped(group): n(work_group_q(group, today)) for group in WorkGroup},
    }


# What a dashboard reads of each unit; the officers' groups are summed only for the home page.
COUNTS = tuple(name for name in _tally_sums() if not name.startswith("group_"))


def _column(signed: bool, band: Band) -> str:
    """The ``UnitTally`` column of the open or signed-off measures in ``band``."""
    return f"{'signed' if signed else 'open'}_{band.name.lower()}"


# The ``UnitTally`` column of the measures in each open status (the signed-off ones are its
# ``signed_<band>`` columns).
STATUS_COLUMNS = {status: f"status_{status}" for status in Status if status != Status.SIGNED_OFF}
UNIT_COLUMNS = (
    *(_column(signed, band) for signed in (False, True) for band in Band),
    *STATUS_COLUMNS.values(),
)


def _unit_tally_counts() -> dict:
    """``COUNTS`` as sums of a ``UnitTally`` row's columns."""

    def n(bands=tuple(Band), *, open_=True, signed=True) -> F:
        kinds = [kind for kind, wanted in ((False, open_), (True, signed)) if wanted]
        return reduce(add, (F(_column(kind, band)) for kind in kinds for band in bands))

    return {
        "total": n(),
        "open": n(signed=False),
        "standing": n([Band.STANDING], signed=False),
        "overdue": n(OVERDUE_BANDS, signed=False),
        "due_soon": n(DUE_SOON_BANDS, signed=False),
        "signed_off": n(open_=False),
        "due": n(DUE_BY_TODAY),
        "due_signed": n(DUE_BY_TODAY, open_=False),
        **{f"aged_{key}": n([band], signed=False) for key, band in AGING_BANDS.items()},
    }


@dataclass
class Source:
    """Where a reader's numbers come from: the tally when it is current, else the measures."""

    queryset: object
    aggregates: dict
    units: object = None  # the same scope's ``UnitTally`` rows, when the tally is current

    def rows(self, *fields: str) -> list[dict]:
        """One dict of ``COUNTS`` per value of ``fields`` (``unit``, ``status``…)."""
        sums = {name: self.aggregates[name] for name in COUNTS}
        names = (*fields, *COUNTS)
        grouped = self._banded().values(*fields).annotate(**sums).values_list(*names).order_by()
        return _fetched(grouped, names)

    def unit_rows(self, *unit_fields: str) -> list[dict]:
        """``rows("unit")``: from the unit tally when the tally is current, one row a unit; with
        the unit's ``unit_fields`` (``name``, ``path``…) beside its ``unit`` (the pk)."""
        if self.units is None:
            return _with_units(self.rows("unit"), unit_fields)
        joined = [f"unit__{name}" for name in unit_fields]
        numbers = self.units.annotate(**_unit_tally_counts())
        # Units whose measures are all gone keep a row of zeros.
        rows = numbers.filter(total__gt=0).values_list("unit", *joined, *COUNTS).order_by()
        # Read with the unit's columns: a province's ~4,600 units read apart took a query more
        # and their own conversion, as long again as the numbers.
        return _fetched(rows, ("unit", *unit_fields, *COUNTS))

    def by_status(self) -> tuple[dict, dict]:
        """The selection's ``COUNTS``, and how many of its measures are in each status
        (``{status: n}``, every status): summed over the unit tally when the tally is current (a
        row a unit, where the tally by status holds up to 40), else counted by status."""
        if self.units is None:
            rows = self.rows("status")
            totals = {name: sum(row[name] for row in rows) for name in COUNTS}
            counted = {row["status"]: row["total"] for row in rows}
            return totals, {status: counted.get(status, 0) for status in Status}
        numbers = {name: Sum(sum_, default=0) for name, sum_ in _unit_tally_counts().items()}
        statuses = {status: Sum(column, default=0) for status, column in STATUS_COLUMNS.items()}
        sums = self.units.aggregate(**numbers, **statuses)
        totals = {name: sums[name] for name in COUNTS}
        by_status = {status: sums[status] for status in statuses}
        return totals, by_status | {Status.SIGNED_OFF: totals["signed_off"]}

    def work_groups(self) -> dict:
        """How many measures each ``WorkGroup`` holds, by the group's value."""
        sums = {group.value: self.aggregates[_grouped(group)] for group in WorkGroup}
        return self._banded().aggregate(**sums)

    def _banded(self):
        """The selection, with each measure's band when it is counted from the measures."""
        if "_band" in self.aggregates:
            return self.queryset.alias(_band=self.aggregates["_band"])
        return self.queryset


def _with_units(rows: list[dict], unit_fields: tuple) -> list[dict]:
    """``rows`` with their unit's ``unit_fields`` (counted from the measures, grouped by the
    unit's id alone: grouped by its columns too, the counts take four times as long)."""
    if unit_fields:
        units = OrgUnit.objects.in_bulk([row["unit"] for row in rows])
        for row in rows:
            row.update({name: getattr(units[row["unit"]], name) for name in unit_fields})
    return rows


def _fetched(queryset, names: tuple) -> list[dict]:
    """``queryset``'s rows as dicts of ``names``, read from the cursor: a province's dashboard
    reads twelve sums for each of ~4,600 units, and the ORM's conversion of each value was an
    eighth of that read."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def source(user, today: datetime.date, where: Q | None = None) -> Source:
    """The numbers of the user's measures on ``today``, from the tally when it is current.

    ``where`` selects by unit only (``unit``, ``unit__path``, ``unit__sector``…): the tally and
    the measures both reach their unit by ``unit``, so the one condition serves either."""
    where = where or Q()
    if is_current(today):
        # Rows emptied since the last roll would make a unit without measures show up.
        held = MeasureTally.objects.restrict(user).filter(where).exclude(n=0)
        return Source(held, _tally_sums(), UnitTally.objects.restrict(user).filter(where))
    return counted(Measure.objects.restrict(user).filter(where), today)


def counted(measures, today: datetime.date) -> Source:
    """The numbers of ``measures`` (any selection) on ``today``, counted from them."""
    return Source(measures, _measure_counts(today))


# ── The measure list's count ─────────────────────────────────────────────────────────────────


# The measure list's filters the tally holds (``MeasureFilter``'s names, cleaned values), as
# conditions on its rows; ``None``: that value is not one of them. The list's own conditions are
# ``MeasureQuerySet``'s: ``tests/reforms/test_tally.py`` proves the two counts equal.
LIST_CONDITIONS = {
    "unit": lambda unit: subtree_q("unit", unit.path) if isinstance(unit, OrgUnit) else None,
    "sector": lambda sector: Q(unit__sector=sector),
    "status": lambda status: Q(status=status),
    "is_open": lambda is_open: ~_signed if is_open else _signed,
    "signal": COLOURS.__getitem__,
    "overdue": lambda against: COLOURS[Signal.RED] if against == "current" else None,
    "aging": lambda key: ~_signed & Q(band=AGING_BANDS[key]),
    "is_standing": lambda standing: Q(band=Band.STANDING) if standing else ~Q(band=Band.STANDING),
    "group": WORK_GROUPS.__getitem__,
    "ordering": lambda _ordering: Q(),
}


def list_count(measures, user, today: datetime.date, chosen: dict) -> int | None:
    """How many measures a list of ``measures`` holds with the filters ``chosen`` (name: cleaned
    value), summed from the tally; ``None`` — the list counts its rows — unless ``measures`` is
    the user's whole scope, every filter is one the tally holds (not a search, a letter,
    dates…) and the tally is current.

    A province's unfiltered list counted its million rows on every page (62 ms)."""
    where = Q()
    for name, value in chosen.items():
        condition = LIST_CONDITIONS[name](value) if name in LIST_CONDITIONS else None
        if condition is None:
            return None
        where &= condition
    if _selection(measures) != _selection(Measure.objects.restrict(user)):
        return None
    kept = MeasureTally.objects.restrict(user).filter(where).order_by()
    total = kept.annotate(one=Value(1)).values("one").annotate(n=Sum("n")).values("n")
    # One query, as the count it replaces: the sum, on the basis's row when it is today's.
    current = TallyBasis.objects.filter(pk=1, **basis(today))
    return current.annotate(n=Coalesce(Subquery(total), 0)).values_list("n", flat=True).first()


def _selection(measures) -> tuple:
    """The SQL that selects ``measures``' ids, whatever they are joined to or ordered by."""
    return measures.order_by().values("pk").query.sql_with_params()


# ── Keeping: the nightly roll, the recount and the drift ──────────────────────────────────────


KEY = ("unit", "status", "band")


def recount(as_of: datetime.date) -> dict:
    """``{(unit, status, band): n}`` counted from the measures for ``as_of``."""
    rows = (
        Measure.objects.annotate(band=band_of(as_of))
        .values_list("unit", "status", "band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(unit, status, band): n for unit, status, band, n in rows}


def kept() -> dict:
    """``{(unit, status, band): n}`` as the tally holds it (empty rows left out)."""
    return tallies.kept(MeasureTally, KEY)


def drift(expected: dict, held: dict, key_names=KEY) -> list[dict]:
    """Each key where the tally holds another number than the measures give (or the unit tally
    than the tally's rows, ``key_names`` ``("unit", "column")``)."""
    return tallies.drift(expected, held, key_names)


def unit_kept() -> dict:
    """``{(unit, column): n}`` as the unit tally holds it (zeros left out)."""
    return {
        (row[0], column): n
        for row in UnitTally.objects.values_list("unit", *UNIT_COLUMNS)
        for column, n in zip(UNIT_COLUMNS, row[1:], strict=True)
        if n
    }


def unit_expected() -> dict:
    """``{(unit, column): n}`` summed from the tally's rows."""
    expected: dict = {}
    for (unit, status, band), n in kept().items():
        columns = [_column(status == Status.SIGNED_OFF, Band(band)), STATUS_COLUMNS.get(status)]
        for column in filter(None, columns):
            expected[unit, column] = expected.get((unit, column), 0) + n
    return {key: n for key, n in expected.items() if n}


def unit_drift() -> list[dict]:
    """Each unit tally column that differs from the sum of the tally's rows."""
    return drift(unit_expected(), unit_kept(), ("unit", "column"))


def _mend_units(expected: dict, held: dict) -> list[dict]:
    """Make the drifted units' rows hold what the tally's rows add up to (``unit_expected``);
    returns the drift found."""
    found = drift(expected, held, ("unit", "column"))
    for unit in sorted({row["unit"] for row in found}):
        numbers = {column: expected.get((unit, column), 0) for column in UNIT_COLUMNS}
        UnitTally.objects.update_or_create(unit_id=unit, defaults=numbers)
    return found


@dataclass
class Roll:
    previous: datetime.date | None
    as_of: datetime.date
    rows: int
    drift: list


def roll(as_of: datetime.date) -> Roll:
    """Check the tally against the measures for the day it was kept for, then recount it for
    ``as_of``, in one transaction while measure writes wait (about a second a million); then
    check the unit tally against it, and mend it. ``drift`` holds what either check found.

    Only the rows whose number changes are written (the measures that crossed a band's edge
    overnight, and empty rows dropped), so a roll leaves few dead rows behind."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait; the recount sees every committed measure and nothing half-written.
            cursor.execute("LOCK TABLE reforms_measure IN SHARE MODE")
        previous = TallyBasis.objects.filter(pk=1).first()
        found = drift(recount(previous.as_of), kept()) if previous else []
        TallyBasis.objects.update_or_create(pk=1, defaults=basis(as_of))
        counted = recount(as_of)
        _write(counted, cursor)
        # The unit tally followed the writes above through its triggers; it is checked after.
        units_found = _mend_units(unit_expected(), unit_kept())
    found += units_found
    if found:
        logger.error("The measure tally drifted from the measures: %s", found[:20])
    return Roll(previous.as_of if previous else None, as_of, len(counted), found)


def _write(counted: dict, cursor) -> None:
    """Make the tally hold ``counted`` exactly, touching only the rows that differ."""
    held = {
        (unit, status, band): (pk, n)
        for pk, unit, status, band, n in MeasureTally.objects.values_list(
            "pk", "unit", "status", "band", "n"
        )
    }
    gone = [pk for key, (pk, _n) in held.items() if not counted.get(key)]
    changed = [
        MeasureTally(pk=held[key][0], n=n)
        for key, n in counted.items()
        if key in held and held[key][1] != n
    ]
    new = [
        MeasureTally(unit_id=unit, status=status, band=band, n=n)
        for (unit, status, band), n in counted.items()
        if (unit, status, band) not in held
    ]
    if gone:
        # Not QuerySet.delete(): the audit log's receivers would make it fetch every row first.
        table = MeasureTally._meta.db_table
        for start in range(0, len(gone), 1000):
            chunk = gone[start : start + 1000]
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )
    MeasureTally.objects.bulk_update(changed, ["n"], batch_size=1000)
    MeasureTally.objects.bulk_create(new, batch_size=1000)
