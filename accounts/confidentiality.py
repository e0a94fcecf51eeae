"""Case content: what unit officers and the three separated administrators never read.

The roles (docs/architecture.md) promise that a case-unit officer never sees confidential
case details (subject names, case numbers, amounts, the case narrative and analysis, a letter's
preamble that speaks of the case) and that none of the three administrators reads case content
at all.

One declaration, one permission:

- a model that holds case content lists those fields in ``case_content_fields`` (attribute
  names): a unit officer never reads them;
- the permission ``accounts.view_case_content`` (``accounts/rules.py``) says who reads it.

Every face reads these two: the API serializers (``CaseContentSerializerMixin``), the pages and
documents (``can_read_case_content``), and the audit log (``audit_reference`` and ``redacted``),
which goes further because the administrators read no case content at all: it names the domain's
records by kind and id and copies none of their free text.
"""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

VIEW_CASE_CONTENT = "accounts.view_case_content"
# The apps of the domain (cases and what follows from them), whose records the audit log names by
# kind and id and whose free text it does not copy.
DOMAIN_APPS = frozenset({"cases", "recommendations", "reforms", "crosscase"})
# What the audit log keeps of a case-content field instead of its value: that it was set.
REDACTED = _("(case content, not recorded)")


def can_read_case_content(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_CASE_CONTENT))


def case_content_fields(model) -> frozenset[str]:
    return frozenset(getattr(model, "case_content_fields", ()))


def holds_case_content(model) -> bool:
    return bool(case_content_fields(model))


def audit_hidden_fields(model) -> frozenset[str]:
    """Fields whose values the audit log does not copy: the case-content fields, and every free
    text of the domain's records — people write case facts into titles, contents and notes (a
    letter "关于蒋某某案件…", an activity "旁听孙某某案庭审"), so the log says they changed."""
    hidden = set(case_content_fields(model))
    if model._meta.app_label in DOMAIN_APPS:
        hidden |= {
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.choices
        }
    return frozenset(hidden)


def audit_reference(obj) -> str:
    """A name for the record that carries no case content: for the domain's records (and any
    record holding case content) its kind and id, followed by its ``audit_name`` where it has one
    (a letter's document number); ``str`` for the others (accounts, org units)."""
    if obj._meta.app_label not in DOMAIN_APPS and not holds_case_content(type(obj)):
        return str(obj)
    # In the site's language, whichever the actor chose: the log is read by someone else.
    with translation.override(settings.LANGUAGE_CODE):
        reference = f"{obj._meta.verbose_name} #{obj.pk}"
    audit_name = getattr(obj, "audit_name", None)
    name = audit_name() if audit_name is not None else ""
    return f"{reference} {name}" if name else reference


def redacted(model, changes: dict) -> dict:
    """``{field: [before, after]}`` with the values of ``audit_hidden_fields`` replaced by a mark
    (``None`` and ``""`` stay: a field set on creation, dropped on deletion or left empty still
    reads so)."""
    hidden = audit_hidden_fields(model)
    with translation.override(settings.LANGUAGE_CODE):
        mark = str(REDACTED)
    return {
        name: [value if value in (None, "") else mark for value in values]
        if name in hidden and isinstance(values, list)
        else values
        for name, values in changes.items()
    }
