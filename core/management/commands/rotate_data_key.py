"""``manage.py rotate_data_key``: re-seal every sealed column and file under the current data key.

Add the new key to the ring (``DATA_KEYS``, ``DATA_KEY_CURRENT``), restart, run this; when it
reports nothing left under the old key, the old key can leave the ring. Values stored in clear
(rows written before encryption) are sealed on the way. Interrupted, it resumes: each batch
commits on its own and values already under the current key are skipped.
"""

import time

from django.core.management.base import BaseCommand

from core.encryption.keyring import keyring
from core.encryption.rotation import CLEAR, SEALED_FILES, reseal_table, sealed_tables, survey


class Command(BaseCommand):
    help = "Re-seal the encrypted columns under the current data key (SM4-GCM), in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="only count the values under each key (and in clear), change nothing",
        )

    def handle(self, *args, batch, dry_run, **options):
        current = keyring().current_id
        tables = sealed_tables()
        if dry_run:
            found = survey(tables)
            found.update({files.label: files.survey() for files in SEALED_FILES})
            self._report(found, current)
            return
        for table in tables:
            started = time.monotonic()
            rewritten = reseal_table(table, batch, progress=self._progress)
            self.stdout.write(
                f"\n{table.table}: {rewritten} rows re-sealed under {current!r} "
                f"in {time.monotonic() - started:.1f} s"
            )
        for files in SEALED_FILES:
            started = time.monotonic()
            rewritten = files.reseal(batch, self._progress)
            self.stdout.write(
                f"\n{files.label}: {rewritten} files re-sealed under {current!r} "
                f"in {time.monotonic() - started:.1f} s"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Every sealed column and file is under key {current!r}.")
        )

    def _progress(self, label, read, total, rewritten):
        percent = 100 * read // total if total else 100
        self.stdout.write(
            f"\r{label}: {read}/{total} read ({percent}%), {rewritten} re-sealed",
            ending="",
        )
        self.stdout.flush()

    def _report(self, found, current):
        pending = 0
        for column, counts in found.items():
            described = ", ".join(f"{key}: {n}" for key, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"{column}: {described}")
            pending += sum(n for key, n in counts.items() if key != current)
        self.stdout.write(
            f"{pending} values to re-seal: in clear ({CLEAR!r}) or under another key than "
            f"the current {current!r}."
        )
