"""Counts kept by database triggers, checked against a recount: how every such tally is read
for its check, compared and mended (the items' and the problems'; the measures' tally is rolled
to a new day each night, ``reforms/tally.py``, and compares with ``drift`` as well).

A tally's key is a tuple of its fields (``key_names``, a foreign key read as its pk), its count
is ``n``; rows holding zero stand for no row.
"""

import logging

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


def check(model, key_names: tuple, recount, counted_tables: tuple) -> list[dict]:
    """Compare ``model``'s tally with ``recount()`` while writes to ``counted_tables`` wait, and
    make every drifted row hold the recount; returns the drift found (there should be none)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(counted_tables)} IN SHARE MODE")
        found = drift(recount(), kept(model, key_names), key_names)
        attnames = [model._meta.get_field(name).attname for name in key_names]
        for row in found:
            model.objects.update_or_create(
                **{attname: row[name] for attname, name in zip(attnames, key_names, strict=True)},
                defaults={"n": row["counted"]},
            )
    if found:
        logger.error("%s drifted from a recount: %s", model._meta.label, found[:20])
    return found
