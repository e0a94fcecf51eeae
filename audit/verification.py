"""A walk of the audit log's chain, recorded as an ``AuditVerification`` (``manage.py
audit_verify``; daily by ``oversight.tasks.verify_audit_log``, which tells the audit
administrators when it fails)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import chain
from .models import AuditEntry, AuditVerification


def describe(result: chain.Result, anchor: AuditVerification | None) -> str:
    where = {
        "id": result.broken_id,
        "position": result.broken_position,
        "previous": result.previous_id if result.previous_id is not None else "—",
    }
    if result.ok:
        return _("%(count)d entries, every link intact.") % {"count": result.checked}
    if result.problem == "unsealed":
        return _("Entry #%(id)s (position %(position)s) carries no chain code.") % where
    if result.problem == "mismatch":
        return (
            _(
                "The chain breaks at entry #%(id)s (position %(position)s, after entry "
                "#%(previous)s): that entry was changed or inserted, or one before it was deleted."
            )
            % where
        )
    where["anchor"] = anchor.last_entry_id if anchor else "—"
    if result.problem == "anchor":
        return (
            _(
                "Entry #%(anchor)s, intact at the last verification, is missing or changed (entry "
                "#%(id)s stands at position %(position)s)."
            )
            % where
        )
    return (
        _(
            "Entry #%(anchor)s, intact at the last verification, and the entries after it are "
            "gone (the chain now ends at entry #%(previous)s)."
        )
        % where
    )


def verify_log(batch: int = chain.BATCH) -> AuditVerification:
    """Walk every entry, in pages of ``batch``; record and return the outcome."""
    anchor = (
        AuditVerification.objects.filter(ok=True, last_entry_id__isnull=False)
        .order_by("-started_at", "-pk")
        .first()
    )
    started_at = timezone.now()
    result = chain.verify(
        chain.rows(AuditEntry.objects.all(), batch),
        anchor=(anchor.last_entry_id, anchor.last_mac) if anchor else None,
    )
    return AuditVerification.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        ok=result.ok,
        checked=result.checked,
        last_entry_id=result.last_id,
        last_mac=result.last_mac,
        broken_position=result.broken_position,
        broken_entry_id=result.broken_id,
        detail=describe(result, anchor)[:300],
    )
