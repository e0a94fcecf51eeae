"""Reading the PDFs we make: text (pypdf), embedded fonts (poppler's ``pdffonts``), geometry."""

import io
import re
import subprocess
import tempfile

from pypdf import PdfReader

MM = 72 / 25.4  # points per millimetre
A4 = (210 * MM, 297 * MM)
FOLIO = re.compile(r"^— \d+ —$")  # a page number, "— 1 —"


def reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    return PdfReader(io.BytesIO(pdf))


def text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(pdf).pages)


def compact(pdf: bytes) -> str:
    """The text without line breaks (a sentence may wrap anywhere) nor page numbers."""
    lines = [line for line in text(pdf).splitlines() if not FOLIO.match(line.strip())]
    return "".join("".join(lines).split())


def fonts(pdf: bytes) -> list[dict]:
    """``pdffonts``' table: one dict per font with its name and whether it is embedded."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        output = subprocess.run(
            ["pdffonts", handle.name], capture_output=True, text=True, check=True
        ).stdout
    rows = []
    for line in output.splitlines()[2:]:
        columns = line.split()
        # name, type…, encoding, emb, sub, uni, object, generation
        rows.append({"name": columns[0], "embedded": columns[-5] == "yes"})
    return rows


def lines(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of each text run on a page, in points from the bottom-left corner."""
    runs = []

    def visit(content, cm, tm, font_dict, font_size):
        if content.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((round(x, 1), round(y, 1), content.strip()))

    page.extract_text(visitor_text=visit)
    return runs
