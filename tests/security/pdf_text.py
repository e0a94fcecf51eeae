"""The text of a PDF as poppler's ``pdftotext`` reads it."""

import subprocess


def extract(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def compact(text: str) -> str:
    """Without line breaks and spaces: a payload may wrap anywhere."""
    return "".join(text.split())
