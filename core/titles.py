"""Where a long Chinese title breaks into lines (GB/T 9704-2012 7.3.1).

The standard sets a 2号 title in one or more centred lines, broken so that "词意完整，排列对称，长短
适宜" (words whole, lines balanced, none too short) in a trapezoid or diamond. Neither renderer can
do that alone: WeasyPrint has no ``word-break: keep-all`` and no ``text-wrap: balance``
(docs/pitfalls.md), and a browser knows no Chinese words either — both cut a title between any two
characters, which splits 以案/促改 and leaves one character alone on the last line.

So a title is cut here, once, and both the PDF and the print page draw these lines. Words come
from a dictionary segmenter (``rjieba``: jieba's dictionary in a small compiled wheel) with the
trade's own terms added; then each gap between two characters gets a cost of breaking there
(inside a word, before 的 or a closing mark, inside a document number or a short quotation:
dear; after 的, a comma or 关于: cheap), and the lines are chosen that fit the measure, are as
few as they can be and as even as they can be for the least cost.
"""

import functools
import itertools
import math
import re

PER_LINE = 20  # 2号 (22 pt) characters across the 156 mm text block

# Terms of the trade the general dictionary cuts in two (以案/促改) or does not know.
WORDS = (
    "以案促改",
    "以案促治",
    "以案促建",
    "纪检监察建议书",
    "纪检监察建议",
    "以案促改通知书",
    "纪委监委",
    "派驻纪检监察组",
    "违纪违法",
    "党工委",
    "管委会",
    "一把手",
    "回头看",
    "三重一大",
    "整改落实",
    "专项整治",
)

CLOSING = "、，。；：！？）〕】》」』”’…%％·—"  # never at the start of a line
OPENING = "（〔【《「『“‘"  # never at the end of a line
PAUSES = "、，；：。！？"  # a line may well end after these
ENDS_PHRASE = "的之"  # a line may end after them, never start with them
JOINS = "和及与或并暨"  # a line may start with them, better not end with them
STICKS_TO_PREVIOUS = "等们"

# What breaking at a gap costs.
FREE, GOOD, WORD_GAP, AFTER_GUANYU, JOIN_BEFORE, SINGLE, JOIN_AFTER = 0, 2, 10, 30, 40, 60, 60
INSIDE_WORD = 400
NEVER = 5000  # finite: a run longer than a line still breaks somewhere, at its cheapest gap
PHRASE_GAP = AFTER_GUANYU  # gaps at or below this part phrases (where a browser may wrap)

EXTRA_LINE = 80  # one line more than the fewest, when that buys much better breaks
SHORTEST = 4  # characters: no line of a title that breaks is shorter
SHORT_LINE = 800  # a line under a third of the longest: a stub
EVEN = 1.5  # per squared character of a line's difference from the average

PROTECTED = [
    # A short quotation or bracket whole: 《监察法》, “一把手”, （专项资金）.
    re.compile(f"[{OPENING}][^{OPENING}{CLOSING}]{{1,12}}[{CLOSING}]"),
    re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%．]*[0-9A-Za-z%]"),  # 2026, 3.5%, PPP
]
# A document number keeps the word before its year: 长纪建〔2026〕3号.
DOC_NUMBER = re.compile(r"〔\d{4}〕\d+号")


@functools.cache
def _segmenter():
    import rjieba  # loads its dictionary (about 0.15 s): on first use only

    jieba = rjieba.Jieba()
    for word in WORDS:
        jieba.add_word(word, None, None)
    return jieba


def width(text: str) -> float:
    """Width in characters of the title's face: half-width digits and Latin letters count ~0.6."""
    return sum(0.6 if ord(character) < 0x2000 else 1.0 for character in text)


def gap_costs(text: str) -> list[int]:
    """The cost of a line break before each character (index 0 unused: no break there)."""
    words = _segmenter().cut(text, hmm=True)
    starts, position = [], 0
    for word in words:
        starts.append(position)
        position += len(word)
    costs = [INSIDE_WORD] * len(text)
    for start in starts:
        costs[start] = WORD_GAP
    # Single characters the dictionary left alone (原/局长, 某某/局) lean on their neighbours;
    # a surname before 某某 is never parted from it (王某某).
    for number, word in enumerate(words):
        start, end = starts[number], starts[number] + len(word)
        if len(word) == 1 and "\u4e00" <= word <= "\u9fff":
            for gap in (start, end):
                if 0 < gap < len(text):
                    costs[gap] = max(costs[gap], SINGLE)
            if text.startswith("某", end):
                costs[end] = NEVER
    for index in range(1, len(text)):
        before, after = text[index - 1], text[index]
        if costs[index] == INSIDE_WORD:
            continue
        if before in PAUSES or before.isspace():
            costs[index] = FREE
        elif before in ENDS_PHRASE:
            costs[index] = GOOD
        elif index == 2 and text.startswith("关于"):
            costs[index] = AFTER_GUANYU
        elif before in JOINS:
            costs[index] = JOIN_AFTER
        elif after in JOINS:
            costs[index] = min(costs[index], JOIN_BEFORE)
    for index in range(1, len(text)):
        before, after = text[index - 1], text[index]
        number_and_unit = before.isascii() and before.isalnum() and not after.isascii()  # 13项
        if (
            after in CLOSING
            or before in OPENING
            or after in ENDS_PHRASE + STICKS_TO_PREVIOUS
            or number_and_unit
        ):
            costs[index] = NEVER
    protected = [(match.start(), match.end()) for p in PROTECTED for match in p.finditer(text)]
    for match in DOC_NUMBER.finditer(text):
        word_start = max((start for start in starts if start < match.start()), default=0)
        protected.append((word_start, match.end()))
    for start, end in protected:
        for index in range(start + 1, end):
            costs[index] = NEVER
    return costs


def _best_breaks(text: str, costs: list[int], lines: int, per_line: float) -> tuple[float, list]:
    """The cheapest way to cut ``text`` into exactly ``lines`` lines no wider than ``per_line``."""
    n = len(text)
    prefix = [0.0]
    for character in text:
        prefix.append(prefix[-1] + width(character))
    average = prefix[-1] / lines
    # best[j][p]: the cheapest first j lines ending before character p, and where line j began.
    best = [{} for _ in range(lines + 1)]
    best[0][0] = (0.0, None)
    for j in range(1, lines + 1):
        for start, (cost, _origin) in best[j - 1].items():
            ends = [n] if j == lines else range(start + 1, n)
            for end in ends:
                line_width = prefix[end] - prefix[start]
                if line_width > per_line + 1e-9:
                    break
                if lines > 1 and line_width < SHORTEST:
                    continue
                total = cost + EVEN * (line_width - average) ** 2
                if j < lines:
                    total += costs[end]
                if end not in best[j] or total < best[j][end][0]:
                    best[j][end] = (total, start)
    if n not in best[lines]:
        return math.inf, []
    total, breaks, end = best[lines][n][0], [], n
    for j in range(lines, 0, -1):
        start = best[j][end][1]
        breaks.append((start, end))
        end = start
    breaks.reverse()
    widths = [prefix[b] - prefix[a] for a, b in breaks]
    if min(widths) < max(widths) / 3:
        total += SHORT_LINE
    return total, breaks


def title_lines(title: str, per_line: float = PER_LINE) -> list[list[str]]:
    """``title`` in balanced lines no wider than ``per_line`` characters, each a list of phrases.

    The lines are for both renderers; the phrases are where a narrower screen may wrap a line
    further (the print page puts a ``<wbr>`` between them and keeps words whole otherwise).
    """
    title = " ".join(title.split())
    if not title:
        return []
    costs = gap_costs(title)
    if width(title) <= per_line:
        breaks = [(0, len(title))]
    else:
        fewest = math.ceil(width(title) / per_line)
        options = []
        for count in (fewest, fewest + 1, fewest + 2):
            cost, found = _best_breaks(title, costs, count, per_line)
            options.append((cost + EXTRA_LINE * (count - fewest), found))
        breaks = min((option for option in options if option[1]), key=lambda o: o[0])[1]
    result = []
    for start, end in breaks:
        # A space where the line breaks goes; one inside the line stays in its phrase.
        while title[start].isspace():
            start += 1
        while title[end - 1].isspace():
            end -= 1
        cuts = [index for index in range(start + 1, end) if costs[index] <= PHRASE_GAP]
        bounds = [start, *cuts, end]
        result.append([title[a:b] for a, b in itertools.pairwise(bounds)])
    return result
