"""Excel imports: a case's problem list and a recommendation's rectification plan.

Small files are imported in the request; larger ones (more than ``SYNC_ROWS`` rows) become an
``ImportJob`` run by Celery, and the page polls its progress with htmx. Either way every row is
checked, every error is reported by row and column, and nothing is saved unless all rows are good.
"""

import logging
import uuid

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

from accounts.session_policy import background_poll
from cases.models import Case
from core.pages import require_permission, scoped_object_or_404
from recommendations import services as recommendation_services
from recommendations.models import ImportJob, Recommendation

from . import excel, tasks

logger = logging.getLogger(__name__)
SYNC_ROWS = 200  # more rows than this go to a Celery job with a progress bar

TEMPLATE_NAMES = {"problems": "问题清单导入模板.xlsx", "plan": "整改方案导入模板.xlsx"}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file"),
        help_text=gettext_lazy("An .xlsx file made from the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _import_permission(kind: str) -> str:
    return "cases.add_problem" if kind == "problems" else "reforms.add_measure"


@login_required
@require_GET
def template_download(request, kind):
    if kind not in TEMPLATE_NAMES:
        raise Http404
    require_permission(request.user, _import_permission(kind))
    return FileResponse(
        excel.template_xlsx(kind),
        as_attachment=True,
        filename=TEMPLATE_NAMES[kind],
        content_type=excel.XLSX,
    )


def _import_page(request, *, kind, target, back_url, title, importer, may_import, job_fields):
    """GET: the form; POST: check the file, import it now or start a job for a large one."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, status = [], 200
    if request.method == "POST" and may_import:
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = excel.read_rows(
                    upload, excel.PLAN_COLUMNS if kind == "plan" else excel.PROBLEM_COLUMNS
                )
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
                result = importer(request.user, target, upload)
                if result.ok:
                    messages.success(request, _imported_message(kind, result.created))
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


def _imported_message(kind: str, count: int) -> str:
    if kind == "problems":
        return _("%(count)d problems imported.") % {"count": count}
    return _("%(count)d measures imported.") % {"count": count}


@login_required
@require_http_methods(["GET", "POST"])
def problems_import(request, pk):
    case = scoped_object_or_404(Case, request.user, pk=pk)
    require_permission(request.user, _import_permission("problems"))
    require_permission(request.user, "cases.change_case", case)
    return _import_page(
        request,
        kind="problems",
        target=case,
        back_url=reverse("cases:detail", args=[case.pk]),
        title=_("Import problems: %(case)s") % {"case": case},
        importer=excel.import_problems,
        may_import=True,
        job_fields={"case": case},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request, pk):
    recommendation = scoped_object_or_404(
        Recommendation.objects.select_related("recipient_unit"), request.user, pk=pk
    )
    require_permission(request.user, _import_permission("plan"))
    actions = recommendation_services.available_actions(request.user, recommendation)
    return _import_page(
        request,
        kind="plan",
        target=recommendation,
        back_url=reverse("reforms:plan", args=[recommendation.pk]),
        title=_("Import the rectification plan: %(doc)s") % {"doc": recommendation},
        importer=excel.import_plan,
        may_import="plan" in actions,
        job_fields={"recommendation": recommendation},
    )


def _job_context(job):
    if job.kind == ImportJob.Kind.PROBLEMS:
        back_url = reverse("cases:detail", args=[job.case_id])
    else:
        back_url = reverse("reforms:plan", args=[job.recommendation_id])
    return {
        "job": job,
        "back_url": back_url,
        "done_message": _imported_message(job.kind, job.created) if job.finished else "",
    }


@login_required
@require_GET
def import_job(request, pk):
    job = scoped_object_or_404(ImportJob, request.user, pk=pk)
    return render(request, "documents/import_job.html", _job_context(job))


@background_poll
@login_required
@require_GET
def import_job_progress(request, pk):
    """htmx: the progress fragment, polled until the job is finished."""
    job = scoped_object_or_404(ImportJob, request.user, pk=pk)
    return render(request, "documents/_import_job.html", _job_context(job))
