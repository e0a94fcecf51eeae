"""Counts kept by database triggers, checked against a recount: how every such tally is read
for its check, compared and mended. The items' and the problems' tallies are a ``Tally`` each;
the measures' tally is rolled to a new day each night (``reforms/tally.py``) and uses ``kept``
and ``drift``.

A tally's key is a tuple of its fields (``key_names``, a foreign key read as its pk), its count
is ``n``; rows holding zero stand for no row.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

logger = logging.getLogger(__name__)


def kept(model, key_names: tuple) -> dict:
    """``{key: n}`` as ``model``'s rows hold it (empty rows left out)."""
    rows = model.objects.exclude(n=0).values_list(*key_names, "n")
    return {tuple(row[:-1]): row[-1] for row in rows}


def drift(expected: dict, held: dict, key_names: tuple) -> list[dict]:
    """Each key whose held number differs from the expected one, with both."""
    return [
        {**dict(zip(key_names, key, strict=True)), "kept": held.get(key, 0), "counted": n}
        for key in sorted(expected.keys() | held.keys())
        if (n := expected.get(key, 0)) != held.get(key, 0)
    ]


@dataclass(frozen=True)
class Tally:
    """``model``'s rows count the rows of ``counted_tables`` by ``key``; ``recount`` counts them
    again from those tables, as ``{key: n}``."""

    model: type
    key: tuple[str, ...]
    recount: Callable[[], dict]
    counted_tables: tuple[str, ...]

    def kept(self) -> dict:
        """``{key: n}`` as the tally holds it (empty rows left out)."""
        return kept(self.model, self.key)

    def drift(self) -> list[dict]:
        """Each key whose kept count differs from a recount, with both."""
        return drift(self.recount(), self.kept(), self.key)

    def check(self) -> list[dict]:
        """Compare the tally with a recount while writes to the counted tables wait, and make
        every drifted row hold the recount; returns the drift found (there should be none)."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {', '.join(self.counted_tables)} IN SHARE MODE")
            found = self.drift()
            attnames = [self.model._meta.get_field(name).attname for name in self.key]
            for row in found:
                key = {attname: row[name] for attname, name in zip(attnames, self.key, strict=True)}
                self.model.objects.update_or_create(**key, defaults={"n": row["counted"]})
        if found:
            logger.error("%s drifted from a recount: %s", self.model._meta.label, found[:20])
        return found
