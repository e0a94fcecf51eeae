"""The notification side of the loop, in a real browser, with every recipient's bell and inbox.

Staff issue a two-item letter; the housing bureau's officer acknowledges it from the home page's
待签收 row, plans a measure under each item, reports progress and asks for sign-off; staff return
the measure; the officer reports again and asks again; staff sign it off; the officer asks to
extend the other measure and staff approve. After each step every person's inbox is read: the
people the step concerns have exactly one new, unread item with the right words, its link opens
the right page, and the bell counts it; the actor and everyone else have nothing new.

Each click is one small function (``staff_issues``, ``officer_acknowledges``…), so a confirmation
dialog added to a button later changes one function.
"""

import datetime
from dataclasses import dataclass

import pytest

from accounts.roles import Role
from core.domain import shanghai_today
from recommendations.models import Recommendation
from reforms.models import ExtensionRequest, Measure, MeasureTransition
from tests import factories

from .confirm import confirm
from .conftest import screenshot
from .steps import plan_measures, report_progress, request_signoff, start_rectification

pytestmark = pytest.mark.django_db(transaction=True)

MEASURES = ["建立评审专家随机抽取和回避制度", "规范工程变更签证审批，实行集体决策"]
RETURN_NOTE = "只有文件，未见培训签到和执行记录"


# ── One function per click ───────────────────────────────────────────────────────────────────


def staff_issues(page, url: str, letter: Recommendation) -> None:
    """发出: the draft's issue form, today's date and the next document number."""
    page.goto(f"{url}/recommendations/{letter.pk}/")
    confirm(page, page.locator("form[data-action=issue] [data-confirm]"))
    page.wait_for_selector(".alert-success")


def officer_acknowledges_from_home(page, url: str, letter: Recommendation) -> None:
    """签收: from the 待签收 row at the top of the officer's home, then the letter's form."""
    page.goto(f"{url}/")
    row = page.locator("[data-testid=to-acknowledge-row]", has_text=letter.doc_number)
    screenshot(page, "notify-officer-home-to-acknowledge")
    row.locator("[data-testid=acknowledge-link]").click()
    page.wait_for_url(f"**/recommendations/{letter.pk}/")
    confirm(page, page.locator("form[data-action=acknowledge] [data-confirm]"))
    page.wait_for_selector(".alert-success")


def officer_plans(page, url: str, letter: Recommendation, due_dates) -> None:
    """The rectification plan: one measure under each item, then 开始整改."""
    page.goto(f"{url}/recommendations/{letter.pk}/")
    page.click("[data-testid=plan-link]")
    page.wait_for_url("**/measures/plan/*/")
    plan_measures(page, MEASURES, due_dates)
    start_rectification(page, f"{url}/recommendations/{letter.pk}/")


def officer_reports(page, url: str, measure: Measure, evidence) -> None:
    report_progress(page, f"{url}/measures/{measure.pk}/", "制度已印发，组织培训两场。", evidence)


def officer_requests_signoff(page, url: str, measure: Measure) -> None:
    request_signoff(page, f"{url}/measures/{measure.pk}/")


def staff_returns(page, url: str, measure: Measure) -> None:
    """退回, as paper rectification, from the sign-off queue."""
    page.goto(f"{url}/measures/sign-off-queue/")
    confirm(
        page,
        page.locator(f"#signoff-{measure.pk} [data-testid=return]"),
        select={"select[name=reason_code]": MeasureTransition.ReturnReason.PAPER_RECTIFICATION},
        fill={"textarea[name=reason]": RETURN_NOTE},
    )
    status = page.locator(f"#signoff-{measure.pk} [data-testid=new-status]")
    status.wait_for()
    assert status.inner_text() == "已退回"


def staff_signs_off(page, url: str, measure: Measure) -> None:
    """销号, from the sign-off queue."""
    page.goto(f"{url}/measures/sign-off-queue/")
    confirm(
        page,
        page.locator(f"#signoff-{measure.pk} [data-testid=accept]"),
        fill={"textarea[name=signoff-note]": "经核查，制度已印发，培训签到齐全，同意销号"},
    )
    status = page.locator(f"#signoff-{measure.pk} [data-testid=new-status]")
    status.wait_for()
    assert status.inner_text() == "已销号"


def officer_requests_extension(page, url: str, measure: Measure, to: datetime.date) -> None:
    """申请延期."""
    page.goto(f"{url}/measures/{measure.pk}/")
    form = page.locator("[data-testid=request-extension] form")
    form.locator("input[name=requested_due_on]").fill(to.isoformat())
    form.locator("textarea[name=reason]").fill("需重新组织招标")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")


def staff_approves_extension(page, url: str, request: ExtensionRequest) -> None:
    """批准, from the extension queue."""
    page.goto(f"{url}/measures/extensions/")
    confirm(page, page.locator(f"#extension-{request.pk} [data-testid=approve]"))
    status = page.locator(f"#extension-{request.pk} [data-testid=new-status]")
    status.wait_for()
    assert status.inner_text() == "已批准"


# ── Reading the bells and the inboxes ────────────────────────────────────────────────────────


def bell(page) -> int:
    """The unread count on the navbar's bell (no badge: none)."""
    badge = page.locator("#bell [data-testid=unread-count]")
    return int(badge.inner_text()) if badge.count() else 0


@dataclass(frozen=True)
class News:
    """What one person should find: a new item whose text holds ``words``, opening ``link``."""

    words: tuple[str, ...]
    link: str


class Inboxes:
    """Everyone's inbox, read after each step. Each new item is opened (and so read) once
    checked, so before every step each bell is at zero."""

    def __init__(self, url: str, pages: dict):
        self.url = url
        self.pages = pages
        self.rows = dict.fromkeys(pages, 0)

    def check(self, step: str, **news: News) -> None:
        assert set(news) <= set(self.pages), step
        for name, page in self.pages.items():
            page.goto(f"{self.url}/notifications/")
            rows = page.locator("[data-testid=notification-row]")
            expected = news.get(name)
            count = rows.count()
            assert count == self.rows[name] + (1 if expected else 0), f"{step}: {name} has {count}"
            assert bell(page) == (1 if expected else 0), f"{step}: {name}'s bell"
            self.rows[name] = count
            if expected is None:
                continue
            newest = rows.first
            assert "list-group-item-warning" in newest.get_attribute("class"), step  # unread
            text = newest.inner_text()
            for words in expected.words:
                assert words in text, f"{step}: {name} reads {text!r}"
            with page.expect_navigation() as navigation:
                newest.locator("button[type=submit]").click()
            page.wait_for_url(f"{self.url}{expected.link}")
            assert navigation.value.ok, f"{step}: {name} opened {expected.link}"
            assert page.locator("main h1").first.is_visible()
            assert bell(page) == 0, f"{step}: {name}'s bell once read"


# ── The loop ─────────────────────────────────────────────────────────────────────────────────


def test_each_step_tells_the_right_people_once(
    world, housing_case, log_in, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    url = live_server.url
    today = shanghai_today()
    evidence = tmp_path / "培训签到表.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% sign-in sheet of the training\n")
    # The owner of the measures has an account of the bureau (the plan names them; the account is
    # attached as the API's owner field does: the plan page asks for the name only).
    owner = factories.user(Role.UNIT_OFFICER, world.units.housing, "housing_owner")
    letter = factories.draft_recommendation(
        staff=world.users.city_staff,
        the_case=housing_case,
        items=2,
        reply_due_on=today + datetime.timedelta(days=40),
    )

    staff = log_in("city_staff")
    officer = log_in("housing_officer")
    inboxes = Inboxes(
        url,
        {
            "staff": staff,
            "officer": officer,
            "owner": log_in("housing_owner"),
            "outsider": log_in("health_officer"),  # another unit: never told
        },
    )
    inboxes.check("before anything")

    staff_issues(staff, url, letter)
    letter.refresh_from_db()
    assert letter.status == Recommendation.Status.ISSUED
    letter_page = f"/recommendations/{letter.pk}/"
    to_acknowledge = News(("流程动态", f"待签收：{letter.doc_number}"), letter_page)
    inboxes.check("issue", officer=to_acknowledge, owner=to_acknowledge)

    officer_acknowledges_from_home(officer, url, letter)
    inboxes.check("acknowledge", staff=News((f"已签收：{letter.doc_number}",), letter_page))

    officer_plans(officer, url, letter, [today + datetime.timedelta(days=30)] * 2)
    first, second = Measure.objects.order_by("item__number")
    Measure.objects.filter(pk__in=[first.pk, second.pk]).update(owner=owner)
    inboxes.check("plan")  # planning tells nobody
    first_page, second_page = f"/measures/{first.pk}/", f"/measures/{second.pk}/"

    officer_reports(officer, url, first, evidence)
    inboxes.check("report")

    officer_requests_signoff(officer, url, first)
    asked = News((f"申请销号：{MEASURES[0]}",), first_page)
    inboxes.check("request sign-off", staff=asked)

    staff_returns(staff, url, first)
    returned = News(
        (f"整改措施被退回：{MEASURES[0]}", f"原因：纸面整改；{RETURN_NOTE}"), first_page
    )
    inboxes.check("return", officer=returned, owner=returned)

    officer_reports(officer, url, first, evidence)
    inboxes.check("report again")

    officer_requests_signoff(officer, url, first)
    inboxes.check("request sign-off again", staff=asked)

    staff_signs_off(staff, url, first)
    signed_off = News((f"整改措施已销号：{MEASURES[0]}",), first_page)
    inboxes.check("sign-off", officer=signed_off, owner=signed_off)

    later = second.due_on + datetime.timedelta(days=30)
    officer_requests_extension(officer, url, second, later)
    request = ExtensionRequest.objects.get()
    moved = f"由{second.due_on:%Y-%m-%d}延至{later:%Y-%m-%d}"
    inboxes.check(
        "extension requested",
        staff=News((f"申请延期：{MEASURES[1]}", moved), "/measures/extensions/"),
    )

    staff_approves_extension(staff, url, request)
    approved = News((f"延期申请已批准：{MEASURES[1]}", moved), second_page)
    inboxes.check("extension approved", officer=approved, owner=approved)

    # What each one holds at the end: every item read, none twice.
    assert inboxes.rows == {"staff": 4, "officer": 4, "owner": 4, "outsider": 0}
    officer.goto(f"{url}/notifications/")
    screenshot(officer, "notify-officer-inbox")
