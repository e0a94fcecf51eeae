"""``manage.py bench_document LETTER USER ledger ledger``: make documents in this fresh process and
print their times as JSON (``manage.py bench`` runs it to time a cold process).

The documents are made in the order given, through the same functions the downloads and the
document jobs call (``oversight.documents``), with no time budget; ``--warm-up`` first runs
``documents.warm_up()`` as a gunicorn or Celery worker does when it starts. A ledger is laid out
in ``--processes`` parts, by default ``DOCUMENT_JOB_PROCESSES`` as a document job does (a ledger
this large is always a job's). Prints one line:
``{"warm_up": s or null, "documents": [{"kind", "seconds", "queries", "bytes"}, …]}``.
"""

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from accounts.models import User
from recommendations.models import Recommendation

from .bench import QueryCounter


class Command(BaseCommand):
    help = "Time documents made in a fresh process (used by `manage.py bench`)."

    def add_arguments(self, parser):
        parser.add_argument("letter", type=int)
        parser.add_argument("user", type=int)
        parser.add_argument("kinds", nargs="+", choices=["ledger", "letter"])
        parser.add_argument("--warm-up", action="store_true")
        parser.add_argument("--processes", type=int, default=settings.DOCUMENT_JOB_PROCESSES)

    def handle(self, *args, letter, user, kinds, warm_up, processes, **options):
        from oversight import documents  # after Django is set up, as in a worker

        settings.DOCUMENT_TIME_BUDGET_SECONDS = 0
        recommendation = Recommendation.objects.select_related("issuer", "recipient_unit").get(
            pk=letter
        )
        reader = User.objects.get(pk=user)
        warmed = documents.warm_up() if warm_up else None
        make = {
            "ledger": lambda: documents.recommendation_ledger_pdf(
                reader, recommendation, processes=processes
            ),
            "letter": lambda: documents.recommendation_pdf(reader, recommendation),
        }
        made = []
        for kind in kinds:
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                started = time.perf_counter()
                pdf = make[kind]()
                seconds = time.perf_counter() - started
            made.append(
                {"kind": kind, "seconds": seconds, "queries": queries.count, "bytes": len(pdf)}
            )
        self.stdout.write(
            json.dumps({"warm_up": warmed, "processes": processes, "documents": made})
        )
