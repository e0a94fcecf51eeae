"""The letter's text as the unit receives it on paper: one body for the PDF and the print page.

``letter_body(user, recommendation)`` gives the words of 纪检监察建议书 / 以案促改通知书 in their
order — head, title lines, 主送, preamble, items, the closing sentence, 落款 and the 版记 (GB/T
9704-2012 7.4) — and ``templates/documents/_letter_body.html`` lays them out. The PDF
(``oversight.documents.recommendation_pdf``) and the print page (``views.recommendation_print``)
both render that include, so the two read the same to the character; only the page around it
differs (the PDF's A4 grid and page numbers, the page's toolbar).

Built from the letter's own fields only, never from case records: no subject names, no amounts.
The preamble may speak of the case, so a reader without case content (the unit) gets none.
"""

import datetime
import re

from accounts.confidentiality import can_read_case_content
from core.titles import title_lines

from .models import Recommendation, RecommendationItem

KIND_TITLES = {
    Recommendation.Kind.LETTER: "纪检监察建议书",
    Recommendation.Kind.NOTICE: "以案促改通知书",
    Recommendation.Kind.SELF_INSPECTION: "自查整改清单",
}

CHINESE_DIGITS = "零一二三四五六七八九"
BLANK_DATE = "　　年　　月　　日"  # a draft's dates, filled in by hand if it is ever printed
BLANK_NUMBER = "　〔　　〕　号"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 20 → 二十, 99 → 九十九 (item numbers of a document)."""
    if number < 10:
        return CHINESE_DIGITS[number]
    tens, ones = divmod(number, 10)
    if tens >= 10:
        return str(number)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return f"{head}十{CHINESE_DIGITS[ones] if ones else ''}"


def chinese_date(day: datetime.date | None) -> str:
    """2026年1月5日: the year in full, month and day without a leading zero (GB/T 9704 7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else BLANK_DATE


def paragraphs(text: str) -> list[str]:
    """Each non-empty line of ``text`` a paragraph, its spaces at either end dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def copy_line(copied_to: str) -> str:
    """The 抄送 list as printed (GB/T 9704 7.4.2): the names as typed, one line's after another
    joined by ，, closed by 。."""
    names = [name.strip().rstrip("。.，,") for name in re.split(r"[\n，,]+", copied_to or "")]
    names = [name for name in names if name]
    return "，".join(names) + "。" if names else ""


def letter_body(user, recommendation: Recommendation) -> dict:
    """The letter's words for ``user``, in the order printed (``_letter_body.html``)."""
    issuer = recommendation.issuer.name
    items = (
        RecommendationItem.objects.restrict(user)
        .filter(recommendation=recommendation)
        .order_by("number")
    )
    due = recommendation.reply_due_on
    return {
        "r": recommendation,
        "kind_title": KIND_TITLES[recommendation.kind],
        "doc_number": recommendation.doc_number or BLANK_NUMBER,
        "title_lines": title_lines(recommendation.title),
        "addressee": recommendation.recipient_name or recommendation.recipient_unit.name,
        # The preamble may speak of the case: the unit's pages never show it, nor does its copy.
        "preamble": paragraphs(recommendation.preamble) if can_read_case_content(user) else [],
        "items": [
            {"number": chinese_numeral(item.number), "paragraphs": paragraphs(item.content)}
            for item in items
        ],
        "closing": f"请于{chinese_date(due)}前将整改落实情况书面报告{issuer}。" if due else "",
        "issuer": issuer,
        "issued_on": chinese_date(recommendation.issued_on),
        # 版记: 抄送机关, then 印发机关 (the issuing commission) and 印发日期 (the issue date).
        "copied_to": copy_line(recommendation.copied_to),
        "printed_on": f"{chinese_date(recommendation.issued_on)}印发",
    }
