"""以案促改工作成效: the figures of a scope as the page's tables, a PDF report and a workbook.

``sections(figures)`` turns ``statistics.outcome_statistics`` into labelled rows once; the
statistics page, the PDF (WeasyPrint, ``templates/documents/outcome_report.html``, in the style
of the other documents) and the workbook (openpyxl) all show those rows, so the three can never
disagree with each other or with ``GET /api/v1/statistics/``.
"""

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cases.models import Case, Problem
from core.domain import shanghai_today
from negativelists.models import NegativeList
from recommendations.models import Recommendation
from reforms.models import Activity, ExtensionRequest, Measure, RuleChange

from .documents import render_pdf
from .excel import _saved
from .filters import StatisticsScope
from .statistics import outcome_statistics


def _plural(model) -> str:
    return str(capfirst(model._meta.verbose_name_plural))


def _row(label, figure: dict | None, *, level=0, count=None, url=None, **more) -> dict:
    figure = figure or {}
    return {
        "label": str(label),
        "count": figure.get("count", figure.get("total")) if count is None else count,
        "url": figure.get("url") if url is None else url,
        "level": level,
        **more,
    }


def _heading(label) -> dict:
    return {"label": str(label), "heading": True, "level": 1}


def _breakdown(title, rows: list[dict]) -> list[dict]:
    return [_heading(title), *(_row(row["label"], row, level=2) for row in rows)]


def names() -> dict:
    """The records' names (the models' own, docs/glossary.md), for the page's headline."""
    return {
        "cases": _plural(Case),
        "measures": _plural(Measure),
        "rule_changes": _plural(RuleChange),
        "activities": _plural(Activity),
    }


def signoff_rate(measures: dict) -> str:
    """The rate as people read it: 83%, or a dash when nothing is due yet."""
    rate = measures.get("signoff_rate")
    return "—" if rate is None else f"{round(rate * 100)}%"


def sections(figures: dict) -> list[dict]:
    """The figures as titled tables of rows (label, count, url, level; activities add people)."""
    problems, measures = figures["problems"], figures["measures"]
    extensions, rules, activities, lists = (
        figures["extensions"],
        figures["rule_changes"],
        figures["activities"],
        figures["negative_lists"],
    )
    return [
        {
            "key": "cases",
            "title": _("Cases and problems"),
            "rows": [
                _row(_plural(Case), figures["cases"]),
                _row(_plural(Problem), problems),
                *_breakdown(
                    capfirst(Problem._meta.get_field("category").verbose_name),
                    problems["by_category"],
                ),
                *_breakdown(
                    capfirst(Problem._meta.get_field("process_stage").verbose_name),
                    problems["by_stage"],
                ),
            ],
        },
        {
            "key": "measures",
            "title": _("Recommendations and measures"),
            "rows": [
                _row(_plural(Recommendation), figures["recommendations"]),
                _row(_("Items"), figures["items"]),
                _row(_plural(Measure), measures),
                *_breakdown(_("Status"), measures["by_status"]),
                *_breakdown(_("Colour"), measures["by_signal"]),
                _heading(_("Sign-off rate")),
                _row(_("Due by today (not standing)"), measures["due"], level=2),
                _row(_("of which signed off"), measures["due_signed"], level=2),
                _row(
                    _("Sign-off rate"),
                    None,
                    level=2,
                    count=signoff_rate(measures),
                    url=measures["due_signed"]["url"],
                    rate=True,
                ),
            ],
        },
        {
            "key": "extensions",
            "title": _plural(ExtensionRequest),
            "rows": [
                _row(_plural(ExtensionRequest), extensions),
                *_breakdown(_("Status"), extensions["by_status"]),
            ],
        },
        {
            "key": "rule_changes",
            "title": _plural(RuleChange),
            "rows": [
                _row(_plural(RuleChange), rules),
                *_breakdown(_("Kind"), rules["by_kind"]),
            ],
        },
        {
            "key": "activities",
            "title": _plural(Activity),
            "people": True,
            "rows": [
                _row(_plural(Activity), activities, people=activities["participants"]),
                _heading(_("Kind")),
                *(
                    _row(row["label"], row, level=2, people=row["participants"])
                    for row in activities["by_kind"]
                ),
            ],
        },
        {
            "key": "negative_lists",
            "title": _plural(NegativeList),
            "rows": [
                _row(_plural(NegativeList), lists),
                *_breakdown(_("Tier"), lists["by_tier"]),
                *_breakdown(_("Status"), lists["by_status"]),
            ],
        },
    ]


def summary(figures: dict) -> str:
    """One paragraph of the main figures, as a report opens (总体情况)."""
    problems, measures = figures["problems"], figures["measures"]
    rules, activities = figures["rule_changes"], figures["activities"]
    by = {row["key"]: row["count"] for row in measures["by_status"]}
    categories = "、".join(f"{row['label']}{row['count']}个" for row in problems["by_category"])
    kinds = "、".join(f"{row['label']}{row['count']}项" for row in rules["by_kind"])
    return (
        f"剖析案件{figures['cases']['total']}件，查找问题{problems['total']}个（{categories}）；"
        f"发出纪检监察建议{figures['recommendations']['total']}份、"
        f"建议事项{figures['items']['total']}项，制定整改措施{measures['total']}项，"
        f"已销号{by.get(Measure.Status.SIGNED_OFF, 0)}项，到期销号率{signoff_rate(measures)}；"
        f"申请延期{figures['extensions']['total']}次；制度立改废释{rules['total']}项（{kinds}）；"
        f"开展警示教育等活动{activities['total']}次，参与{activities['participants']}人次；"
        f"制定负面清单{figures['negative_lists']['total']}张。"
    )


def scope_words(scope: StatisticsScope, user) -> dict:
    """The scope as the report's header says it (范围, 行业领域, 建议书, 统计期间)."""
    data = scope.form.cleaned_data if scope.is_bound and scope.is_valid() else {}
    unit, letter = data.get("unit"), data.get("recommendation")
    org = getattr(user, "org_unit", None)
    first, last = data.get("period_after"), data.get("period_before")
    if first or last:
        period = f"{first:%Y年%-m月%-d日}" if first else "不限"
        period += f"至{last:%Y年%-m月%-d日}" if last else "以来"
    else:
        period = ""
    sector = data.get("sector")
    return {
        "unit": unit.name if unit else (org.name if org else "全部"),
        "sector": str(dict(scope.form.fields["sector"].choices).get(sector, "")) if sector else "",
        "letter": (letter.doc_number or letter.title) if letter else "",
        "period": period,
    }


def _report(request, scope: StatisticsScope) -> dict:
    with translation.override("zh-hans"):
        figures = outcome_statistics(request, scope.chosen, link=lambda name, params: None)
        return {
            "figures": figures,
            "sections": sections(figures),
            "summary": summary(figures),
            "scope": scope_words(scope, request.user),
        }


# Which date puts each figure in the period (oversight.statistics), as the page and report say it.
DATE_NOTE = gettext_lazy(
    "Dates: cases count by the day opened, problems by the day recorded, letters by their date "
    "of issue (their items and measures with them), extension requests by the day requested, "
    "rule changes by their effective date (or the day recorded when none), activities by the day "
    "held and negative lists by the day published (drafts not counted). Measures' states and "
    "colours are today's. The sign-off rate: signed off, out of the measures (not standing) due "
    "by today."
)


def report_pdf(request, scope: StatisticsScope) -> bytes:
    """以案促改工作成效 for the scope, as an A4 report in the documents' official style."""
    return render_pdf(
        "documents/outcome_report.html",
        {**_report(request, scope), "today": shanghai_today(), "note": str(DATE_NOTE)},
    )


def _text(cell, value):
    """User text (a unit's name, a document number) stays text, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def report_xlsx(request, scope: StatisticsScope):
    """The same report as a workbook: the scope on top, then every section's rows."""
    report = _report(request, scope)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "以案促改工作成效"
    bold = Font(bold=True)
    sheet.append(["以案促改工作成效统计"])
    sheet["A1"].font = Font(bold=True, size=14)
    words = report["scope"]
    for label, value in (
        ("范围", words["unit"]),
        ("行业领域", words["sector"]),
        ("纪检监察建议", words["letter"]),
        ("统计期间", words["period"] or "不限"),
        ("统计截至", f"{shanghai_today():%Y-%m-%d}"),
    ):
        if value:
            sheet.append([label])
            _text(sheet.cell(row=sheet.max_row, column=2), value)
    sheet.append([])
    sheet.append(["指标", "分项", "数量", "人次"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for section in report["sections"]:
        sheet.append([section["title"]])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        group = ""
        for row in section["rows"]:
            if row.get("heading"):
                group = row["label"]
                continue
            if row["level"] == 0:
                group = ""
                sheet.append([row["label"], "", row["count"], row.get("people")])
            else:
                sheet.append([group, row["label"], row["count"], row.get("people")])
    sheet.append([])
    sheet.append([str(DATE_NOTE)])
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
    for index, width in enumerate((28, 26, 12, 10), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return _saved(workbook)


def filename(scope: StatisticsScope, extension: str) -> str:
    letter = scope.letter if scope.is_bound else None
    unit = scope.form.cleaned_data.get("unit") if scope.is_bound and scope.is_valid() else None
    name = (letter.doc_number if letter else "") or (unit.name if unit else "")
    stem = f"以案促改工作成效-{name}-" if name else "以案促改工作成效-"
    return f"{stem}{shanghai_today():%Y%m%d}.{extension}"
