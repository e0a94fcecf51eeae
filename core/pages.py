"""Small helpers every page uses: the permission guard, scoped lookups, pagination, and showing a
refusal.

**403 or 404** (README), one choice per case:

- a page or endpoint a role does not use at all (a list, a queue, an export, a new-record form):
  403, the refusal page — ``@permission_required_or(403, perm)``;
- a record asked for by id that the user cannot see (outside the jurisdiction, or of a kind the
  role never reads): 404, as for an id that does not exist — ``scoped_object_or_404``;
- a record the user sees, and an action on it the role may not take: 403 —
  ``require_permission(user, perm, obj)``.

Every gate is a ``rules`` permission; no view compares role names.
"""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django_filters.constants import EMPTY_VALUES

from .domain import DomainError
from .paging import DeferredJoinPaginator

PAGE_SIZE = 25
REFUSAL_STATUSES = (403, 404)


def require_permission(user, perm: str, obj=None, *, status: int = 403) -> None:
    """Refuse (403, or 404 where no record may be admitted to) unless ``user`` has ``perm``."""
    if status not in REFUSAL_STATUSES:
        raise ValueError(f"a refusal is 403 or 404, not {status}")
    if not user.has_perm(perm, obj):
        if status == 404:
            raise Http404
        raise PermissionDenied


def permission_required_or(status: int, perm: str):
    """The view's page needs ``perm`` (a model-level ``rules`` permission): anonymous visitors go
    to the login page, signed-in users without it get ``status`` (403 for a page, see above)."""
    if status not in REFUSAL_STATUSES:
        raise ValueError(f"a refusal is 403 or 404, not {status}")

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            require_permission(request.user, perm, status=status)
            return view(request, *args, **kwargs)

        guarded.required_permission = perm
        return login_required(guarded)

    return decorator


def scoped_object_or_404(queryset_or_model, user, **lookup):
    """The object if it exists and the user may see it; otherwise 404 (never a 403 that leaks)."""
    queryset = getattr(queryset_or_model, "_default_manager", queryset_or_model)
    return get_object_or_404(queryset.restrict(user), **lookup)


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page of ``queryset`` (the last one if the number is too high), its rows read
    by their ids first (``core.paging``)."""
    return DeferredJoinPaginator(queryset, per_page).get_page(request.GET.get("page"))


def with_query(base: str, *parts: dict | str) -> str:
    """``base`` with a query string of ``parts``: each a dict of parameters (blank values left
    out) or a query string already encoded (a dashboard encodes its figures' once a day)."""
    encoded = (
        urlencode({key: value for key, value in part.items() if value not in (None, "")})
        if isinstance(part, dict)
        else part
        for part in parts
    )
    query = "&".join(part for part in encoded if part)
    return f"{base}?{query}" if query else base


def filter_chips(filterset, skip: Iterable[str] = ()) -> list[dict]:
    """The filters chosen on a list page in words (its label, the value as its field offers it),
    each with the query string of the page without it, from the first page; none when a filter
    is invalid (the page says which)."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    form = filterset.form
    chips = []
    for name, value in form.cleaned_data.items():
        if name in skip or value in EMPTY_VALUES:
            continue
        others = QueryDict(mutable=True)
        others.update(filterset.data)
        for key in (name, "page"):
            others.pop(key, None)
        chips.append(
            {
                "name": name,
                "label": form.fields[name].label,
                "value": _in_words(form.fields[name], value, form[name].value()),
                "without": others.urlencode(),
            }
        )
    return chips


def _in_words(field, value, given) -> str:
    if isinstance(value, Model):
        return str(value)
    # A select's options (a yes/no or a choice filter); a record's were answered above, since
    # listing its options would read the whole table.
    offered = dict(getattr(field.widget, "choices", ()))
    return str(offered.get(given, given))


def refuse_in_form(form, refusal: DomainError) -> int:
    """Put a service's refusal next to the form — under the fields it names, when the form has
    them — and return the HTTP status to answer with."""
    elsewhere = [] if refusal.errors else [refusal.message]
    for field, messages in refusal.errors.items():
        for message in messages:
            if field in form.fields:
                form.add_error(field, message)
            else:
                elsewhere.append(message)
    if elsewhere:
        form.add_error(None, " ".join(str(message) for message in elsewhere))
    return refusal.status_code
