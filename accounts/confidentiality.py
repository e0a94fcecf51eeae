"""Case content: what unit officers and the three separated administrators never read.

DESIGN §3 promises that a case-unit officer never sees confidential case details (subject names,
case numbers, amounts, the case narrative and analysis, a letter's preamble that speaks of the
case) and that none of the three administrators reads case content at all.

One declaration, one permission:

- a model that holds case content lists those fields in ``case_content_fields`` (attribute
  names); its name (``str``) counts as case content too, unless it defines ``audit_name``
  returning a name that may be shown to anyone who may see the record;
- the permission ``accounts.view_case_content`` (``accounts/rules.py``) says who reads it.

Every face reads these two: the API serializers (``CaseContentSerializerMixin``), the pages and
documents (``can_read_case_content``), and the audit log (``audit_reference`` and ``redacted``).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

VIEW_CASE_CONTENT = "accounts.view_case_content"
# What the audit log keeps of a case-content field instead of its value: that it was set.
REDACTED = _("(case content, not recorded)")


def can_read_case_content(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_CASE_CONTENT))


def case_content_fields(model) -> frozenset[str]:
    return frozenset(getattr(model, "case_content_fields", ()))


def holds_case_content(model) -> bool:
    return bool(case_content_fields(model))


def audit_reference(obj) -> str:
    """A name for the record that carries no case content: its own ``audit_name``, else the kind
    and id (``案件 #27``) for a record that holds case content, else its ``str``."""
    audit_name = getattr(obj, "audit_name", None)
    if audit_name is not None:
        return str(audit_name())
    if holds_case_content(type(obj)):
        # In the site's language, whichever the actor chose: the log is read by someone else.
        with translation.override(settings.LANGUAGE_CODE):
            return f"{obj._meta.verbose_name} #{obj.pk}"
    return str(obj)


def redacted(model, changes: dict) -> dict:
    """``{field: [before, after]}`` with the values of case-content fields replaced by a mark
    (``None`` stays ``None``: a field set on creation or dropped on deletion still reads so)."""
    hidden = case_content_fields(model)
    with translation.override(settings.LANGUAGE_CODE):
        mark = str(REDACTED)
    return {
        name: [None if value is None else mark for value in values] if name in hidden else values
        for name, values in changes.items()
    }
