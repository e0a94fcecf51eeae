"""Excel imports: a case's problem list, a recommendation's rectification plan and its outcomes
(rule changes, activities).

Small files are imported in the request; larger ones (more than ``SYNC_ROWS`` rows) become an
``ImportJob`` run by Celery, and the page polls its progress with htmx. Either way every row is
checked, every error is reported by row and column, and nothing is saved unless all rows are good.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Case
from core.pages import require_permission, scoped_object_or_404
from recommendations import services as recommendation_services
from recommendations.models import ImportJob, Recommendation
from reforms import services as reform_services

from . import excel, tasks
from .job_pages import job_pages

logger = logging.getLogger(__name__)
SYNC_ROWS = 200  # more rows than this go to a Celery job with a progress bar


@dataclass(frozen=True)
class ImportKind:
    """What the pages need to know of one kind of import (the format is ``excel.FORMATS``)."""

    permission: str  # to download the template and to import
    template_name: str
    imported: Callable[[int], str]  # the message once rows are in
    back: Callable[[ImportJob], str]  # where a finished job leads


def _to_plan(job) -> str:
    return reverse("reforms:plan", args=[job.recommendation_id])


def _to_recommendation(job) -> str:
    return reverse("recommendations:detail", args=[job.recommendation_id]) + "#outcomes"


KINDS = {
    "problems": ImportKind(
        "cases.add_problem",
        "问题清单导入模板.xlsx",
        lambda count: _("%(count)d problems imported.") % {"count": count},
        lambda job: reverse("cases:detail", args=[job.case_id]),
    ),
    "plan": ImportKind(
        "reforms.add_measure",
        "整改方案导入模板.xlsx",
        lambda count: _("%(count)d measures imported.") % {"count": count},
        _to_plan,
    ),
    "rule_changes": ImportKind(
        "reforms.add_rulechange",
        "立改废释导入模板.xlsx",
        lambda count: _("%(count)d rule changes imported.") % {"count": count},
        _to_recommendation,
    ),
    "activities": ImportKind(
        "reforms.add_activity",
        "活动导入模板.xlsx",
        lambda count: _("%(count)d activities imported.") % {"count": count},
        _to_recommendation,
    ),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file"),
        help_text=gettext_lazy("An .xlsx file made from the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


@login_required
@require_GET
def template_download(request, kind):
    if kind not in KINDS:
        raise Http404
    require_permission(request.user, KINDS[kind].permission)
    return FileResponse(
        excel.template_xlsx(kind),
        as_attachment=True,
        filename=KINDS[kind].template_name,
        content_type=excel.XLSX,
    )


def _import_page(request, *, kind, target, back_url, title, may_import, refused, job_fields):
    """GET: the form; POST: check the file, import it now or start a job for a large one."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, status = [], 200
    if request.method == "POST" and may_import:
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = excel.read_rows(upload, excel.FORMATS[kind].columns)
            except excel.ImportRefused as refusal:
                form.add_error("file", refusal.message)
            else:
                if len(rows) > SYNC_ROWS:
                    upload.seek(0)
                    original_name = upload.name[:255]
                    upload.name = f"{uuid.uuid4().hex}.xlsx"  # stored names reveal nothing
                    job = ImportJob.objects.create(
                        kind=kind,
                        file=upload,
                        original_name=original_name,
                        total=len(rows),
                        created_by=request.user,
                        **job_fields,
                    )
                    transaction.on_commit(lambda: _start(job.pk))
                    return redirect("documents:import_job", pk=job.pk)
                result = excel.IMPORTERS[kind](request.user, target, upload)
                if result.ok:
                    messages.success(request, KINDS[kind].imported(result.created))
                    return redirect(back_url)
                errors = result.errors
    return render(
        request,
        "documents/import.html",
        {
            "form": form,
            "kind": kind,
            "title": title,
            "target": target,
            "back_url": back_url,
            "errors": errors,
            "may_import": may_import,
            "refused": refused,
            "template_url": reverse("documents:import_template", args=[kind]),
        },
        status=status,
    )


def _start(job_pk: int) -> None:
    """Send the job to Celery; if the broker is down, run it here rather than leave it waiting."""
    try:
        tasks.import_excel.delay(job_pk)
    except Exception:
        logger.exception("Celery unreachable: import %s runs in the request", job_pk)
        tasks.run_import(job_pk)


@login_required
@require_http_methods(["GET", "POST"])
def problems_import(request, pk):
    case = scoped_object_or_404(Case, request.user, pk=pk)
    require_permission(request.user, KINDS["problems"].permission)
    require_permission(request.user, "cases.change_case", case)
    return _import_page(
        request,
        kind="problems",
        target=case,
        back_url=reverse("cases:detail", args=[case.pk]),
        title=_("Import problems: %(case)s") % {"case": case},
        may_import=True,
        refused="",
        job_fields={"case": case},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request, pk):
    recommendation = scoped_object_or_404(
        Recommendation.objects.select_related("recipient_unit"), request.user, pk=pk
    )
    require_permission(request.user, KINDS["plan"].permission)
    actions = recommendation_services.available_actions(request.user, recommendation)
    return _import_page(
        request,
        kind="plan",
        target=recommendation,
        back_url=reverse("reforms:plan", args=[recommendation.pk]),
        title=_("Import the rectification plan: %(doc)s") % {"doc": recommendation},
        may_import="plan" in actions,
        refused=_("Measures can be planned only after issue and before the reply is submitted."),
        job_fields={"recommendation": recommendation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcomes_import(request, pk, kind):
    """A recommendation's rule changes or activities, once it is issued (as the pages record)."""
    recommendation = scoped_object_or_404(
        Recommendation.objects.select_related("recipient_unit"), request.user, pk=pk
    )
    require_permission(request.user, KINDS[kind].permission)
    titles = {
        "rule_changes": _("Import rule changes: %(doc)s"),
        "activities": _("Import activities: %(doc)s"),
    }
    return _import_page(
        request,
        kind=kind,
        target=recommendation,
        back_url=reverse("recommendations:detail", args=[recommendation.pk]) + "#outcomes",
        title=titles[kind] % {"doc": recommendation},
        may_import=reform_services.open_to_outcomes(recommendation),
        refused=reform_services.OUTCOMES_AFTER_ISSUE,
        job_fields={"recommendation": recommendation},
    )


def _job_context(job):
    kind = KINDS[job.kind]
    return {
        "job": job,
        "back_url": kind.back(job),
        "done_message": kind.imported(job.created) if job.finished else "",
    }


import_job, import_job_progress = job_pages(ImportJob, "import_job", _job_context)
