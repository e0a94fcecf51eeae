"""A name with a CJK Extension B character (U+20000 𠀀, not in Noto CJK) prints as itself, not as
tofu, in the letter, the ledger and the case analysis (docs/pitfalls.md: HanaMin, fonts-hanazono).

Tofu is invisible to text extraction (``pdftotext`` returns the character either way), so it is
checked by rendering: WeasyPrint's log of a ".notdef" glyph it draws, and the page rasterised with
``pdftoppm``, where the glyph must not be a box (two vertical sides joined top and bottom).
"""

import logging
import re
import subprocess
import tempfile

import pytest

from cases.models import Subject
from oversight import documents
from tests import factories

RARE = "\U00020000"  # 𠀀
NAME = f"李三{RARE}"  # 三 has no vertical stroke: nothing next to 𠀀 looks like a box's side
DPI = 300


@pytest.fixture
def drawn(caplog):
    """The .notdef glyphs WeasyPrint drew while the test ran."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return lambda: [r.getMessage() for r in caplog.records if "notdef" in r.getMessage()]


def word_boxes(pdf: bytes):
    """``(page number, xMin, yMin, xMax, yMax, word)`` of every word, in points (pdftotext)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        html = subprocess.run(
            ["pdftotext", "-bbox", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    page = 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>',
            line,
        )
        if match:
            yield (page, *(float(match.group(n)) for n in range(1, 5)), match.group(5))


def raster(pdf: bytes, page: int, box: tuple[float, float, float, float]) -> list[list[bool]]:
    """The region ``box`` (points) of ``page`` rendered at ``DPI`` in grey: True where inked."""
    scale = DPI / 72
    x0, y0, x1, y1 = (round(value * scale) for value in box)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        pgm = subprocess.run(
            [
                *("pdftoppm", "-gray", "-r", str(DPI), "-f", str(page), "-l", str(page)),
                *("-x", str(x0), "-y", str(y0), "-W", str(x1 - x0), "-H", str(y1 - y0)),
                handle.name,
            ],
            capture_output=True,
            check=True,
        ).stdout
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    width, height = int(header.group(1)), int(header.group(2))
    pixels = pgm[header.end() :]
    return [[pixels[y * width + x] < 128 for x in range(width)] for y in range(height)]


def looks_like_tofu(ink: list[list[bool]]) -> bool:
    """A box: two inked columns at least a third of the region apart, each inked over half its
    height, and joined by inked rows at the top and the bottom of their common stretch."""
    height, width = len(ink), len(ink[0])

    def longest_run(x):
        best, start, run = (0, 0, 0), None, 0
        for y in range(height):
            if ink[y][x]:
                start = y if run == 0 else start
                run += 1
                best = max(best, (run, start, y))
            else:
                run = 0
        return best

    columns = [(x, *longest_run(x)) for x in range(width)]
    sides = [(x, top, bottom) for x, run, top, bottom in columns if run >= height / 2]
    for left, left_top, left_bottom in sides:
        for right, right_top, right_bottom in sides:
            if right - left < width / 6:
                continue
            top, bottom = max(left_top, right_top), min(left_bottom, right_bottom)
            if bottom - top < height / 3:
                continue

            def joined(rows, left=left, right=right):
                return any(
                    sum(ink[y][x] for x in range(left, right + 1)) >= 0.9 * (right - left + 1)
                    for y in rows
                    if 0 <= y < height
                )

            if joined(range(top - 2, top + 3)) and joined(range(bottom - 2, bottom + 3)):
                return True
    return False


def assert_drawn_as_a_glyph(pdf: bytes, size_pt: float, drawn):
    assert drawn() == [], drawn()
    words = [word for word in word_boxes(pdf) if RARE in word[-1]]
    assert words, "the name is not in the PDF at all"
    for page, x_min, y_min, x_max, y_max, word in words:
        # From 1.5 characters before 𠀀 to the end of the word (at most "：" or "。" after it),
        # and half a character beyond: a .notdef box is drawn wider than the advance it is given.
        after = len(word) - word.index(RARE) - 1
        assert after <= 1, word
        left = max(x_min, x_max - (after + 2.5) * size_pt)
        ink = raster(pdf, page, (left, y_min - 2, x_max + size_pt / 2, y_max + 2))
        assert any(any(row) for row in ink), "nothing drawn where the name is"
        assert not looks_like_tofu(ink), f"{word} on page {page} is drawn as a box"


def test_the_tofu_check_sees_a_box_and_not_a_glyph():
    """The raster check itself, on WeasyPrint's .notdef (a box with a cross) and a real glyph."""
    box = [[False] * 40 for _ in range(40)]
    for i in range(5, 35):
        box[5][i] = box[34][i] = box[i][5] = box[i][34] = True
        box[i][i] = box[i][39 - i] = True
    assert looks_like_tofu(box)
    open_glyph = [row[:] for row in box]
    for y in range(5, 35):
        open_glyph[y][34] = False  # no right side: 亡-like, as 𠀀 is drawn
    assert not looks_like_tofu(open_glyph)


def test_the_letter_prints_a_rare_character(world, housing_case, drawn):
    letter = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, recipient_name=NAME
    )
    assert_drawn_as_a_glyph(documents.recommendation_pdf(world.users.city_staff, letter), 16, drawn)


def test_the_ledger_prints_a_rare_character(world, housing_case, drawn):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    # The leader: the last of "责任人／责任领导" on the row, so the name ends the word.
    factories.measure(recommendation=letter, actor=world.users.housing_officer, leader_name=NAME)
    data = documents.recommendation_ledger_pdf(world.users.city_staff, letter)
    assert_drawn_as_a_glyph(data, 10.5, drawn)


def test_the_case_analysis_prints_a_rare_character(world, housing_case, drawn):
    Subject.objects.create(case=housing_case, name=NAME)
    data = documents.case_analysis_pdf(world.users.city_staff, housing_case)
    assert_drawn_as_a_glyph(data, 16, drawn)


def test_every_document_font_stack_names_hanamin():
    """Fontconfig may fall back to HanaMin by itself where it is installed; the stacks name it so
    the choice does not depend on that (and a server without it shows in the rendering tests)."""
    from django.conf import settings

    folder = settings.BASE_DIR / "templates" / "documents"
    stacks = [
        (path.name, stack)
        for path in sorted(folder.iterdir())
        for stack in re.findall(r"font-family:([^;}]*)", path.read_text(encoding="utf-8"))
    ]
    assert stacks
    assert [(name, stack) for name, stack in stacks if '"HanaMinB"' not in stack] == []
