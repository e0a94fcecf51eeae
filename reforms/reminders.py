"""The daily deadline scan: the 三色预警 ladder for measures and for replies to recommendations.

- **green**: from ``green_workdays`` working days before the current due date → the owner and the
  unit's officers;
- **yellow**: from ``yellow_workdays`` working days before → also the accountable leader;
- **red**: overdue on day 1 and then every ``red_repeat_days`` days → also the head of the unit's
  party organisation;
- **督办**: overdue more than ``urging_after_days`` → a numbered ``UrgingNotice`` on the object,
  sent to the issuing commission's staff and supervisors as well.

The answers of an open reconciliation round (对账销号) with rows still unanswered climb the same
ladder towards the round's ``answer_due_on``, told to the officers of the units whose rows are still
unanswered — the round's unit and its subunits, or a sector's units (no urging notice: the staff see
the round's unanswered rows on its page and the dashboard).

Thresholds live in ``ReminderPolicy`` (back office). Standing measures, measures awaiting sign-off
and signed-off ones are not chased. Rows are read in primary-key chunks with a constant number of
queries each; each chunk is one transaction; every reminder is a ``Notification`` unique per
recipient and key (object, level, due date, repeat), so a scan run twice, run by two workers at once
or killed and run again writes each reminder once.
"""

import dataclasses
import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, IntegerField, Max, OuterRef, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.domain import shanghai_today
from notifications.delivery import rows_for, write_rows, written
from notifications.models import Notification
from recommendations.models import Recommendation

from .calendar import WorkingCalendar
from .models import (
    Measure,
    ReconciliationRound,
    ReconciliationRow,
    ReminderPolicy,
    UrgingNotice,
)

logger = logging.getLogger(__name__)

Kind = Notification.Kind
CHASED_MEASURES = [
    Measure.Status.NOT_STARTED,
    Measure.Status.IN_PROGRESS,
    Measure.Status.RETURNED,
]
# Any fixed number: one scan at a time across every worker (PostgreSQL advisory lock).
SCAN_LOCK = 7_202_611


@dataclasses.dataclass(frozen=True)
class Ladder:
    """Where a due date stands today on the ladder."""

    today: datetime.date
    yellow_until: datetime.date
    green_until: datetime.date
    red_repeat_days: int
    urging_after_days: int

    @classmethod
    def on(cls, today: datetime.date, policy: ReminderPolicy) -> "Ladder":
        calendar = WorkingCalendar()
        return cls(
            today=today,
            yellow_until=calendar.add_workdays(today, policy.yellow_workdays),
            green_until=calendar.add_workdays(today, policy.green_workdays),
            red_repeat_days=policy.red_repeat_days,
            urging_after_days=policy.urging_after_days,
        )

    def level(self, due_on: datetime.date) -> tuple[str, str] | None:
        """The level reached and the key part that makes it once per level, due date and repeat."""
        if due_on < self.today:
            repeat = ((self.today - due_on).days - 1) // self.red_repeat_days
            return Kind.RED, f"{due_on:%Y-%m-%d}:{repeat}"
        if due_on <= self.yellow_until:
            return Kind.YELLOW, f"{due_on:%Y-%m-%d}"
        if due_on <= self.green_until:
            return Kind.GREEN, f"{due_on:%Y-%m-%d}"
        return None

    def days_overdue(self, due_on: datetime.date) -> int:
        return max((self.today - due_on).days, 0)

    def needs_urging(self, due_on: datetime.date) -> bool:
        return self.days_overdue(due_on) > self.urging_after_days


@dataclasses.dataclass
class ScanResult:
    measures: int = 0
    recommendations: int = 0
    reconciliations: int = 0
    urging_notices: int = 0
    skipped: bool = False


@contextmanager
def exclusive_scan() -> Iterator[bool]:
    """True once this process holds the scan (always, on SQLite: one process there).

    A scan already running is waited for rather than skipped: after a worker is killed its
    database session can hold the lock for a while, and the task coming back must still run.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    deadline = time.monotonic() + settings.REMINDER_SCAN_LOCK_WAIT
    while not (held := _try_scan_lock()) and time.monotonic() < deadline:
        time.sleep(1)
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SCAN_LOCK])


def _try_scan_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCAN_LOCK])
        return cursor.fetchone()[0]


def scan(today: datetime.date | None = None) -> ScanResult:
    """Write today's reminders and urging notices; safe to run any number of times."""
    ladder = Ladder.on(today or shanghai_today(), ReminderPolicy.current())
    with exclusive_scan() as held:
        if not held:
            logger.warning("Another deadline scan is still running; this one stops.")
            return ScanResult(skipped=True)
        result = ScanResult()
        for chased in CHASED:
            for chunk in _chunks(chased.rows(ladder)):
                with transaction.atomic():
                    result.urging_notices += _remind(chased, chunk, ladder)
                setattr(result, f"{chased.name}s", getattr(result, f"{chased.name}s") + len(chunk))
    logger.info("Deadline scan of %s: %s", ladder.today, result)
    return result


def _chunks(queryset) -> Iterator[list[dict]]:
    """Rows in primary-key order, a chunk at a time: one query each, bounded memory."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[: settings.REMINDER_SCAN_CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"]


# ── Who is told ──────────────────────────────────────────────────────────────────────────────


def _officers_of(unit_ids) -> dict[int, list[int]]:
    officers = defaultdict(list)
    for pk, unit in (
        User.objects.unit_officers()
        .filter(org_unit_id__in=set(unit_ids), is_active=True)
        .values_list("pk", "org_unit_id")
    ):
        officers[unit].append(pk)
    return officers


def _officers_by_row(rows: list[dict]) -> dict[int, list[int]]:
    """A measure or a reply is owed by its unit's officers."""
    officers = _officers_of(row["unit_pk"] for row in rows)
    return {row["pk"]: officers[row["unit_pk"]] for row in rows}


def _officers_owing_answers(rounds: list[dict]) -> dict[int, list[int]]:
    """A round's answers are owed by the units of its unanswered rows' measures: the round's
    unit and its subunits, or the units of a sector (whose round's unit is the commission)."""
    owing = defaultdict(set)
    for round_pk, unit in (
        ReconciliationRow.objects.filter(
            round__in=[row["pk"] for row in rounds], status=ReconciliationRow.Status.PENDING
        )
        .values_list("round_id", "measure__unit_id")
        .distinct()
    ):
        owing[round_pk].add(unit)
    officers = _officers_of(unit for units in owing.values() for unit in units)
    return {
        round_pk: sorted({pk for unit in units for pk in officers[unit]})
        for round_pk, units in owing.items()
    }


def _commission_readers(issuer_ids) -> dict[int, list[int]]:
    """Staff and supervisors of each issuing commission (who receive urging notices)."""
    readers = defaultdict(list)
    if not issuer_ids:
        return readers
    for pk, unit in (
        User.objects.case_readers()
        .filter(org_unit_id__in=set(issuer_ids), is_active=True)
        .values_list("pk", "org_unit_id")
    ):
        readers[unit].append(pk)
    return readers


def _recipients(level: str, *, officers, owner=None, leader=None, party_head=None) -> list[int]:
    people = [*officers, owner]
    if level in {Kind.YELLOW, Kind.RED}:
        people.append(leader)
    if level == Kind.RED:
        people.append(party_head)
    return people


# ── What is chased ───────────────────────────────────────────────────────────────────────
#
# Measures and replies are read into rows of the same keys — pk, what, due, unit_pk,
# party_head_pk, issuer_pk, owner_pk, leader_pk — so one path writes the reminders of both.


def _measures(ladder: Ladder):
    return Measure.objects.filter(
        is_standing=False, status__in=CHASED_MEASURES, due_on__lte=ladder.green_until
    ).values(
        "pk",
        what=F("content"),
        due=F("due_on"),
        unit_pk=F("unit_id"),
        party_head_pk=F("unit__party_head_id"),
        issuer_pk=F("item__recommendation__issuer_id"),
        owner_pk=F("owner_id"),
        leader_pk=F("leader_id"),
    )


def _recommendations(ladder: Ladder):
    nobody = Value(None, output_field=IntegerField())
    return Recommendation.objects.filter(
        status__in=Recommendation.AWAITING_REPLY, reply_due_on__lte=ladder.green_until
    ).values(
        "pk",
        what=Coalesce(NullIf(F("doc_number"), Value("")), F("title")),
        due=F("reply_due_on"),
        unit_pk=F("recipient_unit_id"),
        party_head_pk=F("recipient_unit__party_head_id"),
        issuer_pk=F("issuer_id"),
        owner_pk=nobody,
        leader_pk=nobody,
    )


def _reconciliations(ladder: Ladder):
    """Open rounds with a row still unanswered, their answers due within the ladder's reach."""
    nobody = Value(None, output_field=IntegerField())
    unanswered = ReconciliationRow.objects.filter(
        round=OuterRef("pk"), status=ReconciliationRow.Status.PENDING
    )
    return (
        ReconciliationRound.objects.open()
        .filter(Exists(unanswered), answer_due_on__lte=ladder.green_until)
        .values(
            "pk",
            what=Coalesce(NullIf(F("recommendation__doc_number"), Value("")), F("unit__name")),
            due=F("answer_due_on"),
            unit_pk=F("unit_id"),
            party_head_pk=nobody,
            issuer_pk=nobody,
            owner_pk=nobody,
            leader_pk=nobody,
        )
    )


def _reconciliation_message(row: dict, level: str, days: int) -> tuple[str, str]:
    what, due = row["what"][:60], f"{row['due']:%Y-%m-%d}"
    if level == Kind.RED:
        return (
            _("Reconciliation answers overdue: %(what)s") % {"what": what},
            _("The answers were due on %(due)s, %(days)d days ago; answer every row.")
            % {"due": due, "days": days},
        )
    return (
        _("Reconciliation answers due soon: %(what)s") % {"what": what},
        _("Answer every row of the reconciliation round by %(due)s.") % {"due": due},
    )


def _measure_message(row: dict, level: str, days: int) -> tuple[str, str]:
    what, due = row["what"][:60], f"{row['due']:%Y-%m-%d}"
    if level == Kind.URGING:
        return (
            _("Urging notice %(number)s: %(what)s") % {"number": row["notice"], "what": what},
            _("Due on %(due)s, %(days)d days overdue. Rectify without delay and report.")
            % {"due": due, "days": days},
        )
    if level == Kind.RED:
        return (
            _("Overdue measure: %(what)s") % {"what": what},
            _("Due on %(due)s, %(days)d days overdue.") % {"due": due, "days": days},
        )
    title = {
        Kind.GREEN: _("Measure due soon: %(what)s"),
        Kind.YELLOW: _("Measure due within days: %(what)s"),
    }[level]
    return title % {"what": what}, _("Due on %(due)s.") % {"due": due}


def _reply_message(row: dict, level: str, days: int) -> tuple[str, str]:
    what, due = row["what"][:60], f"{row['due']:%Y-%m-%d}"
    if level == Kind.URGING:
        return (
            _("Urging notice %(number)s: %(what)s") % {"number": row["notice"], "what": what},
            _("The rectification report was due on %(due)s, %(days)d days ago.")
            % {"due": due, "days": days},
        )
    if level == Kind.RED:
        return (
            _("Rectification report overdue: %(what)s") % {"what": what},
            _("The reply was due on %(due)s, %(days)d days ago.") % {"due": due, "days": days},
        )
    return (
        _("Rectification report due soon: %(what)s") % {"what": what},
        _("The reply is due on %(due)s.") % {"due": due},
    )


@dataclasses.dataclass(frozen=True)
class Chased:
    """A kind of deadline the scan chases: its rows, its words, its page, its urging notices."""

    name: str  # the key prefix, and UrgingNotice's field (``<name>_id``)
    rows: Callable
    message: Callable
    page: str
    urges: bool = True  # overdue long enough, a numbered urging notice (督办) is issued
    officers: Callable = _officers_by_row  # each row's officers to tell, by the row's pk


CHASED = (
    Chased("measure", _measures, _measure_message, "reforms:measure_detail"),
    Chased("recommendation", _recommendations, _reply_message, "recommendations:detail"),
    Chased(
        "reconciliation",
        _reconciliations,
        _reconciliation_message,
        "reforms:reconciliation_detail",
        urges=False,
        officers=_officers_owing_answers,
    ),
)


def _remind(chased: Chased, rows: list[dict], ladder: Ladder) -> int:
    """Write the chunk's reminders and urging notices; returns the notices it created.

    Which (recipient, key) pairs are written already is read first, in one query, so a row
    reminded earlier today costs no message, link or model instance: the daily steady state.
    """
    officers = chased.officers(rows)
    urged = [row for row in rows if chased.urges and ladder.needs_urging(row["due"])]
    readers = _commission_readers({row["issuer_pk"] for row in urged})
    numbers, created = _urging_notices(chased, urged, ladder)
    due = {
        row["pk"]: _reminders_of(chased, row, ladder, officers, readers, numbers) for row in rows
    }
    done = written(key for reminders in due.values() for _kind, key, _people in reminders)
    outgoing = []
    for row in rows:
        link = None  # reversed once per row, and only when it has something to write
        for kind, key, people in due[row["pk"]]:
            unwritten = [person for person in people if (person, key) not in done]
            if not unwritten:
                continue
            link = link or reverse(chased.page, args=[row["pk"]])
            title, body = chased.message(row, kind, ladder.days_overdue(row["due"]))
            outgoing += rows_for(
                unwritten, kind=kind, title=title, body=body, link=link, dedupe_key=key
            )
    write_rows(outgoing)
    return created


def _reminders_of(chased, row, ladder, officers, readers, numbers) -> list[tuple[str, str, set]]:
    """The row's reminders as (kind, dedupe key, recipients): its level's, and its urging
    notice's when it is urged (``numbers`` holds the urged rows' notices only; the message
    quotes the number)."""
    level, key = ladder.level(row["due"])
    people = _recipients(
        level,
        officers=officers.get(row["pk"], []),
        owner=row["owner_pk"],
        leader=row["leader_pk"],
        party_head=row["party_head_pk"],
    )
    reminders = [(level, key, people)]
    if (row["pk"], row["due"]) in numbers:
        row["notice"] = numbers[(row["pk"], row["due"])]
        readers_too = [*people, *readers[row["issuer_pk"]]]
        reminders.append((Kind.URGING, f"{row['due']:%Y-%m-%d}", readers_too))
    prefix = f"{chased.name}:{row['pk']}"
    return [
        (kind, f"{prefix}:{kind}:{part}", {person for person in recipients if person})
        for kind, part, recipients in reminders
    ]


# ── Urging notices ───────────────────────────────────────────────────────────────────────────


def _urging_notices(chased: Chased, rows: list[dict], ladder: Ladder) -> tuple[dict, int]:
    """The number of each (object, due date)'s notice, numbering the new ones 督办〔year〕N号 in
    order; and how many are new.

    Runs inside the scan's lock and chunk transaction, so serials never collide.
    """
    if not rows:
        return {}, 0
    field = f"{chased.name}_id"
    numbers = {
        (pk, due_on): number
        for pk, due_on, number in UrgingNotice.objects.filter(
            **{f"{field}__in": [row["pk"] for row in rows]}
        ).values_list(field, "due_on", "number")
    }
    year = ladder.today.year
    serial = UrgingNotice.objects.filter(year=year).aggregate(last=Max("serial"))["last"] or 0
    new = []
    for row in rows:
        if (row["pk"], row["due"]) in numbers:
            continue
        serial += 1
        number = _("Urging 〔%(year)d〕 No. %(serial)d") % {"year": year, "serial": serial}
        numbers[(row["pk"], row["due"])] = number
        new.append((number, serial, row["unit_pk"], row["pk"], row["due"]))
    _insert_notices(field, new, ladder)
    return numbers, len(new)


def _insert_notices(field: str, new: list[tuple], ladder: Ladder) -> None:
    """Insert (number, serial, unit, object, due date) notices as one INSERT of column arrays:
    the first scan of a province issues ~100,000, and a model instance each cost more than the
    insert (bulk_create where there are no arrays)."""
    if not new:
        return
    year, today = ladder.today.year, ladder.today
    if connection.vendor != "postgresql":
        UrgingNotice.objects.bulk_create(
            UrgingNotice(
                number=number,
                year=year,
                serial=serial,
                unit_id=unit,
                due_on=due,
                days_overdue=ladder.days_overdue(due),
                issued_on=today,
                **{field: pk},
            )
            for number, serial, unit, pk, due in new
        )
        return
    numbers, serials, units, pks, dues = (list(column) for column in zip(*new, strict=True))
    overdue = [ladder.days_overdue(due) for due in dues]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {UrgingNotice._meta.db_table} (number, serial, unit_id, {field}, "
            "due_on, days_overdue, year, issued_on, created_at) "
            "SELECT *, %s::smallint, %s::date, %s::timestamptz FROM unnest("
            "%s::varchar[], %s::integer[], %s::bigint[], %s::bigint[], %s::date[], %s::integer[])",
            [year, today, timezone.now(), numbers, serials, units, pks, dues, overdue],
        )
