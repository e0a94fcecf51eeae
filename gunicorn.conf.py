"""Gunicorn's settings, read from the working directory (``gunicorn config.wsgi``): the Dockerfile
and docker-compose.yml run it from /app. Environment: ``GUNICORN_WORKERS``, ``GUNICORN_TIMEOUT``."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
# A request may lay out a PDF for DOCUMENT_TIME_BUDGET_SECONDS (60 s by default), then answers
# 503 itself; gunicorn's own timeout must be longer, or it kills the worker first and the user
# gets a bare 500. Ledgers over DOCUMENT_ASYNC_MEASURES go to Celery and hold no request.
_budget = int(os.environ.get("DOCUMENT_TIME_BUDGET_SECONDS", "60")) or 60
timeout = int(os.environ.get("GUNICORN_TIMEOUT", str(_budget + 30)))
graceful_timeout = 30


def post_worker_init(worker):
    """Each worker renders a tiny PDF before its first request (WeasyPrint and the CJK fonts
    loaded), so the first document a user asks for is as fast as the next."""
    from oversight.documents import warm_up

    worker.log.info("Documents warmed up in %.1f s", warm_up())
