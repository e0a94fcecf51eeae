"""Official documents as PDF (WeasyPrint, HTML templates under ``templates/documents/``).

One small entry point, ``render_pdf(template, context) -> bytes``, and one function per document,
each taking the *user* it is made for and reading only through ``restrict(user)``:

- ``recommendation_pdf(user, recommendation)`` — 纪检监察建议书 / 以案促改通知书
  after GB/T 9704-2012;
- ``ledger_pdf(user, measures, title=…, subtitle=…)`` — 整改台账 (landscape), with
  ``recommendation_ledger_pdf`` and ``unit_ledger_pdf`` for the usual two cuts;
- ``overdue_report_pdf(user, today=None)`` — 逾期情况通报 for the user's jurisdiction;
- ``case_analysis_pdf(user, case)`` — 案件剖析报告 (case readers only).

They need no request, so views and Celery jobs call them alike, e.g. a weekly job::

    from oversight.documents import overdue_report_pdf
    message.attach("逾期情况通报.pdf", overdue_report_pdf(supervisor), "application/pdf")

Documents are always in Chinese (rendered under ``zh-hans`` whatever the caller's language).
Fonts: Noto Serif/Sans CJK SC from Debian ``fonts-noto-cjk`` (README "Documents and fonts"); a
licensed 仿宋_GB2312 / 方正小标宋 installed on the server is used first. Without
``libharfbuzz-subset0`` every PDF is ~40× slower (docs/pitfalls.md).
"""

import datetime
import logging
import signal
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.confidentiality import VIEW_CASE_CONTENT, can_read_case_content
from cases.models import Case, CaseAnalysis, Problem, Subject
from core.domain import DomainError, shanghai_today
from core.pages import require_permission
from oversight.dashboard import Counts, aging_buckets, counts_by_unit, unit_rows
from recommendations.models import Recommendation, RecommendationItem
from recommendations.views import chinese_numeral
from reforms.models import Measure

logger = logging.getLogger(__name__)
# WeasyPrint narrates every step at INFO ("Step 5 - Creating layout"); keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

KIND_TITLES = {
    Recommendation.Kind.LETTER: "纪检监察建议书",
    Recommendation.Kind.NOTICE: "以案促改通知书",
}


class DocumentTimeout(DomainError):
    """A document took longer than ``DOCUMENT_TIME_BUDGET_SECONDS`` to lay out; nothing is sent."""

    status_code = 503

    def __init__(self):
        super().__init__(
            _("The document took too long to make. Try again later or ask the administrator."),
            code="document_timeout",
        )


class _Expired(BaseException):
    # Not an Exception: nothing inside WeasyPrint may catch it and carry on.
    pass


@contextmanager
def _deadline(seconds: float):
    """Interrupt the block after ``seconds`` with ``_Expired`` (SIGALRM: main thread only)."""

    def expired(signum, frame):
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)  # once: no alarm is left behind
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def _within_budget(make, seconds: float):
    """``make()``, or ``DocumentTimeout`` once it has run ``seconds``.

    Gunicorn's sync workers and Celery's prefork children run each request or task in the
    process's main thread: there an interval timer (SIGALRM) interrupts the layout itself, so
    the worker is free again at once — before gunicorn's own timeout kills it and answers a bare
    500 to the user. Elsewhere (a threaded development server, a thread pool) signals cannot
    reach the thread: the layout runs in a helper thread that is waited for ``seconds``, so the
    user still gets the error in time, while the helper finishes its work and is discarded.
    """
    if not seconds or seconds <= 0:
        return make()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        try:
            with _deadline(seconds):
                return make()
        except _Expired:
            raise DocumentTimeout from None
    outcome = {}

    def run():
        try:
            outcome["value"] = make()
        except BaseException as error:  # handed to the waiting thread
            outcome["error"] = error

    helper = threading.Thread(target=run, name="document-render", daemon=True)
    helper.start()
    helper.join(seconds)
    if helper.is_alive():
        raise DocumentTimeout
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def render_pdf(template_name: str, context: dict, *, budget: float | None = None) -> bytes:
    """Render a template under ``templates/documents/`` to PDF bytes, in Chinese.

    The layout has ``DOCUMENT_TIME_BUDGET_SECONDS`` (``DocumentTimeout`` after that): free text
    is bounded (``BoundedTextField``) and tables are laid out in fixed mode, so a real document
    takes seconds; the budget stops anything pathological from holding a worker. A Celery job
    passes its own ``budget`` (``DOCUMENT_JOB_TIME_BUDGET_SECONDS``).
    """
    if budget is None:
        budget = settings.DOCUMENT_TIME_BUDGET_SECONDS
    import weasyprint  # imported on first use: it parses its stylesheets (and logs) on import

    with translation.override("zh-hans"):
        html = render_to_string(template_name, context)
    started = time.perf_counter()
    try:
        return _within_budget(
            lambda: weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(),
            budget,
        )
    except DocumentTimeout:
        logger.warning(
            "%s: gave up after %.1f s (budget %s s)",
            template_name,
            time.perf_counter() - started,
            budget,
        )
        raise


def warm_up() -> float:
    """Render a tiny CJK PDF once, so a process's first real document is as fast as its next.

    A fresh process's first PDF pays WeasyPrint's imports, its stylesheets and fontconfig's and
    HarfBuzz's loading of the CJK fonts (docs/pitfalls.md "Cold start"). Called once per web and
    worker process, never in ``manage.py`` commands or tests: by gunicorn's ``post_worker_init``
    (``gunicorn.conf.py``) and Celery's ``worker_process_init`` (``config/celery.py``). Returns
    the seconds it took; a failure is logged, never raised (the first document pays instead).
    """
    started = time.perf_counter()
    try:  # a ledger with no rows: its title, table and page number in both CJK faces
        render_pdf(
            "documents/ledger.html", {"title": "整改台账", "today": shanghai_today()}, budget=0
        )
    except Exception:
        logger.exception("Document warm-up failed")
    elapsed = time.perf_counter() - started
    logger.info("Documents warmed up in %.1f s", elapsed)
    return elapsed


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


TITLE_CHARACTERS_PER_LINE = 20  # 2号 (22 pt) characters across the 156 mm text block


def title_lines(title: str, per_line: int = TITLE_CHARACTERS_PER_LINE) -> list[str]:
    """A long title in lines of nearly equal length (梯形 or 菱形), never one character left
    alone on the last line."""
    count = -(-len(title) // per_line)
    size, extra = divmod(len(title), count)
    lines, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        lines.append(title[start:end])
        start = end
    return lines


def _require_case_reader(user) -> None:
    require_permission(user, VIEW_CASE_CONTENT)


# --- 纪检监察建议书 / 以案促改通知书 -----------------------------------------------------------


def recommendation_pdf(user, recommendation: Recommendation) -> bytes:
    """The letter as the unit receives it: its own title, 主送, preamble, items and 落款 only.

    Nothing is read from the cases behind it (no subject names, amounts or case numbers), so the
    recipient unit's officers may have it too — without the preamble, which staff may have
    written about the case and which the unit's pages do not show either.
    """
    items = list(
        RecommendationItem.objects.restrict(user)
        .filter(recommendation=recommendation)
        .order_by("number")
    )
    for item in items:
        item.chinese_number = chinese_numeral(item.number)
    return render_pdf(
        "documents/letter.html",
        {
            "r": recommendation,
            "title_lines": title_lines(recommendation.title),
            "kind_title": KIND_TITLES[recommendation.kind],
            # The preamble may speak of the case: the unit's pages never show it, nor does its PDF.
            "preamble": _paragraphs(recommendation.preamble) if can_read_case_content(user) else [],
            "items": items,
        },
    )


def document_filename(recommendation: Recommendation) -> str:
    name = recommendation.doc_number or f"{KIND_TITLES[recommendation.kind]}（草稿）"
    return f"{name}.pdf"


# --- 整改台账 -------------------------------------------------------------------------------------


LEDGER_ORDER = (
    "item__recommendation__issued_on",
    "item__recommendation",
    "item__number",
    "due_on",
    "pk",
)


def ledger_groups(rows: list, today: datetime.date) -> list[dict]:
    """The ledger's measures grouped under their item, in their order: one group per item (and
    letter), with the item's text once and its rows numbered from 1 across the ledger."""
    show_recommendation = len({m.item.recommendation_id for m in rows}) > 1
    groups, current = [], None
    for number, measure in enumerate(rows, start=1):
        measure.number = number
        measure.late = measure.days_overdue(today=today)
        if current is None or current["item_id"] != measure.item_id:
            item = measure.item
            current = {
                "item_id": item.pk,
                "doc_number": item.recommendation.doc_number if show_recommendation else "",
                "label": f"{chinese_numeral(item.number)}、",
                "content": item.content,
                "rows": [],
            }
            groups.append(current)
        current["rows"].append(measure)
    for group in groups:
        group["count"] = len(group["rows"])
    return groups


def ledger_pdf(
    user, measures, *, title: str = "整改台账", subtitle: str = "", budget: float | None = None
) -> bytes:
    """The ledger of ``measures`` (a queryset; restricted to ``user`` here again), grouped under
    their items: letter by letter, item by item in their numbers, whatever order the list had."""
    today = shanghai_today()
    rows = list(
        measures.restrict(user)
        .select_related("unit", "item__recommendation")
        .order_by(*LEDGER_ORDER)
    )
    return render_pdf(
        "documents/ledger.html",
        {
            "title": title,
            "subtitle": subtitle,
            "groups": ledger_groups(rows, today),
            "count": len(rows),
            "today": today,
        },
        budget=budget,
    )


def recommendation_ledger_pdf(user, recommendation: Recommendation) -> bytes:
    measures = Measure.objects.filter(item__recommendation=recommendation)
    subtitle = f"{recommendation.recipient_unit.name}　{recommendation.doc_number}"
    return ledger_pdf(user, measures, title="整改台账", subtitle=subtitle)


def unit_ledger_pdf(user, unit) -> bytes:
    measures = Measure.objects.filter(unit__path__startswith=unit.path)
    return ledger_pdf(user, measures, title="整改台账", subtitle=unit.name)


# --- 逾期情况通报 ---------------------------------------------------------------------------------


def overdue_report_pdf(user, today: datetime.date | None = None) -> bytes:
    """逾期情况通报 for ``user``'s jurisdiction: counts by unit and age, then every overdue measure.

    The numbers are the dashboard's (``oversight.dashboard``), so report and page always agree.
    For the lead's weekly e-mail: ``overdue_report_pdf(supervisor)`` returns the PDF bytes.
    """
    _require_case_reader(user)
    today = today or shanghai_today()
    measures = Measure.objects.restrict(user)
    own = counts_by_unit(measures, today)
    units = unit_rows(own)
    for row in units:
        row["indent"] = row["depth"] * 4
    total = Counts()
    for _unit, counts in own.values():
        total.add(counts)
    overdue = list(
        measures.overdue(today=today)
        .select_related("unit", "item__recommendation")
        .order_by("due_on", "unit__name", "pk")
    )
    for measure in overdue:
        measure.late = measure.days_overdue(today=today)
    with translation.override("zh-hans"):
        aging = aging_buckets(measures, today)
        for bucket in aging:
            bucket["label"] = str(bucket["label"])
    jurisdiction = user.org_unit.name if getattr(user, "org_unit", None) else "全部"
    return render_pdf(
        "documents/overdue_report.html",
        {
            "today": today,
            "jurisdiction": jurisdiction,
            "total": total,
            "units": units,
            "aging": aging,
            "overdue": overdue,
        },
    )


# --- 案件剖析报告 ---------------------------------------------------------------------------------

# The analysis's sections, headed by the fields' own names (the glossary, docs/glossary.md), so
# the report says what the form and the page say: 二、蜕变轨迹, 三、深层次原因…
ANALYSIS_SECTIONS = (
    ("trajectory", "二"),
    ("root_causes", "三"),
    ("loopholes", "四"),
    ("lessons", "五"),
)


def _analysis_heading(field: str, number: str) -> str:
    with translation.override("zh-hans"):
        return f"{number}、{CaseAnalysis._meta.get_field(field).verbose_name}"


def case_analysis_pdf(user, case: Case) -> bytes:
    """案件剖析报告: the case, its subjects, analysis and problem list. Case readers only."""
    _require_case_reader(user)
    analysis = CaseAnalysis.objects.restrict(user).filter(case=case).first()
    sections = [
        {
            "heading": _analysis_heading(field, number),
            "paragraphs": _paragraphs(getattr(analysis, field, "") if analysis else ""),
        }
        for field, number in ANALYSIS_SECTIONS
    ]
    return render_pdf(
        "documents/case_analysis.html",
        {
            "case": case,
            "violation_types": [v.name for v in case.violation_types.all()],
            "subjects": list(Subject.objects.restrict(user).filter(case=case)),
            "summary": _paragraphs(case.summary),
            "sections": sections,
            "problems_heading": "六、问题清单",
            "problems": list(
                Problem.objects.restrict(user)
                .filter(case=case)
                .select_related("unit", "process_stage")
            ),
            "report_date": (analysis.completed_on if analysis and analysis.completed_on else None)
            or shanghai_today(),
        },
    )
