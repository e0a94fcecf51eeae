"""Negative-list pages (负面清单): the list, a list's page (entries, source cases, checks, the
actions), drafting and editing a list and its entries, and recording a check.

Reads go through ``restrict``/``scoped_object_or_404``; every write goes through
``negativelists.services`` and a refusal is shown on the page with the refusal's status.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case
from core.domain import DomainError, shanghai_today
from core.pages import (
    filter_chips,
    paginate,
    permission_required_or,
    refuse_in_form,
    require_permission,
    scoped_object_or_404,
)

from . import services
from .filters import NegativeListFilter
from .forms import CheckForm, EntryForm, NegativeListForm
from .models import NegativeList, NegativeListEntry


@permission_required_or(403, "negativelists.view_negativelist")
@require_GET
def list_page(request):
    lists = NegativeList.objects.restrict(request.user).select_related("unit")
    filterset = NegativeListFilter(request.GET, queryset=lists, request=request)
    return render(
        request,
        "negativelists/list.html",
        {
            "filter": filterset,
            "chips": filter_chips(filterset),
            "page_obj": paginate(request, filterset.qs.order_by("-created_at", "-pk")),
        },
    )


def _negative_list(request, pk):
    """The list every page of it starts from: in the user's scope (else 404), theirs to read."""
    negative_list = scoped_object_or_404(
        NegativeList.objects.select_related("unit", "created_by", "measure"),
        request.user,
        pk=pk,
    )
    require_permission(request.user, "negativelists.view_negativelist", negative_list)
    return negative_list


def _detail(request, negative_list, *, error=None, status=200, check_form=None):
    user = request.user
    actions = services.available_actions(user, negative_list)
    if "check" in actions and check_form is None:
        check_form = CheckForm(initial={"checked_on": shanghai_today(), "breaches": 0})
    return render(
        request,
        "negativelists/detail.html",
        {
            "negative_list": negative_list,
            "entries": negative_list.entries.select_related("process_stage"),
            # The cases are case content: each reader sees those their own scope admits.
            "source_cases": Case.objects.restrict(user).filter(negative_lists=negative_list),
            "checks": negative_list.checks.select_related("checked_by"),
            "actions": actions,
            "entry_form": EntryForm() if "edit" in actions else None,
            "check_form": check_form,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk):
    return _detail(request, _negative_list(request, pk))


def _editable_or_refusal(request, negative_list):
    """None when the list's edit pages may open (the user may edit it, it is a draft); else the
    list's page with the refusal (403 for the role, 409 for a list no longer a draft)."""
    require_permission(request.user, services.PERMS["edit"], negative_list)
    try:
        services.require_draft(negative_list)
    except DomainError as refusal:
        return _detail(request, negative_list, error=refusal.message, status=refusal.status_code)
    return None


def _form_page(request, form, *, negative_list=None, status=200):
    return render(
        request,
        "negativelists/list_form.html",
        {"form": form, "negative_list": negative_list},
        status=status,
    )


@permission_required_or(403, "negativelists.add_negativelist")
@require_http_methods(["GET", "POST"])
def create(request):
    if request.method == "GET":
        return _form_page(request, NegativeListForm(user=request.user))
    form = NegativeListForm(request.POST, user=request.user)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            negative_list = services.list_create(
                actor=request.user, unit=data["unit"], tier=data["tier"], title=data["title"]
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, _("The negative list is drafted: add its entries."))
            return redirect("negativelists:detail", negative_list.pk)
    return _form_page(request, form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    negative_list = _negative_list(request, pk)
    if refused := _editable_or_refusal(request, negative_list):
        return refused
    if request.method == "GET":
        initial = {
            "tier": negative_list.tier,
            "title": negative_list.title,
            "measure": negative_list.measure_id,
            "source_cases": list(negative_list.source_cases.values_list("pk", flat=True)),
        }
        form = NegativeListForm(initial=initial, user=request.user, negative_list=negative_list)
        return _form_page(request, form, negative_list=negative_list)
    form = NegativeListForm(request.POST, user=request.user, negative_list=negative_list)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.list_update(
                negative_list=negative_list,
                actor=request.user,
                tier=data["tier"],
                title=data["title"],
                source_cases=data.get("source_cases"),  # absent for who reads no case
                measure=data["measure"],
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, _("The negative list is saved."))
            return redirect("negativelists:detail", negative_list.pk)
    return _form_page(request, form, negative_list=negative_list, status=status)


def _act(request, negative_list, act, done):
    try:
        act()
    except DomainError as refusal:
        return _detail(request, negative_list, error=refusal.message, status=refusal.status_code)
    messages.success(request, done)
    return redirect("negativelists:detail", negative_list.pk)


@login_required
@require_POST
def delete(request, pk):
    negative_list = _negative_list(request, pk)
    try:
        services.list_delete(negative_list=negative_list, actor=request.user)
    except DomainError as refusal:
        return _detail(request, negative_list, error=refusal.message, status=refusal.status_code)
    messages.success(request, _("The draft negative list is deleted."))
    return redirect("negativelists:list")


@login_required
@require_POST
def publish(request, pk):
    negative_list = _negative_list(request, pk)
    return _act(
        request,
        negative_list,
        lambda: services.list_publish(negative_list=negative_list, actor=request.user),
        _("The negative list is published; a list it replaces is withdrawn."),
    )


@login_required
@require_POST
def withdraw(request, pk):
    negative_list = _negative_list(request, pk)
    return _act(
        request,
        negative_list,
        lambda: services.list_withdraw(negative_list=negative_list, actor=request.user),
        _("The negative list is withdrawn."),
    )


def _entry_page(request, form, negative_list, *, entry=None, status=200):
    return render(
        request,
        "negativelists/entry_form.html",
        {"form": form, "negative_list": negative_list, "entry": entry},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request, pk):
    negative_list = _negative_list(request, pk)
    if refused := _editable_or_refusal(request, negative_list):
        return refused
    form = EntryForm(request.POST or None)
    if request.method == "GET":
        return _entry_page(request, form, negative_list)
    status = 400
    if form.is_valid():
        try:
            services.entry_add(negative_list=negative_list, actor=request.user, **form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, _("The entry is added."))
            return redirect("negativelists:detail", negative_list.pk)
    return _entry_page(request, form, negative_list, status=status)


def _entry(request, pk):
    return scoped_object_or_404(
        NegativeListEntry.objects.select_related("negative_list__unit"), request.user, pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    entry = _entry(request, pk)
    negative_list = entry.negative_list
    if refused := _editable_or_refusal(request, negative_list):
        return refused
    if request.method == "GET":
        initial = {
            "risk_point": entry.risk_point,
            "requirement": entry.requirement,
            "kind": entry.kind,
            "process_stage": entry.process_stage_id,
        }
        return _entry_page(request, EntryForm(initial=initial), negative_list, entry=entry)
    form = EntryForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.entry_update(entry=entry, actor=request.user, **form.cleaned_data)
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, _("The entry is saved."))
            return redirect("negativelists:detail", negative_list.pk)
    return _entry_page(request, form, negative_list, entry=entry, status=status)


@login_required
@require_POST
def entry_delete(request, pk):
    entry = _entry(request, pk)
    return _act(
        request,
        entry.negative_list,
        lambda: services.entry_delete(entry=entry, actor=request.user),
        _("The entry is deleted."),
    )


@login_required
@require_POST
def check_add(request, pk):
    negative_list = _negative_list(request, pk)
    require_permission(request.user, services.PERMS["check"], negative_list)
    form = CheckForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.check_record(
                negative_list=negative_list, actor=request.user, **form.cleaned_data
            )
        except DomainError as refusal:
            status = refuse_in_form(form, refusal)
        else:
            messages.success(request, _("The check is recorded."))
            return redirect("negativelists:detail", negative_list.pk)
    return _detail(request, negative_list, status=status, check_form=form)
