"""A large PDF laid out in parts, one process each, and its pages put together numbered through.

WeasyPrint lays a document out in one thread, about a millisecond a table cell (docs/pitfalls.md
"Long tables"), and a laid-out ``Document`` cannot leave its process: each part is written to PDF
bytes where it was laid out, and the parts' pages are joined here with pypdf. A part does not know
on which page it will start, so only the first part prints its own page numbers ("— 1 —"); the
pages of the others get theirs from a folio document — empty pages with the same ``@page`` footer,
counted on from the first part's — laid over them.

Processes are forked (the parent's imports, fonts and fontconfig state come along) and run
nothing but WeasyPrint on a string of HTML: no database, no Django request. Callers fork only
from a process's main thread (a Celery prefork child, a gunicorn sync worker), never from a
threaded server's request thread.
"""

import io
import logging
import multiprocessing
import signal
import time

from django.conf import settings

logger = logging.getLogger(__name__)

# What a process inherits from a Celery or gunicorn worker and must not act on: their signal
# handlers (a part is ended by Pool.terminate's SIGTERM), and the parent's budget alarm.
_INHERITED_SIGNALS = ("SIGALRM", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def _reset_signals() -> None:
    for name in _INHERITED_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)


def write_pdf(html: str) -> bytes:
    """One document's PDF bytes (in this process)."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _write_part(html: str) -> bytes:
    return write_pdf(html)  # looked up in the part's process: what the module holds there


def write_parts(htmls: list[str], *, timeout: float | None = None) -> list[bytes]:
    """Each HTML's PDF, laid out in a process of its own, all at once; in their order.

    ``TimeoutError`` after ``timeout`` seconds; the processes are ended whatever happens.
    """
    if len(htmls) == 1:
        return [write_pdf(htmls[0])]
    import weasyprint  # noqa: F401 — imported once, before the fork, not in every part

    context = multiprocessing.get_context("fork")
    with context.Pool(len(htmls), initializer=_reset_signals) as pool:  # exit: terminate()
        return pool.map_async(_write_part, htmls, chunksize=1).get(timeout)


def join_parts(parts: list[bytes], folios) -> bytes:
    """The parts' pages in one PDF: the first part as it is (its metadata, outline and page
    numbers), the others' pages each under one page of ``folios(first, count)`` — the PDF of
    ``count`` pages numbered from ``first`` — laid over it."""
    from pypdf import PdfReader, PdfWriter

    readers = [PdfReader(io.BytesIO(part)) for part in parts]
    writer = PdfWriter(clone_from=readers[0])
    first = len(readers[0].pages) + 1
    count = sum(len(reader.pages) for reader in readers[1:])
    if count:
        numbers = iter(PdfReader(io.BytesIO(folios(first, count))).pages)
        for reader in readers[1:]:
            for page in reader.pages:
                page = writer.add_page(page)  # pypdf merges only into its writer's pages
                page.merge_page(next(numbers))
                page.compress_content_streams()  # merging leaves the content uncompressed
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def write_joined(htmls: list[str], folios, *, timeout: float | None = None) -> bytes:
    """``write_parts`` then ``join_parts``: one PDF of all the parts' pages, numbered through."""
    started = time.perf_counter()
    parts = write_parts(htmls, timeout=timeout)
    laid_out = time.perf_counter()
    pdf = join_parts(parts, folios) if len(parts) > 1 else parts[0]
    logger.info(
        "%s parts laid out in %.1f s, joined in %.1f s",
        len(htmls),
        laid_out - started,
        time.perf_counter() - laid_out,
    )
    return pdf
