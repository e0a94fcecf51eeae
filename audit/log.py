"""The audit log (等保 2.0 安全审计): who did what to which object, from where, and how it ended.

Written from three places, so no path can forget it:

- **signals** for logins, failed logins and logouts, and for every create, update, state change
  and delete of a domain model (``AUDITED_APPS``), whether made by a page, the API, the back office
  or a job — with the fields before and after;
- ``AuditContextMiddleware``, which tells the signals which request (account, role, address) is
  acting — outside a request (Celery jobs, commands) the actor is the system — and records every
  file handed out as an attachment (download or export) and every refusal: a 403, and a service's
  refusal (a ``DomainError``: not allowed, not in this state, invalid), however the page, the API
  or the back office answered it (a form, a message, a JSON error);
- ``record_view``, called by the pages and endpoints that show a case's details.

Rows are append-only: the model refuses changes, and the database refuses UPDATE and DELETE of
rows younger than ``RETENTION_DAYS`` (migration ``accounts.0007``).

The log copies no case content (``accounts.confidentiality``): a record holding case content is
named by its kind and id, its case-content fields are recorded as changed without their values,
and free-text search terms are left out of the addresses recorded.
"""

from contextvars import ContextVar
from urllib.parse import quote

from axes.helpers import get_client_ip_address
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.confidentiality import audit_reference, redacted
from core.domain import collect_refusals

from .models import AuditEntry

Action = AuditEntry.Action
RETENTION_DAYS = 180
# The domain, API tokens, second-factor devices and lockout records (a lockout lifted is a delete).
AUDITED_APPS = frozenset(
    {
        "accounts",
        "cases",
        "recommendations",
        "reforms",
        "crosscase",
        "campaigns",
        "negativelists",
        "otp_totp",
        "axes",
    }
)
# Records that are the system's own bookkeeping (the inbox, the outbox and the log itself are in
# apps not audited).
NOT_AUDITED = frozenset(
    {
        "cases.problemtally",  # counts kept by triggers (cases/tally.py)
        "recommendations.importjob",
        "recommendations.itemtally",  # counts kept by triggers (recommendations/tally.py)
        "reforms.measuretally",  # counts kept by triggers (reforms/tally.py)
        "reforms.tallybasis",
        "axes.accesslog",  # every sign-in, already logged as a login or a failed one
        "axes.accessfailurelog",
    }
)
# Fields whose change alone is not an event worth a row.
QUIET_FIELDS = frozenset({"last_login", "updated_at"})
# An API token's digest is no credential, but the log has no use for it either.
SECRET_FIELDS = frozenset({"password", "key", "digest"})
HIDDEN = "******"
# Attachments of these types are exports of many records (spreadsheets); others are downloads.
EXPORT_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml")
# Query parameters that carry typed search text (a subject's name, a case number): recorded by name.
SEARCH_PARAMETERS = frozenset({"q", "search"})

_current_request = ContextVar("audit_request", default=None)


class AuditContextMiddleware:
    """Makes the request (and so its user and address) known to the audit signals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            with collect_refusals() as refusals:
                response = self.get_response(request)
            _record_response(request, response, refusals)
            return response
        finally:
            _current_request.reset(token)


def _record_response(request, response, refusals=()) -> None:
    where = f"{request.method} {_address(request)}"
    disposition = response.get("Content-Disposition", "")
    if refusals:
        # One entry a request, naming the last refusal (an API bulk create wraps a record's
        # refusal in its own) by its kind and code, never its message: a message may quote what
        # the user typed, which may be case content.
        refusal = refusals[-1]
        detail = f"{where} {type(refusal).__name__}({refusal.code}) {response.status_code}"
        record(Action.VIEW, request=request, outcome=AuditEntry.Outcome.FAILURE, detail=detail)
    elif response.status_code == 403:
        record(Action.VIEW, request=request, outcome=AuditEntry.Outcome.FAILURE, detail=where)
    elif response.status_code == 200 and disposition.startswith("attachment"):
        exported = response.get("Content-Type", "").startswith(EXPORT_TYPES)
        record(Action.EXPORT if exported else Action.DOWNLOAD, request=request, detail=where)


def _address(request) -> str:
    """The path and query, with the values of search parameters left out."""
    if not request.GET:
        return request.path
    query = "&".join(
        f"{quote(name)}={'…' if name in SEARCH_PARAMETERS else quote(value)}"
        for name, values in request.GET.lists()
        for value in values
    )
    return f"{request.path}?{query}"


def record(
    action, obj=None, *, request=None, user=None, username="", changes=None, outcome=None, detail=""
):
    """Append one entry; the actor is ``user``, else the request's user, else the system (or the
    ``username`` someone typed, for a failed login)."""
    request = request or _current_request.get()
    user = user or _request_user(request)
    AuditEntry.objects.create(
        user_id=user.pk if user else None,
        username=user.get_username() if user else username[:150],
        role=getattr(user, "role", "") or "",
        # The address as the lockout sees it (behind a proxy: AXES_PROXY_COUNT).
        ip=get_client_ip_address(request) if request else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=audit_reference(obj)[:200] if obj is not None else "",
        changes=redacted(type(obj), changes) if changes and obj is not None else changes or {},
        outcome=outcome or AuditEntry.Outcome.SUCCESS,
        detail=detail[:300],
    )


def record_view(request, obj) -> None:
    record(Action.VIEW, obj, request=request, detail=request.path)


def _request_user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# ── Logins ───────────────────────────────────────────────────────────────────────────────────


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(Action.LOGIN, user, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, user, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record(
        Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
        outcome=AuditEntry.Outcome.FAILURE,
    )


# ── Writes ───────────────────────────────────────────────────────────────────────────────────


def _audited(model) -> bool:
    meta = model._meta
    return (
        meta.app_label in AUDITED_APPS
        and meta.label_lower not in NOT_AUDITED
        and model.__module__ != "__fake__"  # migrations' historical models: no log table yet
    )


def _values(instance) -> dict:
    """Field values as stored (a file as its name), comparable with ``QuerySet.values()``."""
    return {
        field.attname: _stored(field, getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    }


def _stored(field, value):
    # A counter saved as F("n") + 1 is computed by the database: shown as its expression.
    return str(value) if hasattr(value, "resolve_expression") else field.get_prep_value(value)


def _shown(name, value):
    return HIDDEN if name in SECRET_FIELDS and value else value


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    """The row as stored, read just before it is overwritten (one query per audited update)."""
    if raw or not _audited(sender) or instance._state.adding or instance.pk is None:
        return
    attnames = [field.attname for field in sender._meta.concrete_fields]
    # From the database written to (the primary), never a replica that may lag it (core.db).
    stored = sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk)
    instance._audit_before = stored.values(*attnames).first()


@receiver(post_save)
def _saved(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    after = _values(instance)
    if created:
        changes = {name: [None, _shown(name, value)] for name, value in after.items()}
        record(Action.CREATE, instance, changes=changes)
        return
    before = getattr(instance, "_audit_before", None) or {}
    changed = {
        name: [_shown(name, before.get(name)), _shown(name, value)]
        for name, value in after.items()
        if before.get(name) != value and name not in QUIET_FIELDS
    }
    if changed:
        action = Action.TRANSITION if "status" in changed else Action.UPDATE
        record(action, instance, changes=changed)


@receiver(post_delete)
def _deleted(sender, instance, **kwargs):
    if _audited(sender):
        changes = {name: [_shown(name, value), None] for name, value in _values(instance).items()}
        record(Action.DELETE, instance, changes=changes)


M2M_ACTIONS = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}


@receiver(m2m_changed)
def _links_changed(sender, instance, action, pk_set, **kwargs):
    """Links such as a case's violation types or a recommendation's cases: the ids added or
    removed, on the object the change was made from."""
    if action in M2M_ACTIONS and _audited(type(instance)):
        changes = {_link_name(instance, sender): {M2M_ACTIONS[action]: sorted(pk_set or ())}}
        record(Action.UPDATE, instance, changes=changes)


def _link_name(instance, through) -> str:
    for field in instance._meta.get_fields():
        if field.many_to_many:
            link = field.remote_field.through if field.concrete else field.through
            if link is through:
                return field.name
    return through._meta.model_name
