"""The letter's print page in a real browser: the title's lines as the PDF has them on a desk,
wrapped only between words on a phone, and the 版记 under the 落款.

Screenshots ``letter-print-desk`` (1366 px) and ``letter-print-phone`` (390 px) land in
``test-artifacts/screenshots/``.
"""

import pytest

from core.titles import title_lines
from tests import factories

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
LONG_TITLE = (
    "关于长春市住房和城乡建设局原局长王某某严重违纪违法案件暴露出的"
    "工程建设领域突出问题开展以案促改工作的纪检监察建议"
)

# Where each rendered line of an element starts: character offsets into its text.
LINE_STARTS = """(element) => {
  const starts = [];
  let offset = 0, lastTop = null;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++, offset++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect && (lastTop === null || rect.top > lastTop + 2)) {
        starts.push(offset);
        lastTop = rect.top;
      }
    }
  }
  return starts;
}"""


@pytest.fixture
def letter(world, housing_case):
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff,
        the_case=housing_case,
        items=3,
        title=LONG_TITLE,
        recipient_name="中共长春市住房和城乡建设局党组",
        preamble="近年来，我委查处了你局系列案件。为深刻汲取教训，现提出如下建议：",
        copied_to="市委办公室，市政府办公室，市住房和城乡建设局派驻纪检监察组",
    )
    return recommendation


def phrase_starts(line: list[str]) -> set[int]:
    starts, offset = set(), 0
    for phrase in line:
        starts.add(offset)
        offset += len(phrase)
    return starts


@pytest.mark.parametrize(("name", "viewport"), [("desk", DESK), ("phone", PHONE)])
def test_the_print_page_keeps_the_titles_words_whole(letter, log_in, live_server, name, viewport):
    page = log_in("city_staff", viewport=viewport)
    page.goto(f"{live_server.url}/recommendations/{letter.pk}/print/")

    lines = page.locator("[data-testid=doc-title] .title-line")
    expected = title_lines(LONG_TITLE)
    assert [lines.nth(i).inner_text() for i in range(lines.count())] == [
        "".join(line) for line in expected
    ]
    for index, line in enumerate(expected):
        starts = lines.nth(index).evaluate(LINE_STARTS)
        if name == "desk":
            assert starts == [0], f"line {index} wraps on a desk: {starts}"
        else:
            assert set(starts) <= phrase_starts(line), f"line {index} wraps inside a word"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    imprint = "".join(page.locator("[data-testid=imprint]").inner_text().split())
    assert imprint == "抄送：市委办公室，市政府办公室，市住房和城乡建设局派驻纪检监察组。" + (
        "长春市纪委监委2026年1月5日印发"
    )
    screenshot(page, f"letter-print-{name}")
