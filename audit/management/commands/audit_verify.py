"""``manage.py audit_verify``: walk the audit log's chain and report the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from audit import chain
from audit.verification import verify_log


class Command(BaseCommand):
    help = "Verify the audit log's HMAC-SM3 chain; exits with an error at the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=chain.BATCH, help="entries per query")

    def handle(self, *args, batch, **options):
        verification = verify_log(batch)
        seconds = (verification.finished_at - verification.started_at).total_seconds()
        line = f"{verification.detail} ({verification.checked} checked in {seconds:.1f} s)"
        if not verification.ok:
            raise CommandError(line)
        self.stdout.write(self.style.SUCCESS(line))
