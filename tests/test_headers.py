"""Security headers on every kind of answer: pages, the API, the back office and the API docs.

The browser side (the policy breaks nothing) is in tests/browser/test_content_security_policy.py.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_hardened(response):
    assert directives(response) == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.users.city_staff)
    return client


def test_the_login_page_is_hardened_before_anyone_signs_in(db):
    assert_hardened(Client().get("/login/"))


@pytest.mark.parametrize("url", ["/", "/cases/", "/measures/", "/dashboard/"])
def test_pages_are_hardened(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 200
    assert_hardened(response)


def test_api_answers_and_errors_are_hardened(staff_client):
    assert_hardened(staff_client.get("/api/v1/measures/"))
    assert_hardened(staff_client.get("/api/v1/measures/999999/"))
    assert_hardened(Client().get("/api/v1/measures/"))


def test_the_back_office_is_hardened(client, world):
    client.force_login(world.users.system_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_hardened(response)


def test_swagger_ui_loads_its_init_script_from_its_own_address(staff_client):
    page = staff_client.get("/api/v1/docs/")
    assert_hardened(page)
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html
    assert '<script src="/api/v1/docs/?script="></script>' in html

    script = staff_client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_alone_may_use_inline_styles_and_a_blob_worker(staff_client):
    page = staff_client.get("/api/v1/redoc/")
    policy = directives(page)
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["worker-src"] == "'self' blob:"
    assert policy["script-src"] == "'self'"
    assert "<script>" not in page.content.decode()


def test_the_production_settings_pass_the_deploy_check():
    """HSTS, HTTPS-only cookies and the headers above: ``check --deploy`` finds nothing."""
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x" * 20 + "-a-long-random-production-key-for-the-check-only",
            "AUDIT_CHAIN_KEY": "y" * 16 + "-the-audit-chain-key-for-the-check-only",
            "DATA_KEYS": "p1:" + "5a" * 16,
            "BLIND_INDEX_KEY": "z" * 16 + "-the-blind-index-key-for-the-check-only",
            "API_TOKEN_KEY": "z" * 16 + "-the-api-token-key-for-the-check-only",
            "ALLOWED_HOSTS": "example.org",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


# What the policy blocks in a page: a style attribute, a <style> element, a <script> without a
# src, an event handler attribute. Template tags and comments are taken out first ({% include …
# style="btn-danger" %} is an argument, not an attribute).
BLOCKED = re.compile(
    r"\sstyle\s*=|<style\b|<script\b(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE
)
NOT_MARKUP = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{%.*?%\}|\{#.*?#\}|<!--.*?-->", re.DOTALL
)
# Rendered for WeasyPrint (documents/) and mail clients (emails/), never under the policy.
OUTSIDE_THE_POLICY = {"documents", "emails"}


def page_templates():
    """Every page template: the project's folders and the apps' own (the back office's)."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and not Path(config.path).is_relative_to(sys.prefix)  # installed libraries
    ]
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            if path.relative_to(folder).parts[0] not in OUTSIDE_THE_POLICY:
                yield path


def test_no_page_template_writes_what_the_policy_blocks():
    """The browser drops it without a word: the campaigns' instructions lost their line breaks
    (style="white-space: pre-line") and the unit column its width."""
    offending = {}
    for path in page_templates():
        if blocked := BLOCKED.findall(NOT_MARKUP.sub("", path.read_text())):
            offending[str(path.relative_to(settings.BASE_DIR))] = blocked
    assert sum(1 for _ in page_templates()) > 50
    assert offending == {}
