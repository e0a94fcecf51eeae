"""Small helpers every page uses: scoped lookups, pagination, and showing a refusal."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404

from .domain import DomainError

PAGE_SIZE = 25


def scoped_object_or_404(queryset_or_model, user, **lookup):
    """The object if it exists and the user may see it; otherwise 404 (never a 403 that leaks)."""
    queryset = getattr(queryset_or_model, "_default_manager", queryset_or_model)
    return get_object_or_404(queryset.restrict(user), **lookup)


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page of ``queryset`` (the last one if the number is too high)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def refuse_in_form(form, refusal: DomainError) -> int:
    """Put a service's refusal next to the form; return the HTTP status to answer with."""
    form.add_error(None, refusal.message)
    return refusal.status_code
