"""Real headless Chromium (Debian's, driven by Playwright) against a live test server.

Screenshots land in ``test-artifacts/screenshots/`` for people to look at.
"""

import os
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD, seed

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
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


@pytest.fixture
def demo_data(settings, tmp_path):
    """The demo's organisation and records (``seed_demo``), with its files in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    with override_settings(MEDIA_ROOT=tmp_path):
        seed()


@pytest.fixture
def log_in(browser, live_server):
    """``log_in(username, password=…)``: a new browser page, signed in, on the user's home page."""
    contexts = []

    def open_page(username, password=PASSWORD, *, viewport=None):
        context = browser.new_context(
            locale="zh-CN", viewport=viewport or {"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
