"""The optional read replica: which reads may go to it, and the router that sends them.

With ``DATABASE_REPLICA_URL`` set, settings add the database alias ``replica`` (a PostgreSQL
streaming standby of the primary) and install ``ReplicaRouter``. The router is narrow on purpose:
a read goes to the replica only when all of these hold —

- the code runs inside ``replica_reads()`` (or a view decorated with ``reads_from_replica``): the
  dashboard, the statistics, the aggregate reports and the list exports, whose figures may lag the
  primary by the replica's delay (docs/architecture.md, "Read replica");
- the alias ``replica`` is configured;
- no transaction is open on the primary: a read inside ``transaction.atomic`` (every transition's
  ``lock_for_update`` and the checks that follow it) belongs to the transaction, on the primary.

Every other read (ordinary pages, which show the result of the user's own writes, the sign-in
and session, every service), and every write, goes to the primary (``default``). Migrations run
on the primary only; the standby replays them.

Without a replica nothing changes: the router is not installed, and ``replica_reads()`` only sets
a flag that nobody reads.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# A context variable, not a thread-local: it follows the code into a ``copy_context()`` (the PDF
# layout's helper thread) and is never left set for the next request on the same thread.
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in the block may go to the replica (outside transactions, when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads in the block go to the primary, even inside ``replica_reads()``: for code that reads
    what it has just written outside a transaction (a job run in the request that made it)."""
    token = _replica_reads.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    """A view (function, or a DRF viewset's action) whose reads may go to the replica.

    Put it innermost (just above ``def``): the sign-in, the session and the permission gate run
    before it, on the primary."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_database() -> str:
    """Where a read made here and now goes: ``replica`` or ``default``."""
    if (
        _replica_reads.get()
        and replica_configured()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS = ["core.db.ReplicaRouter"]``, installed by settings with the replica.

    Always answers: an object read from the replica must not take later reads of its relations
    there (Django's fallback follows the instance's database), nor be saved there.
    """

    def db_for_read(self, model, **hints) -> str:
        return read_database()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
