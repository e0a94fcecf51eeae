"""A background job's pages for the person who started it: the page with its progress bar, and
the fragment htmx polls on it until the job is finished (document jobs, Excel imports)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.session_policy import background_poll
from core.pages import scoped_object_or_404


def job_pages(model, template: str, context):
    """``(page, progress)`` views of ``model``'s jobs: ``documents/<template>.html`` and its
    fragment ``documents/_<template>.html``, both rendered with ``context(job)``."""

    def render_job(request, pk, name):
        job = scoped_object_or_404(model, request.user, pk=pk)
        return render(request, f"documents/{name}.html", context(job))

    @login_required
    @require_GET
    def page(request, pk):
        return render_job(request, pk, template)

    @background_poll
    @login_required
    @require_GET
    def progress(request, pk):
        return render_job(request, pk, f"_{template}")

    return page, progress
