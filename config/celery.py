"""The Celery app: configured from Django settings (CELERY_*), tasks discovered in each app."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yianchugai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_documents(**kwargs):
    """Each worker process renders a tiny PDF once (WeasyPrint and the CJK fonts loaded), so its
    first document job is as fast as its next; not in beat, ``manage.py`` or tests. Celery waits
    ``CELERY_WORKER_PROC_ALIVE_TIMEOUT`` for this, more than the 4 s default (settings)."""
    from oversight.documents import warm_up

    warm_up()
