"""Real headless Chromium (Debian's, driven by Playwright) against a live test server.

Screenshots land in ``test-artifacts/screenshots/`` for people to look at.
"""

import os
import sqlite3
import sys
import traceback
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import override_settings
from playwright.sync_api import TimeoutError as PageTimeout
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD, seed

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    """Chromium, for the rest of the run.

    Playwright's event loop counts as running in this thread from here on, and Django then keeps
    this thread's connections apart from those opened before (``asgiref.local.Local``, as in async
    code). A connection left open on either side of that line would stay with nobody to close it,
    keeping the test database from being dropped at the end ("being accessed by other users"), so
    every connection is closed as the loop starts and again before it stops."""
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture
def demo_data(settings, tmp_path):
    """The demo's organisation and records (``seed_demo``), with its files in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    with override_settings(MEDIA_ROOT=tmp_path):
        seed()


@pytest.fixture
def log_in(browser, live_server):
    """``log_in(username, password=…)``: a new browser page, signed in, on the user's home page
    (in Chinese unless ``locale`` says otherwise: the browser's language chooses the site's)."""
    contexts = []

    def open_page(username, password=PASSWORD, *, viewport=None, locale="zh-CN"):
        context = browser.new_context(
            locale=locale, viewport=viewport or {"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        unanswered = set()
        page.on("request", lambda request: unanswered.add(request.url))
        page.on("requestfinished", lambda request: unanswered.discard(request.url))
        page.on("requestfailed", lambda request: unanswered.discard(request.url))
        try:
            page.goto(f"{live_server.url}/login/")
        except PageTimeout as timeout:
            raise AssertionError(
                f"Still unanswered: {sorted(unanswered)}\n"
                + why_the_server_did_not_answer(live_server.url)
            ) from timeout
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def why_the_server_did_not_answer(url: str) -> str:
    """What stands between the browser and the live server, for a sign-in page that never came
    (seen once, for every browser test of one worker): whether the server answers a plain
    request, whether the SQLite test database's write lock is free (and which processes hold the
    file), and where every thread of this process is."""
    lines = []
    try:
        with urllib.request.urlopen(f"{url}/login/", timeout=5) as answer:
            lines.append(f"A plain GET of /login/ answered {answer.status}.")
    except Exception as error:  # any failure is the finding
        lines.append(f"A plain GET of /login/ failed: {error!r}")
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        probe = sqlite3.connect(name, timeout=1, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            lines.append("The SQLite write lock is free.")
        except sqlite3.OperationalError as error:
            lines.append(f"The SQLite write lock is held: {error}")
        finally:
            probe.close()
        lines.append(f"Processes holding {name}: {holders(name)}")
    for thread_id, frame in sys._current_frames().items():
        lines.append(f"Thread {thread_id}:\n{''.join(traceback.format_stack(frame))}")
    return "\n".join(lines)


def holders(path: str) -> list[str]:
    found = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            if any(str(fd.resolve()).startswith(path) for fd in (process / "fd").iterdir()):
                found.append(f"{process.name} {(process / 'cmdline').read_bytes()[:200]!r}")
        except OSError:
            continue
    return found


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
