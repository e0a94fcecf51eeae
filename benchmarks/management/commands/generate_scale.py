"""``manage.py generate_scale --measures N``: a province-sized data set for benchmarks."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from benchmarks.scale import Generator


class Command(BaseCommand):
    help = (
        "Add a province-sized data set (org tree, users, cases, recommendations, measures, "
        "progress reports) in realistic proportions. Fast on PostgreSQL (COPY); use a database "
        "of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--measures", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--units",
            type=int,
            default=None,
            help="Units under the commissions (default: one for every 200 measures).",
        )

    def handle(self, *args, measures, seed, units, **options):
        started = time.monotonic()
        counts = Generator(measures, seed=seed, units=units).generate()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The visibility map that index-only scans read, as autovacuum keeps it on a
                # database in use (a freshly copied one has not had its first vacuum yet).
                cursor.execute("VACUUM ANALYZE")
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated in {elapsed:.1f} s: {summary}."))
