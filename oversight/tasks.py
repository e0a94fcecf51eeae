"""Celery jobs of the documents: large Excel imports with progress for the page, and the weekly
overdue report (Mondays at 09:00, scheduled by migrations
``reforms.0005`` and ``0007``)."""

import logging

from celery import shared_task
from django.utils import timezone, translation

from core.domain import shanghai_today
from notifications.tasks import hand_out
from recommendations.models import ImportJob

from . import excel, reports

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
    with translation.override("zh-hans"), job.file.open("rb") as upload:
        try:
            if job.kind == ImportJob.Kind.PROBLEMS:
                result = excel.import_problems(job.created_by, job.case, upload, progress)
            else:
                result = excel.import_plan(job.created_by, job.recommendation, upload, progress)
        except excel.ImportRefused as refusal:
            job.status, job.errors = Status.FAILED, [refusal.message]
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


@shared_task
def send_weekly_reports() -> int:
    """Mondays: each supervisor's overdue report for their jurisdiction."""
    digests = reports.weekly_reports(shanghai_today())
    hand_out(digests)
    return len(digests)
