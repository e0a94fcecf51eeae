"""Excel (openpyxl): exports of the measure and case lists, import templates, and imports.

Exports take the page's own filtered, restricted queryset and write it row by row in openpyxl's
write-only mode into a temporary file, so memory stays flat whatever the number of rows.

Imports (a case's problem list, a recommendation's rectification plan) read the first sheet of a
workbook made from the template: every row is checked first and every error is reported by row
and column; only a file without errors is written, in one transaction, through the services
(``cases.services.ProblemList``, ``reforms.services.MeasurePlan``). Any refusal there rolls the
whole file back. ``progress(done, total)`` lets a Celery job report how far it got.
"""

import datetime
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import OrgUnit
from cases import services as case_services
from cases.models import Case, Problem, ProcessStage
from cases.typical import current_selection
from core import uploads
from core.domain import SHANGHAI, DomainError, max_length_of, shanghai_today
from recommendations.models import Recommendation
from reforms import services as reform_services
from reforms.models import Activity, Measure, ReconciliationRow, RuleChange

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_MAX_ROWS = 10_000
# Rows the first sheet may hold at all, empty ones included (Excel keeps formatted empty rows),
# and shared strings the workbook may hold: checked while streaming, before openpyxl parses.
IMPORT_MAX_SHEET_ROWS = 5 * IMPORT_MAX_ROWS
IMPORT_MAX_SHARED_STRINGS = 20 * IMPORT_MAX_ROWS
YES, NO = "是", "否"


def _verbose(model, name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))


def _saved(workbook):
    """The workbook in an anonymous temporary file, positioned at 0 (the caller closes it)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (returned open, closed by the response)
    workbook.save(handle)
    handle.seek(0)
    return handle


# --- Exports -------------------------------------------------------------------------------------


def write_xlsx(
    title: str, headings: list[str], rows: Iterable[list], widths=()
) -> tempfile.SpooledTemporaryFile:
    """A one-sheet workbook in write-only mode, returned as an open file positioned at 0."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(headings)
    for row in rows:
        sheet.append([_as_text(sheet, value) for value in row])
    return _saved(workbook)


def _as_text(sheet, value):
    """A user's text is written as a text cell, never as a formula: openpyxl stores a string that
    starts with "=" as a formula, so a title like "=cmd|' /C calc'!A0" would run in Excel (formula
    injection). Typed as text the cell keeps exactly what was written and nothing is evaluated."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def measures_xlsx(measures, today: datetime.date | None = None):
    """The measure list (a filtered, restricted queryset) as a workbook file."""
    today = today or shanghai_today()
    status_labels = dict(Measure.Status.choices)
    headings = [
        _("No."),
        _verbose(Measure, "unit"),
        _verbose(Recommendation, "doc_number"),
        _("Item number"),
        _verbose(Measure, "content"),
        _verbose(Measure, "standard"),
        _verbose(Measure, "department"),
        _verbose(Measure, "owner_name"),
        _verbose(Measure, "leader_name"),
        _verbose(Measure, "original_due_on"),
        _verbose(Measure, "due_on"),
        _verbose(Measure, "is_standing"),
        _verbose(Measure, "status"),
        _("Days overdue"),
        _verbose(Measure, "signed_off_on"),
    ]
    rows = (
        [
            number,
            measure.unit.name,
            measure.item.recommendation.doc_number,
            measure.item.number,
            measure.content,
            measure.standard,
            measure.department,
            measure.owner_name,
            measure.leader_name,
            measure.original_deadline,
            measure.deadline,
            YES if measure.is_standing else NO,
            str(status_labels[measure.status]),
            measure.days_overdue(today=today) or None,
            measure.signed_off_on,
        ]
        for number, measure in enumerate(
            measures.select_related("unit", "item__recommendation").iterator(chunk_size=2000),
            start=1,
        )
    )
    widths = (6, 24, 18, 8, 50, 36, 14, 10, 10, 12, 12, 8, 10, 8, 12)
    return write_xlsx(_("Measures"), headings, rows, widths)


# Rows whose unit's answer or measure departs from the snapshot (``ReconciliationRow.differences``).
DIFFERENCE_FILL = PatternFill("solid", start_color="FFF3CD", end_color="FFF3CD")


def reconciliation_xlsx(round_, rows):
    """对账销号单: a round's rows (restricted to the reader), the snapshot beside the unit's answer
    and the staff's confirmation, both sides' words; the rows that differ are shaded."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Reconciliation sheet"))[:31])
    widths = (6, 20, 18, 44, 10, 12, 12, 10, 16, 36, 10, 10, 36, 10, 36)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    title = _("Reconciliation sheet: %(what)s, as of %(day)s") % {
        "what": round_.target_name,
        "day": f"{round_.as_of:%Y-%m-%d}",
    }
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.append(
        [
            _("No."),
            _verbose(Measure, "unit"),
            _verbose(Recommendation, "doc_number"),
            _verbose(Measure, "content"),
            _verbose(Measure, "owner_name"),
            _verbose(ReconciliationRow, "snapshot_status"),
            _verbose(ReconciliationRow, "snapshot_due_on"),
            _verbose(ReconciliationRow, "snapshot_signal"),
            _verbose(ReconciliationRow, "answer"),
            _verbose(ReconciliationRow, "answer_note"),
            _verbose(ReconciliationRow, "answered_by"),
            _verbose(ReconciliationRow, "confirmation"),
            _verbose(ReconciliationRow, "confirmation_note"),
            _verbose(ReconciliationRow, "confirmed_by"),
            _("Differences"),
        ]
    )
    for number, row in enumerate(rows, start=1):
        measure = row.measure
        differences = row.differences()
        values = [
            number,
            measure.unit.name,
            measure.item.recommendation.doc_number,
            measure.content,
            measure.owner_name,
            row.get_snapshot_status_display(),
            row.snapshot_due_on,
            row.get_snapshot_signal_display(),
            row.get_answer_display(),
            row.answer_note,
            str(row.answered_by or ""),
            row.get_confirmation_display(),
            row.confirmation_note,
            str(row.confirmed_by or ""),
            "；".join(differences),
        ]
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula (``_as_text``)
            if differences:
                cell.fill = DIFFERENCE_FILL
            cells.append(cell)
        sheet.append(cells)
    return _saved(workbook)


def campaign_xlsx(campaign, rows):
    """举一反三 progress: each campaign unit the reader sees (annotated by
    ``campaigns.progress.with_unit_progress``): in a cross-inspection its inspector unit and team,
    answered or not, problems found, the measures on its self-inspection list open and overdue,
    urging; then the checklist."""
    cross = campaign.is_cross
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(campaign.get_mode_display())[:31])
    widths = (6, 30, *((30, 30) if cross else ()), 12, 12, 14, 12, 12, 10, 12, 26)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    heading = WriteOnlyCell(sheet, value=campaign.title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.append(
        [
            _("No."),
            _("Unit"),
            *((_("Inspected by"), _("Inspection team")) if cross else ()),
            _("Answer"),
            _("Answered on"),
            _("Problems found"),
            _("Measures open"),
            _("Overdue"),
            _("Urged"),
            _("Last urged on"),
            _("Self-inspection rectification list"),
        ]
    )
    for number, row in enumerate(rows, start=1):
        values = [
            number,
            row.unit.name,
            *((row.inspector.name if row.inspector_id else "", row.team) if cross else ()),
            row.get_status_display(),
            row.answered_at.astimezone(SHANGHAI).date() if row.answered_at else None,
            row.found_count,
            *(
                (row.open_count, row.overdue_count)
                if getattr(row, "list_visible", True)
                else (None, None)
            ),
            row.urged_count,
            row.last_urged_on,
            row.rectification.doc_number
            if row.rectification_id and getattr(row, "list_visible", True)
            else "",
        ]
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula (``_as_text``)
            cells.append(cell)
        sheet.append(cells)
    sheet.append([])
    sheet.append([_("Checklist")])
    for item in campaign.items.select_related("process_stage"):
        cells = []
        for value in (
            item.number,
            item.get_category_display(),
            str(item.process_stage or ""),
            item.text,
        ):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    return _saved(workbook)


def _typical_cells(case) -> list[str]:
    """典型案例: yes or no, and the reasons it was chosen (a withdrawn selection reads no)."""
    selection = current_selection(case)
    if selection is None:
        return [NO, ""]
    return [YES, "、".join(selection.reason_labels())]


def cases_xlsx(cases):
    """The case list (filtered, restricted, annotated with ``has_top_leader``) as a workbook."""
    sectors, statuses, levels = (
        dict(Case._meta.get_field(name).choices) for name in ("sector", "status", "level")
    )
    headings = [
        _("No."),
        _verbose(Case, "number"),
        _verbose(Case, "title"),
        _verbose(Case, "case_unit"),
        _verbose(Case, "commission"),
        _verbose(Case, "sector"),
        _verbose(Case, "level"),
        _verbose(Case, "amount"),
        _verbose(Case, "status"),
        _verbose(Case, "opened_on"),
        _verbose(Case, "closed_on"),
        _("Top leader involved"),
        _("Typical case"),
        _("Chosen as typical for"),
    ]
    rows = (
        [
            number,
            case.number,
            case.title,
            case.case_unit.name,
            case.commission.name,
            str(sectors.get(case.sector, case.sector)),
            str(levels.get(case.level, case.level)),
            case.amount,
            str(statuses.get(case.status, case.status)),
            case.opened_on,
            case.closed_on,
            YES if getattr(case, "has_top_leader", False) else NO,
            *_typical_cells(case),
        ]
        for number, case in enumerate(
            cases.select_related("case_unit", "commission", "typical").iterator(chunk_size=2000),
            start=1,
        )
    )
    widths = (6, 16, 40, 24, 20, 16, 14, 14, 10, 12, 12, 10, 10, 24)
    return write_xlsx(_("Cases"), headings, rows, widths)


def recommendations_xlsx(recommendations):
    """The recommendation list (filtered, restricted, annotated with ``item_count``)."""
    kinds, statuses = (
        dict(Recommendation._meta.get_field(name).choices) for name in ("kind", "status")
    )
    headings = [
        _("No."),
        _verbose(Recommendation, "doc_number"),
        _verbose(Recommendation, "kind"),
        _verbose(Recommendation, "title"),
        _verbose(Recommendation, "issuer"),
        _verbose(Recommendation, "recipient_unit"),
        _verbose(Recommendation, "status"),
        _verbose(Recommendation, "issued_on"),
        _verbose(Recommendation, "reply_due_on"),
        _("Items"),
    ]
    rows = (
        [
            number,
            recommendation.doc_number,
            str(kinds.get(recommendation.kind, recommendation.kind)),
            recommendation.title,
            recommendation.issuer.name,
            recommendation.recipient_unit.name,
            str(statuses.get(recommendation.status, recommendation.status)),
            recommendation.issued_on,
            recommendation.reply_due_on,
            getattr(recommendation, "item_count", None),
        ]
        for number, recommendation in enumerate(
            recommendations.select_related("issuer", "recipient_unit").iterator(chunk_size=2000),
            start=1,
        )
    )
    widths = (6, 18, 16, 44, 20, 24, 10, 12, 12, 8)
    return write_xlsx(_("Recommendations"), headings, rows, widths)


# --- Import formats ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    heading: Callable[[], str]  # the heading in the active language
    width: int
    required: bool = True
    text_field: tuple | None = None  # (model, field name) of a text column: its length limit

    @property
    def max_length(self) -> int | None:
        return max_length_of(*self.text_field) if self.text_field else None


def text_column(model, name: str, width: int, **kwargs) -> Column:
    """A column filling a text field: its heading and length limit are the field's."""
    return Column(lambda: _verbose(model, name), width, text_field=(model, name), **kwargs)


PROBLEM_COLUMNS = (
    Column(lambda: _verbose(Problem, "category"), 18),
    Column(lambda: _verbose(Problem, "process_stage"), 16),
    Column(lambda: _verbose(Problem, "unit"), 28, required=False),
    text_column(Problem, "description", 60),
)
PLAN_COLUMNS = (
    Column(lambda: str(_("Item number")), 10),
    text_column(Measure, "content", 50),
    text_column(Measure, "standard", 36),
    text_column(Measure, "department", 16, required=False),
    text_column(Measure, "owner_name", 10),
    text_column(Measure, "leader_name", 10),
    Column(lambda: str(_("Due date")), 14),
    Column(lambda: _verbose(Measure, "is_standing"), 10, required=False),
)
RULE_CHANGE_COLUMNS = (
    Column(lambda: _verbose(RuleChange, "kind"), 10),
    text_column(RuleChange, "title", 50),
    Column(lambda: _verbose(RuleChange, "effective_on"), 14, required=False),
)
ACTIVITY_COLUMNS = (
    Column(lambda: _verbose(Activity, "kind"), 22),
    text_column(Activity, "title", 40),
    Column(lambda: _verbose(Activity, "held_on"), 14),
    Column(lambda: _verbose(Activity, "participant_count"), 10),
    text_column(Activity, "notes", 40, required=False),
)
HOW_TO = gettext_lazy(
    "Fill in one row per line from row 2 on; keep the headings in row 1. Dates as 2026-06-30. "
    "Nothing is imported while any row has an error: every error is listed by row and column."
)


def _labels(choices) -> list[str]:
    return [str(label) for _value, label in choices]


@dataclass(frozen=True)
class ImportFormat:
    """One kind of import: its sheet's columns, drop-down lists, date columns and notes."""

    sheet_title: Callable[[], str]
    columns: tuple[Column, ...]
    lists: Callable[[], dict[int, list[str]]] = dict  # column index → the values offered
    date_columns: tuple[int, ...] = ()
    notes: Callable[[], list[str]] = list


def _problem_lists() -> dict[int, list[str]]:
    return {
        0: _labels(Problem.Category.choices),
        1: list(ProcessStage.objects.values_list("name", flat=True)),
    }


def _problem_notes() -> list[str]:
    lists = _problem_lists()
    return [
        _("Categories: %(choices)s") % {"choices": "、".join(lists[0])},
        _("Process stages: %(choices)s") % {"choices": "、".join(lists[1])},
        _("Unit: leave empty for the case unit."),
    ]


FORMATS = {
    "problems": ImportFormat(
        lambda: _("Problems"), PROBLEM_COLUMNS, _problem_lists, notes=_problem_notes
    ),
    "plan": ImportFormat(
        lambda: _("Rectification plan"),
        PLAN_COLUMNS,
        lambda: {7: [YES, NO]},
        date_columns=(6,),
        notes=lambda: [
            _(
                "Due date: leave it empty for a standing measure (长期坚持: 是); a date "
                "there is set aside."
            )
        ],
    ),
    "rule_changes": ImportFormat(
        lambda: _("Rule changes"),
        RULE_CHANGE_COLUMNS,
        lambda: {0: _labels(RuleChange.Kind.choices)},
        date_columns=(2,),
        notes=lambda: [_("Effective date: may be left empty.")],
    ),
    "activities": ImportFormat(
        lambda: _("Activities"),
        ACTIVITY_COLUMNS,
        lambda: {0: _labels(Activity.Kind.choices)},
        date_columns=(2,),
    ),
}


def _headings(columns, language: str | None = None) -> list[str]:
    if language is None:
        return [column.heading() for column in columns]
    with translation.override(language):
        return [column.heading() for column in columns]


def template_xlsx(kind: str):
    """The blank import template of ``kind`` (see ``FORMATS``) with headings, lists and a how-to."""
    form = FORMATS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = form.sheet_title()
    sheet.append(_headings(form.columns))
    for index, column in enumerate(form.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.cell(row=1, column=index).font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, values in form.lists().items():
        listed = ",".join(values)
        if values and len(listed) < 250:  # Excel's limit for an inline list
            letter = get_column_letter(index + 1)
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}{IMPORT_MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    for index in form.date_columns:
        for row in range(2, 200):
            sheet.cell(row=row, column=index + 1).number_format = "yyyy-mm-dd"
    notes = workbook.create_sheet(_("How to fill in"))
    notes.column_dimensions["A"].width = 100
    for line in (str(HOW_TO), *form.notes()):
        notes.append([line])
    return _saved(workbook)


# --- Reading and checking a file ------------------------------------------------------------------


class ImportRefused(Exception):
    """The file as a whole cannot be read (not Excel, too big, wrong headings, no rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
ROW_OF_REF = re.compile(r"[A-Za-z]*(\d+)$")


class _TooMany(Exception):
    pass


def _stream_xml(archive, name: str, start) -> None:
    """Feed one member to expat in chunks (namespaces resolved as "uri tag")."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    with archive.open(name) as stream:
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _first_sheet(archive) -> str | None:
    """The zip member of the workbook's first sheet (the one openpyxl reads first)."""
    found = {}

    def workbook(tag, attributes):
        if tag == f"{SHEET_NS} sheet" and "sheet" not in found:
            found["sheet"] = attributes.get(f"{REL_NS} id")

    def relationships(tag, attributes):
        if tag == f"{PACKAGE_REL_NS} Relationship" and attributes.get("Id") == found.get("sheet"):
            found["target"] = attributes.get("Target", "")

    _stream_xml(archive, "xl/workbook.xml", workbook)
    _stream_xml(archive, "xl/_rels/workbook.xml.rels", relationships)
    target = found.get("target")
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _last_row(reference: str | None) -> int:
    """The row of a cell reference's end, e.g. 20000001 for "A1:H20000001"; 0 when unreadable."""
    match = ROW_OF_REF.search((reference or "").split(":")[-1])
    return int(match.group(1)) if match else 0


def check_sheet_size(upload) -> None:
    """Before any full parse: the first sheet has at most ``IMPORT_MAX_SHEET_ROWS`` rows (by its
    ``<dimension>``, by the rows it holds and by their numbers — openpyxl fills gaps and trusts the
    dimension, so one row numbered 20,000,000 would be 20 million rows to read), and the shared
    strings at most ``IMPORT_MAX_SHARED_STRINGS`` (openpyxl loads them all into memory). Streamed
    with expat, one chunk in memory; call it after ``uploads.check_inflation``.
    """
    too_many_rows = ImportRefused(
        _(
            "The sheet has more than %(max)d rows (empty ones included); at most %(rows)d rows "
            "can be imported at once."
        )
        % {"max": IMPORT_MAX_SHEET_ROWS, "rows": IMPORT_MAX_ROWS}
    )
    too_many_strings = ImportRefused(
        _(
            "The workbook holds more than %(max)d different texts; at most %(rows)d rows can be "
            "imported at once."
        )
        % {"max": IMPORT_MAX_SHARED_STRINGS, "rows": IMPORT_MAX_ROWS}
    )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            sheet = _first_sheet(archive) if "xl/workbook.xml" in names else None
            # Unresolvable: every worksheet must pass.
            sheets = (
                [sheet]
                if sheet in names
                else sorted(
                    name
                    for name in names
                    if name.startswith("xl/worksheets/") and name.endswith(".xml")
                )
            )
            for name in sheets:
                counted = {"rows": 0}

                def count_rows(tag, attributes, counted=counted):
                    if tag == f"{SHEET_NS} row":
                        counted["rows"] += 1
                        number = attributes.get("r")
                        if counted["rows"] > IMPORT_MAX_SHEET_ROWS or (
                            number and number.isdigit() and int(number) > IMPORT_MAX_SHEET_ROWS
                        ):
                            raise _TooMany
                    elif (
                        tag == f"{SHEET_NS} dimension"
                        and _last_row(attributes.get("ref")) > IMPORT_MAX_SHEET_ROWS
                    ):
                        raise _TooMany

                try:
                    _stream_xml(archive, name, count_rows)
                except _TooMany:
                    raise too_many_rows from None
            if "xl/sharedStrings.xml" in names:
                counted = {"strings": 0}

                def count_strings(tag, attributes):
                    if tag == f"{SHEET_NS} si":
                        counted["strings"] += 1
                        if counted["strings"] > IMPORT_MAX_SHARED_STRINGS:
                            raise _TooMany

                try:
                    _stream_xml(archive, "xl/sharedStrings.xml", count_strings)
                except _TooMany:
                    raise too_many_strings from None
    except (zipfile.BadZipFile, KeyError, expat.ExpatError, OSError, RuntimeError) as error:
        raise ImportRefused(_not_excel()) from error
    finally:
        upload.seek(0)


def _not_excel() -> str:
    """The message for a file that is no workbook, in the active language."""
    return _(
        "The file is not an Excel workbook (.xlsx). Download the template, fill it in "
        "and upload it again."
    )


def read_rows(upload, columns) -> list[tuple[int, tuple]]:
    """``(row number, values)`` of the non-empty rows of the first sheet, after the headings.

    Before openpyxl parses anything: the size of the upload, its type, what it inflates to
    (``uploads.check_inflation``) and how many rows the sheet holds (``check_sheet_size``).
    """
    try:
        uploads.check_size(upload, settings.IMPORT_MAX_BYTES)
    except uploads.UploadRefused as refusal:
        raise ImportRefused(refusal.message) from refusal
    not_excel = ImportRefused(_not_excel())
    try:
        uploads.check_type(upload, uploads.IMPORT_TYPES)
    except uploads.UploadRefused as refusal:
        raise not_excel from refusal
    try:
        uploads.check_inflation(
            upload, settings.IMPORT_MAX_INFLATED_BYTES, settings.IMPORT_MAX_COMPRESSION_RATIO
        )
    except uploads.UploadRefused as refusal:
        raise ImportRefused(refusal.message) from refusal
    check_sheet_size(upload)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise not_excel from error
    try:
        sheet = workbook.worksheets[0]
        # Bounded whatever the sheet claims: openpyxl pads every row to the <dimension>'s width
        # and yields empty rows up to its height.
        rows = sheet.iter_rows(
            max_col=len(columns), max_row=IMPORT_MAX_SHEET_ROWS, values_only=True
        )
        first = next(rows, ())
        found = [str(value).strip() if value is not None else "" for value in first]
        found = (found + [""] * len(columns))[: len(columns)]
        accepted = [
            {heading, english}
            for heading, english in zip(_headings(columns), _headings(columns, "en"), strict=True)
        ]
        if any(name not in names for name, names in zip(found, accepted, strict=True)):
            raise ImportRefused(
                _("The first row must hold the template's headings: %(headings)s.")
                % {"headings": "、".join(_headings(columns))}
            )
        result = []
        for number, values in enumerate(rows, start=2):
            values = (tuple(values) + (None,) * len(columns))[: len(columns)]
            if all(value is None or str(value).strip() == "" for value in values):
                continue
            result.append((number, values))
            if len(result) > IMPORT_MAX_ROWS:
                raise ImportRefused(_("Too many rows: at most %(max)d.") % {"max": IMPORT_MAX_ROWS})
    finally:
        workbook.close()
    if not result:
        raise ImportRefused(_("The file has no rows to import."))
    return result


class _Row:
    """Collects the errors of one row, each with its column letter and heading."""

    def __init__(self, number: int, values: tuple, columns, errors: list[str]):
        self.number, self.values, self.columns, self.errors = number, values, columns, errors

    def error(self, index: int, message: str) -> None:
        self.errors.append(
            _("Row %(row)d, column %(column)s (%(heading)s): %(message)s")
            % {
                "row": self.number,
                "column": get_column_letter(index + 1),
                "heading": self.columns[index].heading(),
                "message": message,
            }
        )

    def text(self, index: int) -> str:
        value = self.values[index]
        if value is None:
            text = ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
        column = self.columns[index]
        if column.required and not text:
            self.error(index, _("Fill this in."))
        elif column.max_length and len(text) > column.max_length:
            self.error(
                index, _("Too long: at most %(max)d characters.") % {"max": column.max_length}
            )
        return text

    def date(self, index: int) -> datetime.date | None:
        value = self.values[index]
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = self.text(index)
        if not text:
            return None
        normalised = text.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
        try:
            year, month, day = (int(part) for part in normalised.rstrip("日").split("-"))
            return datetime.date(year, month, day)
        except ValueError:
            self.error(index, _("Not a date; write it as 2026-06-30."))
            return None

    def count(self, index: int) -> int | None:
        """A whole number of at least one (a head count)."""
        text = self.text(index)
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            number = 0
        if number < 1:
            self.error(index, _("Write a whole number of at least 1."))
            return None
        return number

    def yes_no(self, index: int) -> bool:
        text = self.text(index)
        if text in ("", NO, "否", "no", "No", "N", "n", "0", "False", "FALSE"):
            return False
        if text in (YES, "yes", "Yes", "Y", "y", "1", "True", "TRUE"):
            return True
        self.error(index, _("Write 是 (yes) or 否 (no)."))
        return False


def _apply(
    result: ImportResult, rows: list[tuple[int, dict]], create, progress, save=None
) -> ImportResult:
    """Write every checked row in one transaction; any refusal rolls the whole file back. Given
    ``save``, ``create`` only checks a row and ``save()`` writes them all (``bulk_create`` in
    ``core.api`` takes the same pair); the outcomes' imports create row by row."""
    if result.errors:
        return result
    if progress:
        progress(len(rows), len(rows), saving=True)
    try:
        with transaction.atomic():
            for number, data in rows:
                try:
                    create(data)
                except DomainError as refusal:
                    result.errors.append(
                        _("Row %(row)d: %(message)s") % {"row": number, "message": refusal.message}
                    )
            if result.errors:
                raise _RollBack
            if save is not None:
                save()
    except _RollBack:
        return result
    result.created = len(rows)
    return result


class _RollBack(Exception):
    pass


def _checked(progress, done: int, total: int) -> None:
    if progress and done % 100 == 0:
        progress(done, total, saving=False)


def _choice_lookup(choices) -> dict[str, str]:
    """Each choice by its label in Chinese and in English, and by its stored value."""
    lookup = {}
    for value, label in choices:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[str(label)] = value
        lookup[value] = value
    return lookup


def _choice(row: _Row, index: int, lookup: dict[str, str], choices) -> str | None:
    text = row.text(index)
    if text and text not in lookup:
        row.error(
            index,
            _("Unknown value; use one of: %(choices)s.") % {"choices": "、".join(_labels(choices))},
        )
    return lookup.get(text)


# --- Problem list --------------------------------------------------------------------------------


def import_problems(user, case: Case, upload, progress=None) -> ImportResult:
    """A case's problem list from the template; all rows or none (``ImportRefused``: the file)."""
    rows = read_rows(upload, PROBLEM_COLUMNS)
    result = ImportResult(total=len(rows))
    categories = _choice_lookup(Problem.Category.choices)
    stages = {stage.name: stage for stage in ProcessStage.objects.all()}
    units: dict[str, list[OrgUnit]] = {}
    for unit in OrgUnit.objects.restrict(user):
        units.setdefault(unit.name, []).append(unit)
    checked = []
    for done, (number, values) in enumerate(rows, start=1):
        row = _Row(number, values, PROBLEM_COLUMNS, result.errors)
        category = row.text(0)
        if category and category not in categories:
            row.error(
                0,
                _("Unknown category; use one of: %(choices)s.")
                % {"choices": "、".join(str(label) for _v, label in Problem.Category.choices)},
            )
        stage_name = row.text(1)
        if stage_name and stage_name not in stages:
            row.error(
                1,
                _("Unknown process stage; use one of: %(choices)s.")
                % {"choices": "、".join(stages)},
            )
        unit_name = row.text(2)
        unit = case.case_unit
        if unit_name:
            named = units.get(unit_name, [])
            if not named:
                row.error(2, _("No unit of this name in your jurisdiction."))
            elif len(named) > 1:
                row.error(2, _("Several units in your jurisdiction have this name."))
            else:
                unit = named[0]
        description = row.text(3)
        checked.append(
            (
                number,
                {
                    "unit": unit,
                    "category": categories.get(category),
                    "process_stage": stages.get(stage_name),
                    "description": description,
                },
            )
        )
        _checked(progress, done, len(rows))
    problems = case_services.ProblemList(user)
    return _apply(
        result, checked, lambda data: problems.add(case=case, **data), progress, problems.save
    )


# --- Rectification plan --------------------------------------------------------------------------


def import_plan(user, recommendation: Recommendation, upload, progress=None) -> ImportResult:
    """Measures under a recommendation's items from the template; all rows or none."""
    rows = read_rows(upload, PLAN_COLUMNS)
    result = ImportResult(total=len(rows))
    items = {item.number: item for item in recommendation.items.restrict(user)}
    checked = []
    for done, (number, values) in enumerate(rows, start=1):
        row = _Row(number, values, PLAN_COLUMNS, result.errors)
        item_text = row.text(0)
        item = None
        if item_text:
            try:
                item_number = int(item_text)
            except ValueError:
                row.error(0, _("Write the item's number, e.g. 1."))
            else:
                item = items.get(item_number)
                if item is None:
                    row.error(
                        0,
                        _("This recommendation has no item %(number)s.") % {"number": item_text},
                    )
        data = {
            "item": item,
            "content": row.text(1),
            "standard": row.text(2),
            "department": row.text(3),
            "owner_name": row.text(4),
            "leader_name": row.text(5),
            "due_on": row.date(6),
            "is_standing": row.yes_no(7),
        }
        issued_on = recommendation.issued_on
        if data["due_on"] and issued_on and data["due_on"] < issued_on:
            row.error(
                6,
                _("The due date cannot be before the recommendation was issued (%(date)s).")
                % {"date": issued_on.isoformat()},
            )
        checked.append((number, data))
        _checked(progress, done, len(rows))
    plan = reform_services.MeasurePlan(user)
    return _apply(result, checked, lambda data: plan.add(**data), progress, plan.save)


# --- Outcomes: rule changes and activities -------------------------------------------------------


def _import_outcomes(user, recommendation, upload, progress, *, columns, read, create):
    """A recommendation's outcomes of one kind: each row checked by ``read(row)``, then all
    created by ``create`` (a service) or none."""
    rows = read_rows(upload, columns)
    result = ImportResult(total=len(rows))
    checked = []
    for done, (number, values) in enumerate(rows, start=1):
        checked.append((number, read(_Row(number, values, columns, result.errors))))
        _checked(progress, done, len(rows))
    return _apply(
        result,
        checked,
        lambda data: create(actor=user, recommendation=recommendation, **data),
        progress,
    )


def import_rule_changes(user, recommendation: Recommendation, upload, progress=None):
    """A recommendation's rule changes (立改废释) from the template; all rows or none."""
    kinds = _choice_lookup(RuleChange.Kind.choices)
    return _import_outcomes(
        user,
        recommendation,
        upload,
        progress,
        columns=RULE_CHANGE_COLUMNS,
        read=lambda row: {
            "kind": _choice(row, 0, kinds, RuleChange.Kind.choices),
            "title": row.text(1),
            "effective_on": row.date(2),
        },
        create=reform_services.rule_change_create,
    )


def import_activities(user, recommendation: Recommendation, upload, progress=None):
    """A recommendation's activities (education, meetings, talks, rotations); all rows or none."""
    kinds = _choice_lookup(Activity.Kind.choices)
    return _import_outcomes(
        user,
        recommendation,
        upload,
        progress,
        columns=ACTIVITY_COLUMNS,
        read=lambda row: {
            "kind": _choice(row, 0, kinds, Activity.Kind.choices),
            "title": row.text(1),
            "held_on": row.date(2),
            "participant_count": row.count(3),
            "notes": row.text(4),
        },
        create=reform_services.activity_create,
    )


IMPORTERS = {
    "problems": import_problems,
    "plan": import_plan,
    "rule_changes": import_rule_changes,
    "activities": import_activities,
}


def evaluation_xlsx(report: dict):
    """质效评估 of one session as a workbook: the combined scores by indicator (the mean, the
    spread, the points and the figure from the records), the total and the grade, then each
    evaluator's scores for case readers. ``report`` is ``documents.evaluation_report_context``,
    so the spreadsheet and the PDF say the same."""
    session, results = report["session"], report["results"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Evaluation"))[:31])
    for index, width in enumerate((6, 14, 28, 8, 8, 30, 10, 10, 10, 10, 10, 10), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    recommendation = session.recommendation
    heading = WriteOnlyCell(
        sheet,
        value=_("On-site evaluation: %(unit)s, %(doc)s, %(day)s")
        % {
            "unit": recommendation.recipient_unit.name,
            "doc": recommendation.doc_number,
            "day": f"{session.scheduled_on:%Y-%m-%d}",
        },
    )
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.append(
        [
            _("No."),
            _("Group"),
            _("Indicator"),
            _("Weight"),
            _("Maximum"),
            _("Figure from the records"),
            _("Mean"),
            _("Lowest"),
            _("Highest"),
            _("Spread"),
            _("Std. dev."),
            _("Points"),
        ]
    )
    for row in results.indicators:
        indicator = row.indicator
        sheet.append(
            [
                indicator.position,
                _as_text(sheet, indicator.get_group_display()),
                _as_text(sheet, indicator.name),
                indicator.weight,
                indicator.max_score,
                _as_text(sheet, row.figure),
                row.mean,
                row.low,
                row.high,
                row.range,
                row.stdev,
                row.points,
            ]
        )
    bold = Font(bold=True)
    total = [WriteOnlyCell(sheet, value=str(_("Total")))]
    total[0].font = bold
    sheet.append([*total, "", "", results.weight, "", "", "", "", "", "", "", results.total])
    sheet.append([str(_("Score")), report["score"]])
    sheet.append([str(_("Grade")), _as_text(sheet, report["rating"])])
    sheet.append([str(_("Evaluators")), len(report["members"])])
    if report["ballots"]:
        ballots = workbook.create_sheet(title=str(_("Each evaluator's scores"))[:31])
        ballots.append([_("Evaluator"), *(_as_text(ballots, i.name) for i in report["indicators"])])
        for ballot in report["ballots"]:
            ballots.append([_as_text(ballots, ballot["name"]), *ballot["scores"]])
    hearing = workbook.create_sheet(title=str(_("The hearing"))[:31])
    hearing.column_dimensions["A"].width = 18
    hearing.column_dimensions["B"].width = 100
    for label, value in (
        (_("Reported by"), session.reporter),
        (_("The unit head's report"), session.report),
        (_("The panel's questions"), session.questions),
        (_("The panel's conclusion"), session.conclusion),
    ):
        hearing.append([str(label), _as_text(hearing, value)])
    return _saved(workbook)


def evaluation_ranking_xlsx(ranking: dict):
    """质效评估排名 (``dashboard.evaluation_ranking``): units, then sectors, by mean score."""
    workbook = Workbook(write_only=True)
    period = f"{ranking['start']:%Y-%m-%d}—{ranking['end']:%Y-%m-%d}"
    for title, key, label in (
        (_("Units"), "units", _("Unit")),
        (_("Sectors"), "sectors", _("Sector")),
    ):
        sheet = workbook.create_sheet(title=str(title)[:31])
        for index, width in enumerate((8, 30, 12, 12, 12, 12), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        heading = WriteOnlyCell(
            sheet, value=_("Evaluation ranking, %(period)s") % {"period": period}
        )
        heading.font = Font(bold=True, size=14)
        sheet.append([heading])
        sheet.append(
            [_("Rank"), label, _("Mean score"), _("Evaluations"), _("Lowest"), _("Highest")]
        )
        for row in ranking[key]:
            sheet.append(
                [
                    row["rank"],
                    _as_text(sheet, str(row["label"])),
                    row["mean"],
                    row["count"],
                    row["low"],
                    row["high"],
                ]
            )
    return _saved(workbook)


# Problems listed in the 问题清单 sheet, at most (the matrix counts them all).
CROSSCASE_PROBLEM_ROWS = 10_000


def crosscase_xlsx(report: dict, cases, problems):
    """类案分析's annexes: 案件清单 (the case set), 问题矩阵 (the matrix with its totals) and
    问题清单 (every problem behind the matrix, with its case). ``report`` is
    ``documents.crosscase_report_context``, so the annexes and the PDF say the same; ``cases``
    and ``problems`` are ``crosscase.tables``' querysets."""
    workbook = Workbook(write_only=True)
    listing = workbook.create_sheet(title="案件清单")
    for index, width in enumerate((18, 40, 24, 16, 14, 12, 16, 10, 10), start=1):
        listing.column_dimensions[get_column_letter(index)].width = width
    listing.append(
        [
            "案件编号",
            "案件名称",
            "案发单位",
            "行业领域",
            "干部层级",
            "立案日期",
            "涉案金额（元）",
            "状态",
            "问题数",
        ]
    )
    for case in cases:
        listing.append(
            [
                _as_text(listing, case.number),
                _as_text(listing, case.title),
                _as_text(listing, case.case_unit.name),
                str(case.get_sector_display()),
                str(case.get_level_display()),
                case.opened_on,
                case.amount,
                str(case.get_status_display()),
                case.problem_count,
            ]
        )
    matrix = report["matrix"]
    grid = workbook.create_sheet(title="问题矩阵")
    grid.column_dimensions["A"].width = 20
    grid.append(["问题类别", *(_as_text(grid, stage["name"]) for stage in matrix.stages), "合计"])
    for row in matrix.rows:
        grid.append([row["label"], *(cell["count"] for cell in row["cells"]), row["total"]])
    grid.append(["合计", *(stage["total"] for stage in matrix.stages), matrix.total])
    sheet = workbook.create_sheet(title="问题清单")
    for index, width in enumerate((18, 36, 16, 16, 24, 60), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(["案件编号", "案件名称", "问题类别", "业务环节", "问题所在单位", "问题描述"])
    for problem in problems[:CROSSCASE_PROBLEM_ROWS]:
        sheet.append(
            [
                _as_text(sheet, problem.case.number),
                _as_text(sheet, problem.case.title),
                str(problem.get_category_display()),
                _as_text(sheet, problem.process_stage.name),
                _as_text(sheet, problem.unit.name),
                _as_text(sheet, problem.description),
            ]
        )
    return _saved(workbook)
