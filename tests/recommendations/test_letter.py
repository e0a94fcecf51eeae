"""纪检监察建议书 as printed: one body for the PDF and the print page, the 版记 of GB/T 9704-2012
(7.4) at the foot of an even last page, and a long title cut between words (7.3.1).

Real WeasyPrint with the real fonts; the PDF's text read back with pypdf and poppler, its rules
found by drawing the page (``pdftoppm``) — the print page in a browser is
``tests/browser/test_letter_print.py``.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.titles import PER_LINE, title_lines, width
from oversight import documents
from recommendations import services
from recommendations.letter import copy_line
from recommendations.models import Recommendation
from tests import factories, pdf
from tests.pdf import MM

from .test_documents import ITEM_TEXT, PREAMBLE

ISSUED_ON = datetime.date(2026, 1, 5)
LONG_TITLE = (  # 56 characters: three lines of 2号
    "关于长春市住房和城乡建设局原局长王某某严重违纪违法案件暴露出的"
    "工程建设领域突出问题开展以案促改工作的纪检监察建议"
)
COPIED_TO = "市委办公室\n市政府办公室，市住房和城乡建设局派驻纪检监察组"
BLOCK_BOTTOM = 297 - 35  # mm from the page's top: the text block's bottom edge
SIGNATURE_DATE = "2026年1月5日"


def letter(world, the_case, *, items=3, issued=True, **fields) -> Recommendation:
    """A letter whose items alternate one and two sentences, as the documents' tests make it."""
    make = factories.issued_recommendation if issued else factories.draft_recommendation
    extra = {"issued_on": ISSUED_ON} if issued else {}
    recommendation = make(
        staff=world.users.city_staff,
        the_case=the_case,
        items=items,
        recipient_name="中共长春市住房和城乡建设局党组",
        preamble=PREAMBLE,
        **extra | fields,
    )
    for item in recommendation.items.all():
        item.content = ITEM_TEXT * (1 + item.number % 2)
        item.save()
    return recommendation


class LetterText(HTMLParser):
    """The text of the print page's letter (``<article data-testid="letter">``), chunk by chunk."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}

    def __init__(self, html: str):
        super().__init__()
        self.depth, self.chunks = 0, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in self.VOID
        elif tag == "article" and ("data-testid", "letter") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and data.strip():
            self.chunks.append(data)


def print_page(client, world, recommendation) -> LetterText:
    client.force_login(world.users.city_staff)
    answer = client.get(reverse("recommendations:print", args=[recommendation.pk]))
    assert answer.status_code == 200
    return LetterText(answer.content.decode())


# --- One body: the print page reads as the PDF ----------------------------------------------


@pytest.mark.parametrize("issued", [True, False], ids=["issued", "draft"])
def test_the_print_page_reads_as_the_pdf(world, housing_case, client, issued):
    recommendation = letter(
        world, housing_case, issued=issued, title=LONG_TITLE, copied_to=COPIED_TO
    )
    first = recommendation.items.get(number=1)
    first.content = "建立健全招投标监管制度。\n  完善评审专家管理办法。  "  # two paragraphs
    first.save()
    page = print_page(client, world, recommendation)
    data = documents.recommendation_pdf(world.users.city_staff, recommendation)

    assert "".join("".join(page.chunks).split()) == pdf.compact(data)
    # Each text is printed as written: no space strays into a line on either side (the draft's
    # blanks for its number and dates are full-width spaces, U+3000, on purpose).
    assert [chunk for chunk in page.chunks if chunk != chunk.strip(" \n\t") or " " in chunk] == []
    closing = "请于2026年12月31日前将整改落实情况书面报告长春市纪委监委。"
    assert closing in page.chunks
    assert closing in pdf.text(data).replace("\n", "")
    assert "一、" in page.chunks and "完善评审专家管理办法。" in page.chunks
    if issued:
        assert page.chunks[:3] == ["长春市纪委监委", "纪检监察建议书", "长纪建〔2026〕1号"]
    else:
        assert page.chunks[:2] == ["草稿（未印发）", "长春市纪委监委"]
        assert "　　年　　月　　日印发" in page.chunks


def test_the_unit_reads_the_same_letter_without_the_preamble(world, housing_case, client):
    recommendation = letter(world, housing_case, copied_to=COPIED_TO)
    staff_text = "".join("".join(print_page(client, world, recommendation).chunks).split())
    officer = pdf.compact(documents.recommendation_pdf(world.users.housing_officer, recommendation))
    assert officer == staff_text.replace("".join(PREAMBLE.split()), "")


# --- 版记 -----------------------------------------------------------------------------------


def signature_page(data: bytes) -> int:
    """The page of the 落款 (its date alone on a line, not the 版记's 印发日期)."""
    reader = pdf.reader(data)
    pages = [
        number
        for number, page in enumerate(reader.pages, start=1)
        if SIGNATURE_DATE in [text for _x, _y, text in pdf.lines(page)]
    ]
    assert len(pages) == 1, pages
    return pages[0]


def page_text(data: bytes, number: int) -> str:
    """Page ``number``'s text without spaces, line breaks or its page number."""
    page = pdf.reader(data).pages[number - 1]
    lines = [line for line in page.extract_text().splitlines() if not pdf.FOLIO.match(line)]
    return "".join("".join(lines).split())


def folio(data: bytes, number: int) -> str | None:
    page = pdf.reader(data).pages[number - 1]
    found = [text for _x, _y, text in pdf.lines(page) if pdf.FOLIO.match(text)]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("items", "copied", "placed"),
    [
        (3, True, "under the 落款"),  # the 落款 ends on page 2 with room to spare
        (8, True, "on the next page"),  # it ends on page 3, an odd page
        (8, False, "on the next page"),
        (5, True, "after a blank page"),  # it ends low on page 2: page 3 blank, 4 the 版记
        (13, False, "under the 落款"),
    ],
)
def test_the_imprint_sits_at_the_foot_of_an_even_last_page(
    world, housing_case, items, copied, placed
):
    """GB/T 9704-2012 7.4: 抄送 and 印发 between a thick rule above and one below (this one on the
    text block's bottom edge), a thin rule between them; on the last face of a two-sided print,
    an even page; a blank page before it, and its own page then, unnumbered (7.5)."""
    recommendation = letter(world, housing_case, items=items, copied_to=COPIED_TO if copied else "")
    data = documents.recommendation_pdf(world.users.city_staff, recommendation)
    pages = len(pdf.reader(data).pages)
    signed = signature_page(data)

    assert pages % 2 == 0
    assert {
        "under the 落款": pages == signed,
        "on the next page": pages == signed + 1,
        "after a blank page": pages == signed + 2,
    }[placed]
    last = page_text(data, pages)
    copy = "抄送：市委办公室，市政府办公室，市住房和城乡建设局派驻纪检监察组。"
    assert last.endswith((copy if copied else "") + "长春市纪委监委2026年1月5日印发")
    assert last.count("抄送") == copied
    # The 落款 keeps the last paragraph with it (7.3.5).
    signed_text = page_text(data, signed)
    assert signed_text.index("请于2026年12月31日") < signed_text.index("长春市纪委监委2026年1月5日")

    rules = pdf.rules(data, pages)
    assert len(rules) == (3 if copied else 2), rules
    for rule in rules:  # the width of the text block
        assert rule["left"] == pytest.approx(28, abs=0.3)
        assert rule["right"] == pytest.approx(28 + 156, abs=0.3)
    assert rules[-1]["bottom"] == pytest.approx(BLOCK_BOTTOM, abs=0.2)
    thick = [rules[0], rules[-1]]
    assert all(rule["thickness"] == pytest.approx(0.35, abs=0.05) for rule in thick)
    if copied:
        assert rules[1]["thickness"] == pytest.approx(0.25, abs=0.05)
    # 印发机关 and 印发日期 on one line between the last two rules, one character in from each side.
    imprint = [
        line
        for line in pdf.text_lines(data, pages)
        if rules[0]["bottom"] < line["top"] / MM < rules[-1]["top"]
    ]
    *copy_lines, organ, date = imprint
    assert (organ["text"], date["text"]) == ("长春市纪委监委", "2026年1月5日印发")
    assert organ["top"] == pytest.approx(date["top"], abs=0.1)
    assert rules[-2]["bottom"] < organ["top"] / MM < organ["bottom"] / MM < rules[-1]["top"]
    assert organ["left"] / MM == pytest.approx(28 + 14 / MM, abs=0.3)
    assert date["right"] / MM == pytest.approx(28 + 156 - 14 / MM, abs=0.3)
    if copied:  # above the thin rule, wrapping under the first name (回行时与冒号后的首字对齐)
        first, wrapped = copy_lines
        assert first["text"].startswith("抄送：")
        assert first["left"] / MM == pytest.approx(28 + 14 / MM, abs=0.3)
        assert wrapped["left"] == pytest.approx(first["left"] + 3 * 14, abs=0.5)
        assert wrapped["bottom"] / MM < rules[1]["top"]
    else:
        assert copy_lines == []
    # Page numbers: every page but a blank one before the 版记 and the 版记's page after it.
    numbered = [number for number in range(1, pages + 1) if folio(data, number)]
    if placed == "after a blank page":
        assert numbered == list(range(1, pages - 1))
        assert page_text(data, pages - 1) == ""
    else:
        assert numbered == list(range(1, pages + 1))


def test_a_drafts_imprint_leaves_the_date_blank(world, housing_case):
    draft = letter(world, housing_case, issued=False)
    text = pdf.compact(documents.recommendation_pdf(world.users.city_staff, draft))
    assert text.endswith("长春市纪委监委年月日印发")
    assert "抄送" not in text


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("", ""),
        ("市委办公室", "市委办公室。"),
        ("市委办公室，市政府办公室。", "市委办公室，市政府办公室。"),
        (
            "市委办公室\n\n 市政府办公室、市人大常委会办公室 \n",
            "市委办公室，市政府办公室、市人大常委会办公室。",
        ),
        ("市委办公室,市政府办公室,", "市委办公室，市政府办公室。"),
    ],
)
def test_the_copy_list_is_printed_as_one_sentence(typed, printed):
    assert copy_line(typed) == printed


# --- 抄送 is drafted with the letter ---------------------------------------------------------


def test_staff_write_the_copy_list_on_the_draft_form(world, client, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(world.users.city_staff)
    form = {
        "kind": draft.kind,
        "title": draft.title,
        "issuer": draft.issuer_id,
        "recipient_unit": draft.recipient_unit_id,
        "cases": [housing_case.pk],
        "deadline_mode": "date",
        "reply_due_on": "2026-12-31",
    }
    page = client.get(reverse("recommendations:edit", args=[draft.pk])).content.decode()
    assert 'name="copied_to"' in page and 'maxlength="300"' in page

    answer = client.post(
        reverse("recommendations:edit", args=[draft.pk]), form | {"copied_to": "市委办公室"}
    )
    too_long = client.post(
        reverse("recommendations:edit", args=[draft.pk]), form | {"copied_to": "办" * 301}
    )

    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.copied_to == "市委办公室"
    detail = client.get(reverse("recommendations:detail", args=[draft.pk])).content.decode()
    assert re.search(r'data-testid="copied-to">市委办公室<', detail)
    assert too_long.status_code == 400
    assert "copied_to" in too_long.context["form"].errors


def test_the_api_writes_the_copy_list_of_a_draft_only(world, housing_case):
    api = APIClient()
    api.force_authenticate(world.users.city_staff)
    created = api.post(
        "/api/v1/recommendations/",
        {
            "title": "关于推进以案促改工作的纪检监察建议",
            "issuer": world.units.city.pk,
            "recipient_unit": world.units.housing.pk,
            "cases": [housing_case.pk],
            "reply_due_on": "2026-12-31",
            "copied_to": "市委办公室",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["copied_to"] == "市委办公室"
    url = f"/api/v1/recommendations/{created.json()['id']}/"

    patched = api.patch(url, {"copied_to": "市委办公室，市政府办公室"}, format="json")
    too_long = api.patch(url, {"copied_to": "办" * 301}, format="json")

    assert patched.status_code == 200 and patched.json()["copied_to"] == "市委办公室，市政府办公室"
    assert too_long.status_code == 400 and "copied_to" in too_long.json()["errors"]
    recommendation = Recommendation.objects.get(pk=created.json()["id"])
    staff = world.users.city_staff
    services.recommendation_item_add(
        recommendation=recommendation,
        actor=staff,
        content="建立健全制度",
        problems=[factories.problem(housing_case)],
    )
    services.recommendation_issue(recommendation=recommendation, actor=staff)
    assert api.patch(url, {"copied_to": "改"}, format="json").status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.copied_to == "市委办公室，市政府办公室"


def test_the_back_office_edits_the_copy_list_through_the_service(world, client, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(world.users.city_staff)
    change = reverse("admin:recommendations_recommendation_change", args=[draft.pk])
    assert 'name="copied_to"' in client.get(change).content.decode()
    form = {
        "kind": draft.kind,
        "title": draft.title,
        "issuer": draft.issuer_id,
        "recipient_unit": draft.recipient_unit_id,
        "recipient_name": "",
        "cases": [housing_case.pk],
        "preamble": "",
        "copied_to": "市委办公室",
        "reply_due_on": "2026-12-31",
        **{
            f"{prefix}-{field}": value
            for prefix in ("items", "replies", "transitions")
            for field, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
    }

    answer = client.post(change, form)

    assert answer.status_code == 302, answer.context and answer.context["errors"]
    draft.refresh_from_db()
    assert draft.copied_to == "市委办公室"


# --- The title ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("关于加强工程建设监管的纪检监察建议书", ["关于加强工程建设监管的纪检监察建议书"]),
        (
            "关于汽开区系列案件以案促改的纪检监察建议书",
            ["关于汽开区系列案件", "以案促改的纪检监察建议书"],
        ),
        (
            LONG_TITLE,
            [
                "关于长春市住房和城乡建设局原局长王某某",
                "严重违纪违法案件暴露出的工程建设领域",
                "突出问题开展以案促改工作的纪检监察建议",
            ],
        ),
        (
            "关于长纪建〔2026〕3号建议书整改落实情况的通知",
            ["关于长纪建〔2026〕3号建议书", "整改落实情况的通知"],
        ),
        (
            "关于“一把手”权力运行监督问题的纪检监察建议",
            ["关于“一把手”权力运行", "监督问题的纪检监察建议"],
        ),
        (
            "关于加强2026年度工程建设项目招投标监管的纪检监察建议",
            ["关于加强2026年度工程建设项目", "招投标监管的纪检监察建议"],
        ),
        (
            "关于进一步加强农安县水利局河道采砂管理和水利工程项目资金监管的纪检监察建议书",
            ["关于进一步加强农安县水利局河道采砂管理", "和水利工程项目资金监管的纪检监察建议书"],
        ),
    ],
)
def test_a_long_title_breaks_between_words_in_even_lines(title, lines):
    assert ["".join(line) for line in title_lines(title)] == lines


# Words no line break may cut.
WHOLE = [
    "以案促改",
    "纪检监察建议",
    "王某某",
    "长纪建〔2026〕3号",
    "“一把手”",
    "2026年",
    "违纪违法",
]


@pytest.mark.parametrize(
    "title",
    [
        LONG_TITLE,
        LONG_TITLE + "书",
        "关于" + "以案促改" * 9,
        "关于长纪建〔2026〕3号纪检监察建议书所提“一把手”监督问题以案促改整改落实情况的通报",
        "关于吉林省长春市汽车经济技术开发区管理委员会党工委及所属国有企业系列违纪违法案件以案促改工作的纪检监察建议书",
        "关于李某某、张某某等人违纪违法案件暴露出的2026年度专项资金管理问题的纪检监察建议",
        "关于某某局财务管理（专项资金）问题的建议",
    ],
)
def test_no_line_is_too_wide_or_an_orphan_and_no_word_is_cut(title):
    lines = ["".join(line) for line in title_lines(title)]

    assert "".join(lines) == title
    assert all(width(line) <= PER_LINE for line in lines)
    if len(lines) > 1:
        assert min(len(line) for line in lines) >= 4, lines
    for word in WHOLE:
        for start in (match.start() for match in re.finditer(re.escape(word), title)):
            offsets = [sum(len(line) for line in lines[: i + 1]) for i in range(len(lines) - 1)]
            assert not any(start < offset < start + len(word) for offset in offsets), (word, lines)


def test_a_space_stays_inside_a_line_and_goes_where_the_line_breaks():
    lines = title_lines("关于 PPP 项目建设领域突出问题 开展以案促改工作的纪检监察建议")
    assert ["".join(line) for line in lines] == [
        "关于 PPP 项目建设领域突出问题",
        "开展以案促改工作的纪检监察建议",
    ]


def test_a_long_draft_title_is_laid_out_in_the_pdf_as_cut(world, housing_case):
    draft = factories.draft_recommendation(
        staff=world.users.city_staff, the_case=housing_case, title=LONG_TITLE + "书"
    )
    data = documents.recommendation_pdf(world.users.city_staff, draft)

    expected = ["".join(line) for line in title_lines(draft.title)]
    on_page = [line for line in pdf.text_lines(data, 1) if line["text"] in expected]
    assert [line["text"] for line in on_page] == expected
    for line in on_page:  # centred inside the text block, none wider than it
        assert line["left"] >= 28 * MM - 0.5 and line["right"] <= (28 + 156) * MM + 0.5
        assert (line["left"] + line["right"]) / 2 == pytest.approx((28 + 78) * MM, abs=1)


def test_the_case_analysis_reports_title_is_cut_the_same_way(world, housing_case):
    housing_case.title = LONG_TITLE[2:].removesuffix("开展以案促改工作的纪检监察建议")
    housing_case.save(update_fields=["title"])
    data = documents.case_analysis_pdf(world.users.city_staff, housing_case)

    expected = ["".join(line) for line in title_lines(f"关于{housing_case.title}的剖析报告")]
    assert len(expected) == 3
    on_page = [line["text"] for line in pdf.text_lines(data, 1) if line["text"] in expected]
    assert on_page == expected
