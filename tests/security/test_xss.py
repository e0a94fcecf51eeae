"""Hostile text in every free-text field, then every page, fragment, PDF and Excel export that
shows it: HTML escapes it, the PDFs print it as text, the workbooks keep it as text (no formula).

Every user-written text column of the scene (names of units and people, cases, analyses,
problems, recommendations and items, measures, progress, evidence descriptions and file names,
reasons, replies, findings, notifications …) is overwritten with a payload plus the row's id.
"""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import mail
from django.db import models
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case
from core.encryption.fields import SealedMixin
from notifications.delivery import send_email
from notifications.models import Digest, Notification
from recommendations.models import Recommendation
from reforms.models import Measure

from . import pdf_text
from .clients import send, signed_in, url_of, with_csrf_cookie
from .routes import WEB

SCRIPT = "<script>alert(1)</script>"
FULL = SCRIPT + '"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>")
JAVASCRIPT_HREF = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
ROOM_FOR_ID = 8
# Written by the system, never by a user (or part of how rows are found).
NOT_FREE_TEXT = {
    "path",
    "password",
    "username",
    "dedupe_key",
    "from_status",
    "to_status",
    "sha256",
    "number",  # urging notices' and cases' numbers: cases keep theirs to stay findable below
}
APPS = (
    "accounts",
    "notifications",
    "cases",
    "recommendations",
    "reforms",
    "crosscase",
    "negativelists",
)


def free_text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, (models.CharField, models.TextField))
            and not isinstance(field, models.EmailField)
            and not field.choices
            and field.name not in NOT_FREE_TEXT
        ):
            yield field


def payload_for(field) -> str | None:
    if field.name == "link":
        return "javascript:alert(1)//"
    room = (field.max_length or 10_000) - ROOM_FOR_ID
    return next((text for text in (FULL, SCRIPT) if len(text) <= room), None)


def fill_with_payloads() -> list[str]:
    """Overwrite every free-text column of every row; return "model.field" of what was filled."""
    filled = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for field in free_text_fields(model):
                payload = payload_for(field)
                if payload is None:
                    continue
                # The row's id keeps unique columns unique.
                if isinstance(field, SealedMixin):  # sealed in Python, row by row
                    rows = list(model._default_manager.all())
                    for row in rows:
                        setattr(row, field.name, f"{payload}{row.pk}")
                    model._default_manager.bulk_update(rows, [field.name])
                else:
                    value = Concat(models.Value(payload), Cast("pk", models.CharField()))
                    model._default_manager.update(**{field.name: value})
                filled.append(f"{model.__name__}.{field.name}")
    return filled


@pytest.fixture(scope="module")
def hostile(scene, django_db_blocker):
    with django_db_blocker.unblock():
        scene.filled = fill_with_payloads()
    return scene


def test_the_user_written_fields_are_filled(hostile):
    for field in (
        "OrgUnit.name",
        "User.full_name",
        "Case.title",
        "Case.summary",
        "CaseAnalysis.root_causes",
        "Subject.name",
        "Problem.description",
        "Recommendation.title",
        "Recommendation.preamble",
        "RecommendationItem.content",
        "Measure.content",
        "Measure.standard",
        "Measure.owner_name",
        "ProgressReport.content",
        "Evidence.description",
        "Evidence.original_name",
        "ExtensionRequest.reason",
        "MeasureTransition.reason",
        "Reply.content",
        "FollowUp.findings",
        "Notification.title",
        "Notification.link",
        "CrossCaseAnalysis.title",
        "CrossCaseAnalysis.common_patterns",
        "NegativeListEntry.requirement",
        "NegativeListCheck.finding",
    ):
        assert field in hostile.filled


def assert_escaped(html: str, where: str):
    for raw in RAW:
        assert raw not in html, f"{where}: unescaped {raw!r}"
    assert not JAVASCRIPT_HREF.search(html), f"{where}: a javascript: link"


PAGE_CASES = [
    pytest.param(name, role, htmx, id=f"{name}-{role}{'-htmx' if htmx else ''}")
    for name, route in sorted(WEB.items())
    if route.method == "get"
    for role in ("staff", "supervisor", "officer")
    for htmx in (False, True)
]


@pytest.mark.parametrize(("name", "role", "htmx"), PAGE_CASES)
def test_pages_escape_the_payloads(name, role, htmx, hostile, user_of, db):
    client = signed_in(user_of(role))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    answer = client.get(url_of(name, WEB[name], hostile, "inside"), follow=True, **headers)
    if not answer["Content-Type"].startswith("text/html"):
        return  # the downloads: below
    assert_escaped(answer.content.decode(), name)


@pytest.mark.parametrize("role", ["staff", "supervisor", "officer"])
def test_the_payload_is_shown_as_text(role, hostile, user_of, db):
    """Escaped is not the same as dropped: the pages show the text the user typed."""
    client = signed_in(user_of(role))
    for url in (
        reverse("recommendations:detail", args=[hostile.inside.recommendation.pk]),
        reverse("reforms:measure_detail", args=[hostile.inside.measure.pk]),
        reverse("negativelists:detail", args=[hostile.inside.negative_list.pk]),
        reverse("notifications"),
    ):
        assert ESCAPED_SCRIPT in client.get(url).content.decode(), url


PDFS = {
    "documents:letter": "recommendation",
    "documents:case_analysis": "case",
    "documents:ledger": None,
    "documents:overdue_report": None,
    "documents:crosscase_report": "analysis",
}


@pytest.mark.parametrize("name", sorted(PDFS))
def test_pdfs_print_the_payload_as_text(name, hostile, user_of, db):
    target = PDFS[name]
    args = [getattr(hostile.inside, target).pk] if target else []
    answer = signed_in(user_of("staff")).get(reverse(name, args=args))
    assert answer.status_code == 200
    text = pdf_text.extract(
        b"".join(answer.streaming_content) if answer.streaming else answer.content
    )
    assert "alert(1)" in text
    assert SCRIPT in pdf_text.compact(text)


# Leading characters a spreadsheet reads as the start of a formula (CSV / formula injection).
FORMULAS = ("=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd")
XLSX = ("documents:measures_xlsx", "documents:cases_xlsx", "documents:recommendations_xlsx")


@pytest.fixture
def formulas(hostile, db):
    """Measures, cases and recommendations whose texts start like formulas."""
    first, plus, minus, at = FORMULAS
    Measure.objects.update(content=first, owner_name=plus[:50], department=minus, leader_name=at)
    cases = list(Case.objects.all())
    for case in cases:
        case.title, case.summary = first, plus  # the summary is sealed: set in Python
    Case.objects.bulk_update(cases, ["title", "summary"])
    Recommendation.objects.update(title=first, recipient_name=minus)
    return FORMULAS


@pytest.mark.parametrize("name", XLSX)
def test_excel_keeps_text_as_text(name, formulas, user_of, db):
    answer = signed_in(user_of("staff")).get(reverse(name))
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]

    hostile_cells = [cell for cell in cells if cell.value in formulas]
    assert hostile_cells, "the export shows the hostile texts"
    for cell in hostile_cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
    assert all(cell.data_type != "f" for cell in cells)


@pytest.mark.parametrize("role", ["staff", "system_admin"])
def test_the_back_office_escapes_the_payloads(role, hostile, user_of, db):
    client = signed_in(user_of(role))
    for model in admin.site._registry:
        meta = model._meta
        listing = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert_escaped(listing.content.decode(), meta.label)
        first = model._default_manager.order_by("pk").first()
        if listing.status_code == 200 and first is not None:
            change = client.get(
                reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            )
            assert_escaped(change.content.decode(), f"{meta.label} {first.pk}")


def test_text_typed_into_the_forms_comes_back_escaped(hostile, user_of, db):
    """The same through the real forms: progress, and an extension's reason and refusal."""
    measure = hostile.inside.open_measure
    pending = hostile.inside.extension.pk
    officer, staff = signed_in(user_of("officer")), signed_in(user_of("staff"))
    for client, url, body in (
        (
            officer,
            reverse("reforms:progress_add", args=[measure.pk]),
            {"content": f"进展{FULL}", "percent_complete": 40},
        ),
        (staff, reverse("reforms:extension_approve", args=[pending]), {}),
        (
            officer,
            reverse("reforms:extension_request", args=[measure.pk]),
            {"requested_due_on": "2027-01-29", "reason": f"延期{FULL}"},
        ),
    ):
        answer = client.post(url, body, HTTP_X_CSRFTOKEN=with_csrf_cookie(client))
        assert answer.status_code == 302, (url, answer.content[-1500:].decode())

    queue = staff.get(reverse("reforms:extension_queue")).content.decode()
    assert_escaped(queue, "extension queue")
    assert f"延期{ESCAPED_SCRIPT}" in queue
    for client in (officer, staff):
        page = client.get(reverse("reforms:measure_detail", args=[measure.pk])).content.decode()
        assert_escaped(page, "measure detail")
        assert f"进展{ESCAPED_SCRIPT}" in page


def test_the_daily_email_escapes_the_payloads(hostile, user_of, db):
    staff = user_of("staff")
    staff.email = "staff@example.gov.cn"
    staff.save(update_fields=["email"])
    digest = Digest.objects.create(
        recipient=staff, day=datetime.date(2026, 6, 1), channel=Digest.Channel.EMAIL
    )

    send_email(digest, list(Notification.objects.filter(recipient=staff)))

    html, _mimetype = mail.outbox[-1].alternatives[0]
    assert_escaped(html, "digest email")
    assert ESCAPED_SCRIPT in html


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "//evil.example/", "https://evil.example/", "/\\evil.example"]
)
def test_a_notification_never_leads_off_site(link, hostile, user_of, db):
    notification = Notification.objects.create(
        recipient=user_of("officer"), title="提醒", link=link
    )

    answer = send(
        signed_in(user_of("officer")),
        WEB["notification_read"],
        reverse("notification_read", args=[notification.pk]),
        hostile,
    )

    assert answer.status_code == 302
    assert answer.url == reverse("notifications")
