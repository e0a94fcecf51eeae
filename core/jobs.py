"""What a Celery job run for one person has in common: who started it and when it ended, seen by
that person only, finished once done or failed (``DocumentJob``, ``ImportJob``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalJobQuerySet(models.QuerySet):
    def restrict(self, user):
        """A job is seen only by the person who started it (it was made for them)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(created_by=user)


class PersonalJob(models.Model):
    """A job's person and times. Subclasses declare ``Status`` with ``DONE`` and ``FAILED``."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = PersonalJobQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def failed(self) -> bool:
        return self.status == self.Status.FAILED
