"""The audit log's chain (密评, GB/T 39786-2021 §8.4 g: 重要数据存储完整性): each entry carries
``mac``, HMAC-SM3 under ``AUDIT_CHAIN_KEY`` over a canonical serialisation of every stored field of
the entry (its id included) and the previous entry's ``mac``. Changing a row breaks its own code,
deleting one breaks the next, inserting one needs the key; ``verify`` finds the first broken link.

**A total order.** Many processes write entries at once, and each entry must link to the one
before it. The chain's order is the id order, and an entry is sealed and inserted while holding
one lock for the whole log, taken in a transaction around reading the last entry, taking the next
id and inserting:

- PostgreSQL: ``pg_advisory_xact_lock(CHAIN_LOCK)``, released when the writer's transaction ends —
  so the next writer reads the last entry once it is committed (or gone, if it rolled back). A
  trigger could compute the chain inside the database, but PostgreSQL has no SM3 of its own and
  the key would have to travel into the database; and SQLite has no such triggers.
- SQLite (development, the demo): every transaction begins IMMEDIATE (``config/settings.py``),
  taking the database's single write lock at once, which orders writers the same way.

Writers queue only for as long as their transaction lasts: requests are not atomic here, so an
entry written outside a transaction holds the lock for its own insert only; one written inside a
service's transaction holds it until that transaction ends (ids rolled back leave gaps, which the
chain does not mind: it links codes, not ids). This relies on READ COMMITTED (Django's default on
PostgreSQL): the statement after the lock sees the entry its holder committed. A transaction that
holds the lock and then waits for a row another audited writer has locked is a deadlock, which
PostgreSQL detects and ends by refusing one of the two (it needs two writers of the same row at the
same moment; the tests do not exercise it).
"""

import datetime
import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.utils import timezone

from core.crypto import hmac_sm3

VERSION = "audit-chain-v1"
# The stored fields, in the order they are serialised (every column but ``mac``). A new column
# must be added here, or it is not protected; tests/audit/test_chain.py compares with the model.
FIELDS = (
    "id",
    "at",
    "user_id",
    "username",
    "role",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "outcome",
    "detail",
)
GENESIS = ""  # the "previous code" of the first entry
CHAIN_LOCK = 0x6175646974  # "audit": the advisory lock's key
BATCH = 2000
TABLE = "accounts_auditentry"


def chain_key() -> bytes:
    key = settings.AUDIT_CHAIN_KEY
    if not key:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be set: audit entries cannot be sealed.")
    return key.encode()


def _canonical_value(name: str, value):
    if value is None:
        return None
    if name == "at":
        if timezone.is_naive(value):  # SQLite without time zones never happens here; be exact
            value = timezone.make_aware(value, datetime.UTC)
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if name == "ip":
        try:
            return str(ipaddress.ip_address(value)) if value else ""
        except ValueError:
            return str(value)
    if name == "changes":
        return as_stored_json(value)
    if name in {"id", "user_id"}:
        return int(value)
    return str(value)


def as_stored_json(value):
    """The JSON value as the database gives it back (dates as text, tuples as lists…)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical(values: dict, previous: str) -> bytes:
    """One entry's fields and the previous code, as the bytes the code is computed over."""
    fields = [[name, _canonical_value(name, values[name])] for name in FIELDS]
    document = [VERSION, previous, fields]
    return json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode()


def seal(values: dict, previous: str, key: bytes | None = None) -> str:
    return hmac_sm3(key or chain_key(), canonical(values, previous)).hex()


# ── Writing ──────────────────────────────────────────────────────────────────────────────────


def lock(using: str) -> None:
    """Holds the chain's lock until the current transaction ends (see the module's comment)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


LAST_AND_NEXT_ID = f"""
SELECT last.id, last.mac, setval(
    pg_get_serial_sequence('{TABLE}', 'id'),
    GREATEST(nextval(pg_get_serial_sequence('{TABLE}', 'id')), COALESCE(last.id, 0) + 1)
)
FROM (SELECT 1) AS one
LEFT JOIN (SELECT id, mac FROM {TABLE} ORDER BY id DESC LIMIT 1) AS last ON true
"""


def _last_and_next(model, using: str) -> tuple[str, int]:
    """The last entry's code (or GENESIS) and the id of the next one."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        # One statement, after the lock's own (a statement sees what was committed when it
        # began): the sequence keeps ids what the table would give, and, under the lock, growing;
        # past the last id whatever happened (a row inserted with its own id leaves it behind).
        with connection.cursor() as cursor:
            cursor.execute(LAST_AND_NEXT_ID)
            _last_id, previous, next_id = cursor.fetchone()
        return previous or GENESIS, next_id
    last = model._base_manager.using(using).order_by("-id").values_list("id", "mac").first()
    return (last[1], last[0] + 1) if last else (GENESIS, 1)


def insert_sealed(entry, using: str, save) -> None:
    """Give ``entry`` (unsaved) its time, id and code, then insert it with ``save()``, in order."""
    key = chain_key()  # refused before anything is written
    # No savepoint of its own: a failed insert fails the writer's transaction, as it did before.
    with transaction.atomic(using=using, savepoint=False):
        lock(using)
        previous, entry.id = _last_and_next(type(entry), using)
        if entry.at is None:
            entry.at = timezone.now()
        # What is sealed must be what the database gives back.
        entry.changes = as_stored_json(entry.changes)
        entry.mac = seal({name: getattr(entry, name) for name in FIELDS}, previous, key)
        save()


# ── Verifying ────────────────────────────────────────────────────────────────────────────────


@dataclass
class Result:
    ok: bool
    checked: int = 0
    last_id: int | None = None
    last_mac: str = ""
    broken_position: int | None = None  # 1 for the first entry of the chain
    broken_id: int | None = None
    previous_id: int | None = None
    problem: str = ""


def rows(queryset, batch: int = BATCH) -> Iterator[tuple]:
    """Every entry in id order as a tuple of FIELDS and mac, by keyset pages (constant memory)."""
    after = None
    while True:
        page = queryset.order_by("id")
        if after is not None:
            page = page.filter(id__gt=after)
        values = list(page.values_list(*FIELDS, "mac")[:batch])
        if not values:
            return
        yield from values
        after = values[-1][0]


def verify(entries: Iterable[tuple], *, anchor: tuple[int, str] | None = None) -> Result:
    """Walk the chain; the first link that fails, if any.

    ``anchor`` is the (id, mac) of the last entry an earlier walk found intact: it must still be
    there, with its code, so that removing the newest entries is found too.
    """
    key = chain_key()
    previous, previous_id, position = GENESIS, None, 0
    anchor_seen = anchor is None
    for row in entries:
        position += 1
        values, mac = dict(zip(FIELDS, row[:-1], strict=True)), row[-1]
        if not mac or seal(values, previous, key) != mac:
            return Result(
                ok=False,
                checked=position - 1,
                last_id=previous_id,
                last_mac=previous,
                broken_position=position,
                broken_id=values["id"],
                previous_id=previous_id,
                problem="unsealed" if not mac else "mismatch",
            )
        if not anchor_seen and values["id"] >= anchor[0]:
            # Past the anchor's place: it must be this very entry, with the same code.
            if values["id"] != anchor[0] or mac != anchor[1]:
                return Result(
                    ok=False, checked=position - 1, last_id=previous_id, last_mac=previous,
                    broken_position=position, broken_id=values["id"], previous_id=previous_id,
                    problem="anchor",
                )  # fmt: skip
            anchor_seen = True
        previous, previous_id = mac, values["id"]
    if not anchor_seen:
        return Result(
            ok=False, checked=position, last_id=previous_id, last_mac=previous,
            broken_position=position + 1, broken_id=anchor[0], previous_id=previous_id,
            problem="truncated",
        )  # fmt: skip
    return Result(ok=True, checked=position, last_id=previous_id, last_mac=previous)
