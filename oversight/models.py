"""A large document made by a Celery job (``DocumentJob``): the page polls its progress and offers
the file once it is ready, so no web request holds a worker for the minutes a big PDF may take."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import PersonalJob


class DocumentJob(PersonalJob):
    """A PDF too large for a request (``DOCUMENT_ASYNC_MEASURES``), made by ``tasks.make_document``.

    It holds what was asked (the measure list's filter as a query string), never a copy of the
    rows: the job reads them again as its creator, through ``restrict``, when it runs.
    """

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("Rectification ledger")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Typesetting")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Not made")

    TIMEOUT, REFUSED, BROKEN = "timeout", "refused", "broken"  # why a job failed (``error``)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True)
    total = models.PositiveIntegerField(_("measures"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)

    class Meta(PersonalJob.Meta):
        verbose_name = _("document job")
        verbose_name_plural = _("document jobs")

    def __str__(self):
        return self.filename

    @property
    def percent(self) -> int:
        """Done is 100; while typesetting, the time spent against the time expected for its size
        (``DOCUMENT_SECONDS_PER_MEASURE``), never past 95 until the file is there."""
        if self.finished:
            return 100
        if self.status != self.Status.RUNNING or not self.started_at:
            return 0
        expected = max(1.0, self.total * settings.DOCUMENT_SECONDS_PER_MEASURE)
        elapsed = (timezone.now() - self.started_at).total_seconds()
        return max(1, min(95, int(100 * elapsed / expected)))
