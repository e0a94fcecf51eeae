"""Celery jobs of the documents: large Excel imports and large PDFs (``DocumentJob``) with
progress for the page, and the weekly overdue report (Mondays at 09:00, scheduled by migrations
``reforms.0005`` and ``0007``); the daily verification of the audit log's chain (03:00, migration
``oversight.0002``: here because it tells the audit administrators through ``notifications``,
which ``audit`` does not import)."""

import logging
import uuid
from types import SimpleNamespace

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.verification import verify_log
from core.db import replica_reads
from core.domain import shanghai_today
from notifications import delivery
from notifications.tasks import hand_out
from recommendations.models import ImportJob

from . import documents, excel, reports
from .models import DocumentJob

logger = logging.getLogger(__name__)


def run_import(job_id: int) -> ImportJob | None:
    """Run one import job to its end (done or failed); safe to call again on a finished job."""
    job = ImportJob.objects.select_related("case", "recommendation", "created_by").filter(pk=job_id)
    job = job.first()
    if job is None or job.finished:
        return job
    Status = ImportJob.Status

    def progress(done: int, total: int, *, saving: bool) -> None:
        # Written outside the import's transaction, which holds only the rows themselves.
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.SAVING if saving else Status.CHECKING, processed=done, total=total
        )

    ImportJob.objects.filter(pk=job.pk).update(status=Status.CHECKING, processed=0)
    target = job.case if job.kind == ImportJob.Kind.PROBLEMS else job.recommendation
    with translation.override("zh-hans"):
        try:
            with job.file.open("rb") as upload:
                result = excel.IMPORTERS[job.kind](job.created_by, target, upload, progress)
        except excel.ImportRefused as refusal:
            job.status, job.errors = Status.FAILED, [refusal.message]
        except Exception:  # recorded, so the progress page stops waiting and says so
            logger.exception("Import %s broke off", job.pk)
            job.status, job.errors = Status.FAILED, [str(ImportJob.BROKEN)]
        else:
            job.total = result.total
            job.processed = result.total
            job.created = result.created
            job.errors = result.errors
            job.status = Status.DONE if result.ok else Status.FAILED
    job.finished_at = timezone.now()
    job.file.delete(save=False)  # the rows are in the database now, or refused
    job.save(
        update_fields=["status", "errors", "total", "processed", "created", "finished_at", "file"]
    )
    logger.info(
        "Import %s: %s, %s rows, %s errors", job.pk, job.status, job.created, len(job.errors)
    )
    return job


@shared_task(acks_late=True)
def import_excel(job_id: int) -> None:
    """The Celery entry point: ``import_excel.delay(job.pk)`` once the job row is committed."""
    run_import(job_id)


def run_document_job(job_id: int) -> DocumentJob | None:
    """Make one job's document to its end (ready or failed); safe to call again when finished.

    The rows are read again as the job's creator, through the measure list's own filter, so the
    document holds what that user may see when it is made; a large ledger is laid out in
    ``DOCUMENT_JOB_PROCESSES`` parts at once (``oversight.pdf_parts``).
    """
    from .downloads import ledger_request  # the view module imports this one

    job = DocumentJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.finished:
        return job
    Status = DocumentJob.Status
    job.started_at = timezone.now()
    DocumentJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=job.started_at)
    asked = SimpleNamespace(user=job.created_by, GET=QueryDict(job.query))
    try:
        # The ledger's rows from the replica; the job's own row is read and saved on the primary.
        with replica_reads():
            measures, subtitle, _name = ledger_request(asked)
            pdf = documents.ledger_pdf(
                job.created_by,
                measures,
                title="整改台账",
                subtitle=subtitle,
                budget=settings.DOCUMENT_JOB_TIME_BUDGET_SECONDS,
                processes=settings.DOCUMENT_JOB_PROCESSES,
            )
        job.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
    except documents.DocumentTimeout:
        job.status, job.error = Status.FAILED, DocumentJob.TIMEOUT
    except PermissionDenied:
        job.status, job.error = Status.FAILED, DocumentJob.REFUSED
    except Exception:  # recorded, so the progress page stops waiting and says so
        logger.exception("Document job %s broke off", job.pk)
        job.status, job.error = Status.FAILED, DocumentJob.BROKEN
    else:
        job.status = Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "file", "finished_at"])
    logger.info(
        "Document job %s: %s, %s measures in %.1f s",
        job.pk,
        job.status,
        job.total,
        (job.finished_at - job.started_at).total_seconds(),
    )
    return job


@shared_task(acks_late=True)
def make_document(job_id: int) -> None:
    """The Celery entry point: ``make_document.delay(job.pk)`` once the job row is committed."""
    run_document_job(job_id)


@shared_task
def send_weekly_reports() -> int:
    """Mondays: each supervisor's overdue report for their jurisdiction."""
    digests = reports.weekly_reports(shanghai_today())
    hand_out(digests)
    return len(digests)


@shared_task
def verify_audit_log() -> bool:
    """Daily: walk the audit log's chain; on a broken link, tell every active audit administrator
    (in their inbox, once per verification)."""
    with translation.override(settings.LANGUAGE_CODE):
        verification = verify_log()
    if not verification.ok:
        with translation.override(settings.LANGUAGE_CODE):
            delivery.alert(
                User.objects.audit_admins(),
                title=str(_("The audit log failed its integrity check")),
                body=verification.detail,
                link=reverse("admin:audit_auditverification_changelist"),
                dedupe_key=f"audit-verification:{verification.pk}",
            )
        logger.error("Audit log verification failed: %s", verification.detail)
    return verification.ok
