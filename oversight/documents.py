"""Official documents as PDF (WeasyPrint, HTML templates under ``templates/documents/``).

One small entry point, ``render_pdf(template, context) -> bytes``, and one function per document,
each taking the *user* it is made for and reading only through ``restrict(user)``:

- ``recommendation_pdf(user, recommendation)`` — 纪检监察建议书 / 以案促改通知书
  after GB/T 9704-2012;
- ``ledger_pdf(user, measures, title=…, subtitle=…)`` — 整改台账 (landscape), with
  ``recommendation_ledger_pdf`` and ``unit_ledger_pdf`` for the usual two cuts;
- ``overdue_report_pdf(user, today=None)`` — 逾期情况通报 for the user's jurisdiction;
- ``case_analysis_pdf(user, case)`` — 案件剖析报告 (case readers only);
- ``reconciliation_pdf(user, round_)`` — 对账销号单 of a reconciliation round (landscape);
- ``negative_list_pdf(user, negative_list)`` — 负面清单 as the unit posts it.

They need no request, so views and Celery jobs call them alike, e.g. a weekly job::

    from oversight.documents import overdue_report_pdf
    message.attach("逾期情况通报.pdf", overdue_report_pdf(supervisor), "application/pdf")

Documents are always in Chinese (rendered under ``zh-hans`` whatever the caller's language).
Fonts: Noto Serif/Sans CJK SC from Debian ``fonts-noto-cjk`` (README "Documents and fonts"); a
licensed 仿宋_GB2312 / 方正小标宋 installed on the server is used first. Without
``libharfbuzz-subset0`` every PDF is ~40× slower (docs/pitfalls.md).
"""

import contextvars
import datetime
import importlib.util
import logging
import os
import signal
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.confidentiality import VIEW_CASE_CONTENT
from cases.models import Case, CaseAnalysis, Problem, Subject
from core.domain import DomainError, shanghai_today
from core.pages import require_permission
from core.titles import title_lines
from crosscase import tables as crosscase_tables
from negativelists.models import NegativeList, NegativeListEntry
from oversight import pdf_parts
from oversight.dashboard import Counts, aging_buckets, unit_numbers, unit_rows
from recommendations import evaluation, evaluation_metrics
from recommendations.letter import KIND_TITLES, chinese_numeral, letter_body, paragraphs
from recommendations.models import IndicatorScore, PanelMember, Recommendation
from reforms.models import DUE_DATE_ORDER, Measure, MeasureTransition, ReconciliationRow

logger = logging.getLogger(__name__)
# WeasyPrint narrates every step at INFO ("Step 5 - Creating layout"); keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


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


# After the budget, the alarm rings again this often until the block ends: an interruption that
# lands in a finalizer (WeasyPrint's ``FontConfiguration.__del__``) is printed and dropped by
# Python, or one that rang outside the layout's code was not raised, so the next one must try again.
_EXPIRED_AGAIN_SECONDS = 0.05


def _package_directories(*names: str) -> tuple[str, ...]:
    """The directories of the installed packages ``names``, each ending in a separator (found
    without importing them: WeasyPrint parses its stylesheets on import)."""
    return tuple(
        os.path.join(importlib.util.find_spec(name).submodule_search_locations[0], "")
        for name in names
    )


# The code an interruption is raised in: the layout's own, WeasyPrint's and the libraries it lays
# out with. Raised anywhere else, it can land between a lock's acquire and its release (asgiref's
# Local behind Django's translations: seen in CI) and leave the lock held by this thread for good,
# so that every other thread of the process waits on it forever.
_LAYOUT_CODE = _package_directories(
    "weasyprint", "tinycss2", "cssselect2", "tinyhtml5", "pydyf", "pyphen", "fontTools"
)


@contextmanager
def _deadline(seconds: float):
    """Interrupt the block after ``seconds`` with ``_Expired`` (SIGALRM: main thread only), where
    the layout's own code runs (``_LAYOUT_CODE``); elsewhere the alarm rings again shortly.

    A block that ends after the alarm has rung ends in ``_Expired`` too, whether or not an
    interruption reached it: what outlives its budget is never handed on.
    """
    rung = False

    def expired(signum, frame):
        nonlocal rung
        rung = True
        if frame is not None and frame.f_code.co_filename.startswith(_LAYOUT_CODE):
            raise _Expired

    previous = signal.signal(signal.SIGALRM, expired)
    try:  # armed inside the try, so the alarm is always stopped and the handler put back
        signal.setitimer(signal.ITIMER_REAL, seconds, _EXPIRED_AGAIN_SECONDS)
        yield
        if rung:
            raise _Expired
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

    # In the caller's context, so its reads go where the caller's would (``core.db``: the replica).
    context = contextvars.copy_context()
    helper = threading.Thread(target=context.run, args=(run,), name="document-render", daemon=True)
    helper.start()
    helper.join(seconds)
    if helper.is_alive():
        raise DocumentTimeout
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def render_pdf(
    template_name: str, context: dict, *, budget: float | None = None, relayout=None
) -> bytes:
    """Render a template under ``templates/documents/`` to PDF bytes, in Chinese.

    The layout has ``DOCUMENT_TIME_BUDGET_SECONDS`` (``DocumentTimeout`` after that): free text
    is bounded (``BoundedTextField``) and tables are laid out in fixed mode, so a real document
    takes seconds; the budget stops anything pathological from holding a worker. A Celery job
    passes its own ``budget`` (``DOCUMENT_JOB_TIME_BUDGET_SECONDS``).

    ``relayout(document) -> dict``: for a document whose layout depends on where its text fell
    (the letter's 版记 at the foot of its last page), the first layout is measured and the
    template rendered and laid out again with what ``relayout`` adds to the context.
    """
    if budget is None:
        budget = settings.DOCUMENT_TIME_BUDGET_SECONDS
    import weasyprint  # imported on first use: it parses its stylesheets (and logs) on import

    def layout(extra: dict):
        with translation.override("zh-hans"):
            html = render_to_string(template_name, context | extra)
        return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()

    def make() -> bytes:
        with pdf_parts.fewer_collections():
            document = layout({})
            if relayout is not None:
                document = layout(relayout(document))
            return document.write_pdf()

    started = time.perf_counter()
    try:
        return _within_budget(make, budget)
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


def _require_case_reader(user) -> None:
    require_permission(user, VIEW_CASE_CONTENT)


# --- 纪检监察建议书 / 以案促改通知书 -----------------------------------------------------------


def recommendation_pdf(user, recommendation: Recommendation) -> bytes:
    """The letter as the unit receives it: its own title, 主送, preamble, items, 落款 and 版记.

    The words are ``recommendations.letter.letter_body``'s, which the print page shows too.
    Nothing is read from the cases behind it (no subject names, amounts or case numbers), so the
    recipient unit's officers may have it too — without the preamble, which staff may have
    written about the case and which the unit's pages do not show either.
    """
    return render_pdf(
        "documents/letter.html",
        letter_body(user, recommendation),
        relayout=lambda document: {"imprint": imprint_placement(document)},
    )


# The 版记 keeps at least a blank line between itself and the 落款 above it.
IMPRINT_GAP = 28.99 / 0.75  # one line of the grid, in CSS pixels (WeasyPrint's unit)
EPSILON = 0.1  # px: a margin a hair short of the room left, so rounding never pushes it over


def _outer_boxes(box, class_name: str):
    """The outermost boxes of elements with ``class_name`` under ``box`` (a page's box tree)."""
    element = getattr(box, "element", None)
    if element is not None and class_name in (element.get("class") or "").split():
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _outer_boxes(child, class_name)


def imprint_placement(document) -> dict:
    """Where the letter's 版记 goes, from a first layout ``document`` that has it after the 落款.

    GB/T 9704-2012 wants it on the document's last face with its last rule on the text block's
    bottom edge (7.4.1), and letters are printed on both sides (6.2), so the last face is an
    even page: the back of the last sheet. So:

    - the 落款 ends on an even page with room under it: the 版记 is pushed to that page's foot;
    - it ends on an odd page: the 版记 stands at the foot of the next (even) page, numbered;
    - it ends on an even page without room: a blank page, then the 版记 on the even page after
      it, neither numbered (7.5).

    Returns the 版记's top margin (CSS px), the break before it (None or "left") and whether its
    page goes unnumbered. Reads WeasyPrint's laid-out boxes (``page._page_box``: not its public
    API, so the letter tests measure the result on every build).
    """
    closing = imprint = None
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        for box in _outer_boxes(page_box, "closing"):
            closing = (number, page_box, box)
        for box in _outer_boxes(page_box, "imprint"):
            imprint = imprint or box
    number, page_box, box = closing
    height = imprint.margin_height()
    block_bottom = page_box.content_box_y() + page_box.height
    room = block_bottom - (box.position_y + box.margin_height())
    if number % 2 == 0 and room >= height + IMPRINT_GAP:
        return {"margin": room - height - EPSILON, "break": None, "alone": False}
    return {
        "margin": page_box.height - height - EPSILON,
        "break": "left",  # the next even page: a blank page first if the 落款 ended on one
        "alone": number % 2 == 0,
    }


def document_filename(recommendation: Recommendation) -> str:
    name = recommendation.doc_number or f"{KIND_TITLES[recommendation.kind]}（草稿）"
    return f"{name}.pdf"


# --- 整改台账 -------------------------------------------------------------------------------------


LEDGER_ORDER = (
    "item__recommendation__issued_on",
    "item__recommendation",
    "item__number",
    *DUE_DATE_ORDER,
)


# The last word of the staff on a measure: its latest 销号 (the note given) or 退回 (the reason).
VERDICTS = (Measure.Status.SIGNED_OFF, Measure.Status.RETURNED)
# A ledger row holds the opinion's first characters; the measure's page holds all of it.
OPINION_CHARACTERS = 100


def latest_verdicts(user, measures) -> dict[int, MeasureTransition]:
    """The latest sign-off or return of each of ``measures`` (a queryset), by measure id.

    One query whatever the number of measures: the transitions into signed_off or returned of
    the measures in the queryset (a subquery, never a list of ids), read in order so that each
    measure's last one wins.
    """
    transitions = (
        MeasureTransition.objects.restrict(user)
        .filter(measure__in=measures.values("pk"), to_status__in=VERDICTS)
        .order_by("measure_id", "at", "pk")
        .only("measure_id", "to_status", "return_reason", "reason", "at")
    )
    return {transition.measure_id: transition for transition in transitions}


def verdict_opinion(transition: MeasureTransition | None) -> str:
    """核查意见 or 退回原因 as the ledger shows it (Chinese; cut at ``OPINION_CHARACTERS``)."""
    if transition is None:
        return ""
    note = " ".join(transition.reason.split())
    with translation.override("zh-hans"):
        if transition.to_status == Measure.Status.SIGNED_OFF:
            text = note or "同意销号"
        else:
            label = transition.get_return_reason_display()
            text = f"退回（{label}）" if label else "退回"
            if note:
                text = f"{text}：{note}"
    if len(text) > OPINION_CHARACTERS:
        text = text[: OPINION_CHARACTERS - 1] + "…"
    return text


def ledger_rows(rows: list, today: datetime.date, verdicts: dict | None = None) -> None:
    """Set on each measure the strings its ledger row prints, numbered from 1 in order.

    Made here, not in the template: each row is one line of text per cell, its short fields
    joined by newlines that the cell keeps (``white-space: pre-line``).
    """
    verdicts = verdicts or {}
    with translation.override("zh-hans"):
        for number, measure in enumerate(rows, start=1):
            measure.number = number
            measure.late = measure.days_overdue(today=today)
            measure.people = "\n".join(
                part
                for part in (
                    measure.department,
                    "／".join(name for name in (measure.owner_name, measure.leader_name) if name),
                )
                if part
            )
            if measure.is_standing:
                measure.due = "长期坚持"
            elif measure.due_on != measure.original_due_on:  # moved by an approved extension
                measure.due = f"{measure.original_due_on:%Y-%m-%d}\n延至{measure.due_on:%Y-%m-%d}"
            else:
                measure.due = f"{measure.original_due_on:%Y-%m-%d}"
            state = [str(measure.get_status_display())]
            if measure.signed_off_on:
                state.append(f"{measure.signed_off_on:%Y-%m-%d}")
            if measure.late:
                state.append(f"逾期{measure.late}天")
            measure.state = "\n".join(state)
            measure.opinion = verdict_opinion(verdicts.get(measure.pk))


def ledger_groups(rows: list, today: datetime.date, verdicts: dict | None = None) -> list[dict]:
    """The ledger's measures grouped under their item, in their order: one group per item (and
    letter), with the item's text once and its rows numbered from 1 across the ledger."""
    ledger_rows(rows, today, verdicts)
    show_recommendation = len({m.item.recommendation_id for m in rows}) > 1
    groups, current = [], None
    for measure in rows:
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


# A part of a ledger made in parallel has at least this many rows: a smaller one would not pay for
# its process and for joining its pages (docs/benchmarks.md).
LEDGER_PART_ROWS = 150


def ledger_parts(groups: list[dict], parts: int) -> list[list[dict]]:
    """``groups`` cut into ``parts`` runs of about equal numbers of rows, in order.

    A cut falls between two items when one is near (4 % of a part either way), otherwise
    inside an item, whose rows then go on in the next run under its text again, the group
    marked ``continued`` (（续）).
    """
    total = sum(group["count"] for group in groups)
    boundaries, start = [], 0
    for group in groups:
        start += group["count"]
        boundaries.append(start)
    slack = total // parts // 25  # the parts' times differ by twice this at most
    cuts = []
    for part in range(1, parts):
        target = round(part * total / parts)
        nearest = min(boundaries, key=lambda boundary: abs(boundary - target))
        cuts.append(nearest if abs(nearest - target) <= slack else target)
    cuts = sorted({cut for cut in cuts if 0 < cut < total})
    runs, run, position = [], [], 0
    edges = iter([*cuts, total])
    edge = next(edges)
    for group in groups:
        offset = 0
        while offset < group["count"]:
            taken = min(group["count"] - offset, edge - position)
            run.append(
                dict(group, rows=group["rows"][offset : offset + taken], continued=offset > 0)
            )
            offset += taken
            position += taken
            if position == edge and position < total:
                runs.append(run)
                run, edge = [], next(edges)
    runs.append(run)
    return runs


def _folios(first: int, count: int) -> bytes:
    with translation.override("zh-hans"):
        html = render_to_string(
            "documents/folios.html", {"first": first, "pages": range(count - 1)}
        )
    return pdf_parts.write_pdf(html)


def ledger_pdf(
    user,
    measures,
    *,
    title: str = "整改台账",
    subtitle: str = "",
    budget: float | None = None,
    processes: int = 1,
) -> bytes:
    """The ledger of ``measures`` (a queryset; restricted to ``user`` here again), grouped under
    their items: letter by letter, item by item in their numbers, whatever order the list had.

    Two queries: the measures with their items and letters, and their latest verdicts. With
    ``processes`` > 1 (a job's, ``DOCUMENT_JOB_PROCESSES``) a ledger of at least twice
    ``LEDGER_PART_ROWS`` rows is laid out in as many parts at once (``oversight.pdf_parts``).
    """
    today = shanghai_today()
    measures = measures.restrict(user)
    rows = list(measures.select_related("item__recommendation").order_by(*LEDGER_ORDER))
    verdicts = latest_verdicts(user, measures) if rows else {}
    groups = ledger_groups(rows, today, verdicts)
    context = {"title": title, "subtitle": subtitle, "count": len(rows), "today": today}
    parts = min(processes, len(rows) // LEDGER_PART_ROWS)
    if parts < 2 or threading.current_thread() is not threading.main_thread():
        return render_pdf("documents/ledger.html", context | {"groups": groups}, budget=budget)
    if budget is None:
        budget = settings.DOCUMENT_TIME_BUDGET_SECONDS
    started = time.perf_counter()
    with translation.override("zh-hans"):
        htmls = [
            render_to_string(
                "documents/ledger.html",
                context | {"groups": run, "continued": index > 0},
            )
            for index, run in enumerate(ledger_parts(groups, parts))
        ]
    try:  # the parts are waited for with a timeout, not interrupted by the budget's alarm
        return pdf_parts.write_joined(htmls, _folios, timeout=budget)
    except TimeoutError:
        logger.warning(
            "Ledger of %s measures in %s parts: gave up after %.1f s (budget %s s)",
            len(rows),
            len(htmls),
            time.perf_counter() - started,
            budget,
        )
        raise DocumentTimeout from None


def recommendation_ledger_pdf(user, recommendation: Recommendation, *, processes: int = 1) -> bytes:
    measures = Measure.objects.filter(item__recommendation=recommendation)
    subtitle = f"{recommendation.recipient_unit.name}　{recommendation.doc_number}"
    return ledger_pdf(user, measures, title="整改台账", subtitle=subtitle, processes=processes)


def unit_ledger_pdf(user, unit, *, processes: int = 1) -> bytes:
    measures = Measure.objects.filter(unit__path__startswith=unit.path)
    return ledger_pdf(user, measures, title="整改台账", subtitle=unit.name, processes=processes)


# --- 逾期情况通报 ---------------------------------------------------------------------------------


def overdue_report_pdf(user, today: datetime.date | None = None) -> bytes:
    """逾期情况通报 for ``user``'s jurisdiction: counts by unit and age, then every overdue measure.

    The numbers are the dashboard's (``oversight.dashboard``), so report and page always agree.
    For the lead's weekly e-mail: ``overdue_report_pdf(supervisor)`` returns the PDF bytes.
    """
    _require_case_reader(user)
    today = today or shanghai_today()
    numbers = unit_numbers(user, today)
    units = unit_rows(numbers)
    for row in units:
        row["indent"] = row["depth"] * 4
    total = Counts.sum_of(numbers)
    overdue = list(
        Measure.objects.restrict(user)
        .overdue(today=today)
        .select_related("unit", "item__recommendation")
        .order_by("due_on", "unit__name", "pk")
    )
    for measure in overdue:
        measure.late = measure.days_overdue(today=today)
    with translation.override("zh-hans"):
        aging = aging_buckets(numbers)
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
            "paragraphs": paragraphs(getattr(analysis, field, "") if analysis else ""),
        }
        for field, number in ANALYSIS_SECTIONS
    ]
    return render_pdf(
        "documents/case_analysis.html",
        {
            "case": case,
            "title_lines": title_lines(f"关于{case.title}的剖析报告"),
            "violation_types": [v.name for v in case.violation_types.all()],
            "subjects": list(Subject.objects.restrict(user).filter(case=case)),
            "summary": paragraphs(case.summary),
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


# --- 质效评估报告 (现场答辩式评查) -----------------------------------------------------------


def evaluation_report_context(user, session) -> dict:
    """What the evaluation report shows (the PDF and the spreadsheet read the same): the
    session, the panel, the hearing, the combined scores by question and the letter's figures.
    Each evaluator's scores are added for case readers only (``IndicatorScore.restrict``)."""
    combined = evaluation.results(session)
    figures = evaluation_metrics.figures(session.recommendation)
    indicators = [row.indicator for row in combined.indicators]
    members = list(
        PanelMember.objects.restrict(user).filter(session=session).select_related("user__org_unit")
    )
    ballots = []
    if user.has_perm("recommendations.view_indicatorscore"):
        scores = {
            (row.member_id, row.indicator_id): row.score
            for row in IndicatorScore.objects.restrict(user).filter(member__session=session)
        }
        ballots = [
            {"name": str(m.user), "scores": [scores.get((m.pk, i.pk)) for i in indicators]}
            for m in members
            if any((m.pk, i.pk) in scores for i in indicators)
        ]
    with translation.override("zh-hans"):
        groups = combined.groups()
        for group in groups:
            group["label"] = str(group["label"])
        for row in combined.indicators:
            row.figure = figures.shown(row.indicator.metric)
            row.metric_label = (
                str(row.indicator.get_metric_display()) if row.indicator.metric else ""
            )
        evaluation_row = session.evaluation
        return {
            "session": session,
            "r": session.recommendation,
            "members": members,
            "results": combined,
            "groups": groups,
            "figures": figures,
            "ballots": ballots,
            "indicators": indicators,
            "rating": evaluation_row.get_rating_display() if evaluation_row else "",
            "score": evaluation_row.score if evaluation_row else None,
            "report": paragraphs(session.report),
            "questions": paragraphs(session.questions),
            "conclusion": paragraphs(session.conclusion),
            "title_lines": title_lines(
                f"关于{session.recommendation.recipient_unit.name}落实纪检监察建议的质效评估报告"
            ),
            "report_date": evaluation_row.evaluated_on if evaluation_row else shanghai_today(),
        }


def evaluation_report_pdf(user, session) -> bytes:
    """质效评估报告 of one session (GB/T 9704 style): who sat, what the unit head reported, what
    the panel asked, each indicator's mean and spread under the three questions, the total and
    the grade, and the figures from the records. Read by whoever reads the session."""
    return render_pdf("documents/evaluation_report.html", evaluation_report_context(user, session))


# --- 对账销号单 -----------------------------------------------------------------------------------

# The sheet's groups, in their order: what staff agreed, what they returned, what the unit disputes
# (whatever staff answered: the dispute is what the reader must see), and what is not confirmed yet.
RECONCILIATION_GROUPS = (
    ("agreed", "一、同意销号"),
    ("returned", "二、退回"),
    ("disputed", "三、有异议"),
    ("pending", "四、尚未确认"),
)
# Rows per table: a table's layout cost grows faster than its rows (docs/pitfalls.md), so a long
# group is laid out as tables of this many rows, each under the repeated header.
RECONCILIATION_TABLE_ROWS = 40


def reconciliation_group(row) -> str:
    """The group of the sheet a row stands in (``RECONCILIATION_GROUPS``)."""
    if row.answer == row.Answer.DISPUTED:
        return "disputed"
    if row.status == row.Status.CONFIRMED:
        return row.confirmation  # "agreed" or "returned"
    return "pending"


def _words(label: str, note: str, who) -> str:
    """A side's answer: the choice with who gave it, then the note on a line of its own."""
    head = f"{label}（{who}）" if label and who else str(label)
    return "\n".join(part for part in (head, " ".join(note.split())) if part)


def reconciliation_sheet_rows(rows: list, *, one_letter: bool) -> None:
    """Set on each row the strings its line of the sheet prints (in Chinese); the letter's number
    only when the round spans several letters (a unit's round)."""
    with translation.override("zh-hans"):
        for row in rows:
            measure = row.measure
            doc_number = "" if one_letter else measure.item.recommendation.doc_number
            row.what = "\n".join(part for part in (doc_number, measure.content) if part)
            # A standing measure has no date; its colour says 长期坚持 while it is open.
            due = f"{row.snapshot_due_on:%Y-%m-%d}" if row.snapshot_due_on else None
            row.snapshot = "\n".join(
                part
                for part in (
                    str(row.get_snapshot_status_display()),
                    due,
                    str(row.get_snapshot_signal_display()),
                )
                if part
            )
            row.unit_words = _words(row.get_answer_display(), row.answer_note, row.answered_by)
            row.staff_words = _words(
                row.get_confirmation_display(), row.confirmation_note, row.confirmed_by
            )
            row.diffs = "；".join(row.differences())


def reconciliation_groups(rows: list, *, one_letter: bool = False) -> list[dict]:
    """The rows by group (empty groups kept: the sheet says 无), each cut into tables."""
    reconciliation_sheet_rows(rows, one_letter=one_letter)
    by_group = {name: [] for name, _heading in RECONCILIATION_GROUPS}
    for row in rows:
        by_group[reconciliation_group(row)].append(row)
    groups, number = [], 0
    for name, heading in RECONCILIATION_GROUPS:
        members = by_group[name]
        for row in members:
            number += 1
            row.number = number
        size = RECONCILIATION_TABLE_ROWS
        tables = [members[start : start + size] for start in range(0, len(members), size)]
        groups.append({"name": name, "heading": heading, "count": len(members), "tables": tables})
    return groups


def reconciliation_target(round_) -> str:
    if round_.recommendation_id:
        recommendation = round_.recommendation
        return f"{round_.unit.name}　{recommendation.doc_number or recommendation.title}"
    if round_.sector:
        with translation.override("zh-hans"):
            return f"{round_.unit.name}范围内{round_.get_sector_display()}领域各单位"
    return f"{round_.unit.name}（含下属单位）"


def reconciliation_pdf(user, round_) -> bytes:
    """对账销号单 of one round: its rows ``user`` may see, grouped agreed / returned / disputed /
    not yet confirmed, the snapshot beside both sides' words, the rows that differ shaded, and
    lines for both sides to sign. One query: the rows with their measures and signers."""
    rows = list(
        ReconciliationRow.objects.restrict(user)
        .filter(round=round_)
        .select_related("measure__item__recommendation", "measure__unit")
        .select_related("answered_by", "confirmed_by")
        .order_by("measure__unit__path", "measure__item__recommendation", "measure__item", "pk")
    )
    with translation.override("zh-hans"):
        status = str(round_.get_status_display())
    return render_pdf(
        "documents/reconciliation.html",
        {
            "round": round_,
            "status": status,
            "target": reconciliation_target(round_),
            "groups": reconciliation_groups(rows, one_letter=bool(round_.recommendation_id)),
            "count": len(rows),
            "today": shanghai_today(),
        },
    )


# --- 类案分析报告 (专项分析报告) ---------------------------------------------------------

# Rows of the report's list of causes and loopholes: one per case analysis written, each text cut
# to this many characters (the page shows the whole of each on the case's page).
CROSSCASE_REPORT_ANALYSES = 200
CROSSCASE_REPORT_TEXT = 300


def crosscase_report_context(user, analysis) -> dict:
    """What the cross-case analysis report shows (the PDF and the spreadsheet read the same):
    the selection and its cases' figures (``crosscase.tables``), each case's causes and
    loopholes, and the staff's findings. Case readers of the analysis only."""
    _require_case_reader(user)
    with translation.override("zh-hans"):
        figures = crosscase_tables.tables(analysis, user)
        for row in figures["matrix"].rows:
            row["label"] = str(row["label"])
        for key in ("amount_bands", "levels"):
            for row in figures["overview"][key]:
                row["label"] = str(row["label"])
        criteria = crosscase_tables.criteria_labels(analysis)
    analyses = list(crosscase_tables.case_analyses(analysis, user)[:CROSSCASE_REPORT_ANALYSES])
    for row in analyses:
        row.root_causes_short = _cut(row.root_causes)
        row.loopholes_short = _cut(row.loopholes)
    return {
        "analysis": analysis,
        "criteria": criteria,
        "tables": figures,
        "overview": figures["overview"],
        "matrix": figures["matrix"],
        "done": figures["rectification"],
        "case_analyses": analyses,
        "common_patterns": paragraphs(analysis.common_patterns),
        "institutional_gaps": paragraphs(analysis.institutional_gaps),
        "countermeasures": paragraphs(analysis.countermeasures),
        "title_lines": title_lines(f"关于{analysis.title}的专项分析报告"),
        "report_date": shanghai_today(),
    }


def _cut(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= CROSSCASE_REPORT_TEXT else text[: CROSSCASE_REPORT_TEXT - 1] + "…"


def crosscase_report_pdf(user, analysis) -> bytes:
    """类案分析报告 (专项分析报告, GB/T 9704 style): 基本情况, 问题分布 (the matrix), 涉案情况,
    案发原因与漏洞, 整改情况, then the staff's 共性问题, 制度漏洞 and 对策建议."""
    return render_pdf("documents/crosscase_report.html", crosscase_report_context(user, analysis))


# --- 负面清单 ------------------------------------------------------------------------------

NEGATIVE_LIST_TABLE_ROWS = 60  # a table's layout grows faster than its rows


def _negative_list_state(negative_list) -> str:
    """The line under the title: when it was published, or that it is not (or no longer) in
    force, so a printed draft or an old list is never taken for the list in force."""
    if negative_list.status == NegativeList.Status.PUBLISHED:
        return f"{negative_list.published_on:%Y年%-m月%-d日}印发"
    if negative_list.status == NegativeList.Status.WITHDRAWN:
        return f"已于{negative_list.withdrawn_on:%Y年%-m月%-d日}废止，仅供查阅"
    return "草稿，未印发"


def negative_list_pdf(user, negative_list) -> bytes:
    """负面清单 as the unit prints and posts it: its entries in order, each with its risk point,
    requirement, kind and process stage; not the cases it was drawn from. Its readers are the
    list's (``NegativeList.objects.restrict``); one query for the entries."""
    entries = list(
        NegativeListEntry.objects.restrict(user)
        .filter(negative_list=negative_list)
        .select_related("process_stage")
        .order_by("number")
    )
    with translation.override("zh-hans"):
        for entry in entries:
            entry.kind_words = str(entry.get_kind_display())
            entry.stage_words = entry.process_stage.name if entry.process_stage else "—"
        tier = str(negative_list.get_tier_display())
    size = NEGATIVE_LIST_TABLE_ROWS
    return render_pdf(
        "documents/negative_list.html",
        {
            "negative_list": negative_list,
            "title_lines": title_lines(negative_list.title),
            "unit": negative_list.unit.name,
            "state": _negative_list_state(negative_list),
            "tier": tier,
            "count": len(entries),
            "tables": [entries[start : start + size] for start in range(0, len(entries), size)],
        },
    )
