"""Finding case content in what a user is shown: the secrets, the text of each answer, the scan.

The secrets are read from the database, not written by hand: every field a model declares as case
content (``case_content_fields``, e.g. a letter's preamble) and, whatever the declarations say,
every text and amount field of the models ``cases.rules.CASE_CONTENT`` names (case, subject, case
analysis, problem). A value is looked for as it is stored and, for amounts, as pages print them
(1860000 · 1860000.00 · 1,860,000 · 186万).
"""

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db import models
from openpyxl import load_workbook

from accounts.confidentiality import case_content_fields as declared
from cases.rules import CASE_CONTENT
from core.encryption.fields import BlindIndexField

from .pdf_text import extract as pdf_extract

MIN_LENGTH = 3  # "刘某" says nothing; "孙某某" does
PREFIX = 16  # long texts are looked for by their opening: pages cut them ("…") but keep the start
CONTEXT = 30
WHITESPACE = re.compile(r"\s+")


def compact(text: str) -> str:
    """Without spaces and line breaks: a PDF or a table cell may wrap a sentence anywhere."""
    return WHITESPACE.sub("", text)


def case_content_fields() -> dict[type, tuple[str, ...]]:
    """Model → its confidential fields: what each model declares, and every text and amount field
    of the case-content models (not choices, dates, flags or links, which say nothing about a case
    on their own, nor the blind index of a sealed name)."""
    fields = {model: tuple(declared(model)) for model in apps.get_models() if declared(model)}
    for name in CASE_CONTENT:
        model = apps.get_model("cases", name)
        fields[model] = tuple(
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.DecimalField)
            and not f.choices
            and not isinstance(f, BlindIndexField)  # an HMAC of a name, shown nowhere
        )
    return fields


def amount_forms(amount: Decimal) -> set[str]:
    whole = int(amount)
    forms = {str(amount), str(whole), f"{whole:,}", f"{amount:,.2f}"}
    wan = amount / 10000
    forms |= {f"{wan:g}万", f"{wan:.2f}万", f"{wan:.1f}万"}
    return {form for form in forms if len(form) >= MIN_LENGTH}


@dataclass
class Secrets:
    """``texts``: needle → where it comes from ("Subject.name #12"); ``amounts``: one regex."""

    texts: dict[str, str] = field(default_factory=dict)
    amounts: dict[str, str] = field(default_factory=dict)
    amount_pattern: re.Pattern | None = None

    @classmethod
    def from_database(cls) -> "Secrets":
        secrets = cls()
        for model, names in case_content_fields().items():
            for row in model._default_manager.values("pk", *names):
                for name in names:
                    origin = f"{model.__name__}.{name} #{row['pk']}"
                    value = row[name]
                    if isinstance(value, Decimal):
                        if value:
                            secrets.amounts.update(dict.fromkeys(amount_forms(value), origin))
                        continue
                    needle = compact(value or "")[:PREFIX]
                    if len(needle) >= MIN_LENGTH:
                        secrets.texts.setdefault(needle, origin)
        alternatives = "|".join(
            re.escape(form) for form in sorted(secrets.amounts, key=len, reverse=True)
        )
        # Not a digit of a longer number (an id, a hash): 1860000 is not 18600001.
        secrets.amount_pattern = re.compile(rf"(?<![\d.,])(?:{alternatives})(?![\d,])")
        return secrets

    def without(self, allowed: str) -> "Secrets":
        """The secrets that do not occur in ``allowed`` (text the viewer may read anyway)."""
        kept = Secrets(
            texts={n: o for n, o in self.texts.items() if n not in allowed},
            amounts=self.amounts,
            amount_pattern=self.amount_pattern,
        )
        return kept

    def exempted_by(self, allowed: str) -> dict[str, str]:
        return {n: o for n, o in self.texts.items() if n in allowed}

    def find(self, text: str):
        """(needle, origin, context) of every secret in ``text`` (already compacted)."""
        for needle, origin in self.texts.items():
            at = text.find(needle)
            if at >= 0:
                yield needle, origin, text[max(0, at - CONTEXT) : at + len(needle) + CONTEXT]
        if self.amount_pattern is not None:
            for match in self.amount_pattern.finditer(text):
                at = match.start()
                context = text[max(0, at - CONTEXT) : match.end() + CONTEXT]
                yield match.group(), self.amounts[match.group()], context
                break


# ── The text of an answer ──────────────────────────────────────────────────────────────────


def json_leaves(value) -> list[str]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in [str(key), *json_leaves(item)]]
    if isinstance(value, list):
        return [leaf for item in value for leaf in json_leaves(item)]
    return [str(value)]


def xlsx_cells(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    book.close()
    return cells


def csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


SEPARATOR = "\x00"  # between cells, leaves and parts: a secret never spans two of them


def readable(data: bytes, content_type: str) -> tuple[str, str]:
    """(channel, text) of a body as its reader sees it: PDF text, every xlsx or CSV cell, every
    JSON value, HTML with its entities decoded."""
    if data.startswith(b"%PDF-"):
        return "pdf", pdf_extract(data)
    if data.startswith(b"PK") and "spreadsheet" in content_type:
        return "xlsx", SEPARATOR.join(xlsx_cells(data))
    if "text/csv" in content_type:
        return "csv", SEPARATOR.join(csv_cells(data))
    if "json" in content_type:
        try:
            return "json", SEPARATOR.join(json_leaves(json.loads(data)))
        except ValueError:
            pass
    if content_type.startswith(("image/", "application/octet-stream")) or (
        data.startswith(b"PK") and "spreadsheet" not in content_type
    ):
        return "binary", ""  # an uploaded photo or document: the unit's own evidence
    text = data.decode("utf-8", errors="replace")
    channel = "html" if "html" in content_type else "text"
    return channel, html.unescape(text)
