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


def page_image(pdf: bytes, number: int, dpi: int = 300):
    """Page ``number`` (from 1) drawn by poppler's ``pdftoppm``, as a greyscale PIL image."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source = f"{folder}/document.pdf"
        with open(source, "wb") as handle:
            handle.write(pdf)
        pages = ["-f", str(number), "-l", str(number), "-singlefile"]
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(dpi), *pages, source, f"{folder}/page"], check=True
        )
        with Image.open(f"{folder}/page.pgm") as image:
            return image.copy()


def rules(pdf: bytes, number: int, *, longer_than_mm: float = 100, dpi: int = 300) -> list[dict]:
    """The horizontal rules drawn on page ``number``, top to bottom, each as ``top`` and
    ``bottom`` (mm from the page's top edge), ``left`` and ``right`` (mm from its left edge) and
    ``thickness`` (mm of full ink: an anti-aliased row counts by how dark it is)."""
    image = page_image(pdf, number, dpi)
    mm = dpi / 25.4
    width, height = image.size
    data = image.tobytes()
    dark = bytes(1 if value < 200 else 0 for value in range(256))
    found = []
    for y in range(height):
        row = data[y * width : (y + 1) * width]
        runs = [match.span() for match in re.finditer(b"\x01+", row.translate(dark))]
        left, right = max(runs, key=lambda span: span[1] - span[0], default=(0, 0))
        if (right - left) / mm <= longer_than_mm:
            continue
        ink = sum(255 - value for value in row[left:right]) / (right - left) / 255
        if found and found[-1]["last_row"] == y - 1:
            found[-1].update(last_row=y, ink=found[-1]["ink"] + ink)
        else:
            found.append({"first_row": y, "last_row": y, "left": left, "right": right, "ink": ink})
    return [
        {
            "top": rule["first_row"] / mm,
            "bottom": (rule["last_row"] + 1) / mm,
            "left": rule["left"] / mm,
            "right": rule["right"] / mm,
            "thickness": rule["ink"] / mm,
        }
        for rule in found
    ]


BOX = {"left": "xMin", "right": "xMax", "top": "yMin", "bottom": "yMax"}


def text_lines(pdf: bytes, number: int) -> list[dict]:
    """The lines of text on page ``number`` as poppler's ``pdftotext -bbox-layout`` reads them:
    ``text`` and its box (``left``, ``right``, ``top``, ``bottom``: points from the top-left)."""
    from xml.etree import ElementTree

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        output = subprocess.run(
            ["pdftotext", "-bbox-layout", "-f", str(number), "-l", str(number), handle.name, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    namespace = "{http://www.w3.org/1999/xhtml}"
    found = []
    for line in ElementTree.fromstring(output).iter(f"{namespace}line"):
        words = [word.text or "" for word in line.iter(f"{namespace}word")]
        box = {side: float(line.get(key)) for side, key in BOX.items()}
        found.append({"text": "".join(words), **box})
    return found
