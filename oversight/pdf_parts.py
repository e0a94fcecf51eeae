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

import gc
import io
import logging
import os
import pickle
import selectors
import signal
import time
from contextlib import contextmanager

from django.conf import settings

logger = logging.getLogger(__name__)

# What a part inherits from a Celery or gunicorn worker and must not act on: their signal
# handlers, and the parent's budget alarm.
_INHERITED_SIGNALS = ("SIGALRM", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def _start_part() -> None:
    for name in _INHERITED_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    # What the worker held before the fork is never garbage here: the collector skips it.
    gc.freeze()


@contextmanager
def fewer_collections():
    """The cyclic garbage collector run less often while a document is laid out.

    WeasyPrint allocates millions of small objects (boxes, styles) that stay alive until the PDF
    is written; at Python's default thresholds the collector walks them again and again: 10–20 %
    of a large ledger's time (docs/pitfalls.md). Garbage is still collected, in larger steps.
    """
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def write_pdf(html: str) -> bytes:
    """One document's PDF bytes (in this process)."""
    import weasyprint

    with fewer_collections():
        return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _part(html: str, pipe: int) -> None:
    """In the forked process: lay one part out, send back its PDF (or its error), and end."""
    try:
        _start_part()
        try:
            answer = (True, write_pdf(html))
        except BaseException as error:  # handed to the parent, raised there
            try:
                answer = (False, pickle.dumps(error))
            except Exception:  # an error that does not pickle: its words, then
                answer = (False, pickle.dumps(RuntimeError(repr(error))))
        with os.fdopen(pipe, "wb") as out:
            pickle.dump(answer, out)
    finally:
        os._exit(0)  # nothing of the worker's (its connections, its atexit) runs here


def write_parts(htmls: list[str], *, timeout: float | None = None) -> list[bytes]:
    """Each HTML's PDF, laid out in a forked process of its own, all at once; in their order.

    Plain ``os.fork``: a Celery prefork child is a daemonic process to ``multiprocessing``, which
    then refuses to start any. The answers are read as they come (``selectors``), so the wait
    ends at ``timeout`` (``TimeoutError``) without a signal; a part's error is raised here;
    whatever ends the wait, no part outlives it.
    """
    if len(htmls) == 1:
        return [write_pdf(htmls[0])]
    import weasyprint  # noqa: F401 — imported once, before the fork, not in every part

    deadline = None if not timeout else time.monotonic() + timeout
    running = {}  # read end of a part's pipe → its pid, until the part is reaped
    received = {}  # read end → the bytes read so far
    order = []
    with selectors.DefaultSelector() as waiting:
        try:
            for html in htmls:
                read, write = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(read)
                    _part(html, write)
                os.close(write)
                running[read], received[read] = pid, []
                order.append(read)
                waiting.register(read, selectors.EVENT_READ)
            while running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError
                for key, _events in waiting.select(left):
                    chunk = os.read(key.fd, 1 << 20)
                    if chunk:
                        received[key.fd].append(chunk)
                        continue
                    waiting.unregister(key.fd)  # the part is done: reap it
                    os.waitpid(running.pop(key.fd), 0)
        finally:
            for pid in running.values():  # interrupted: end the parts still running
                try:
                    os.kill(pid, signal.SIGKILL)
                finally:
                    os.waitpid(pid, 0)
            for read in order:
                os.close(read)
    answers = [pickle.loads(b"".join(received[read])) if received[read] else None for read in order]
    for answer in answers:
        if answer is None:
            raise RuntimeError("a part of the document ended without an answer")
        ok, value = answer
        if not ok:
            raise pickle.loads(value)
    return [value for _ok, value in answers]


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
