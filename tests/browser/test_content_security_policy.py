"""The Content-Security-Policy (no inline script or style) breaks nothing a real browser shows.

Each role walks its main pages on the demo data in Chromium; any console error or CSP violation
fails the test, htmx still swaps fragments in, the dashboard still draws its charts, and Swagger UI
still renders the API.
"""

import pytest

from accounts.models import User
from demo.builder import DEMO_PASSWORD
from recommendations.models import Recommendation
from reforms.models import Measure
from reforms.services import FROM_STATUSES, PLANNABLE

from .confirm import confirm
from .conftest import SCREENSHOTS, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


class Watched:
    """A signed-in page that records console errors and CSP violations as they happen."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self._response)
        # securitypolicyviolation is a DOM event: report it through the console we listen to.
        page.add_init_script(
            """document.addEventListener("securitypolicyviolation", (event) => {
                console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`
                    + ` at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`);
            });"""
        )

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"{self.page.url}: {message.text}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def visit(self, url: str, shot: str):
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        screenshot(self.page, f"csp-{shot}")
        assert not self.problems, "\n".join(self.problems)
        return self.page


@pytest.fixture
def watched(log_in):
    return lambda username: Watched(log_in(username, DEMO_PASSWORD))


def test_staff_pages_run_clean_and_htmx_still_swaps(demo_data, watched, live_server):
    staff = watched("staff")
    user = User.objects.get(username="staff")
    recommendation = Recommendation.objects.restrict(user).filter(status="closed").first()
    case = recommendation.cases.first()

    staff.visit(live_server.url, "staff-home")
    staff.visit(f"{live_server.url}/cases/", "case-list")
    staff.visit(f"{live_server.url}/cases/{case.pk}/", "case-detail")
    staff.visit(f"{live_server.url}/recommendations/{recommendation.pk}/", "recommendation")
    page = staff.visit(f"{live_server.url}/chain/case/{case.pk}/", "chain")
    percent = page.locator(".progress").get_attribute("aria-valuenow")
    assert int(percent) > 0
    assert page.locator(".progress-bar").evaluate("bar => bar.style.width") == f"{percent}%"
    staff.visit(f"{live_server.url}/recommendations/", "recommendation-list")
    staff.visit(f"{live_server.url}/cases/new/", "case-form")
    staff.visit(f"{live_server.url}/measures/", "measure-list")
    staff.visit(f"{live_server.url}/measures/extensions/", "extension-queue")
    staff.visit(f"{live_server.url}/notifications/", "notifications")
    staff.visit(f"{live_server.url}/documents/cases/{case.pk}/problems/import/", "import")
    page = staff.visit(f"{live_server.url}/measures/sign-off-queue/", "signoff-queue")

    row = page.locator("[data-testid=signoff-row]").first
    row_id = row.get_attribute("id")
    confirm(
        page,
        row.locator("[data-testid=accept]"),
        fill={"textarea[name=signoff-note]": "经核查，材料齐全，同意销号"},
    )
    page.locator(f"#{row_id} [data-testid=new-status]").wait_for()
    assert page.locator(f"#{row_id} [data-testid=new-status]").inner_text() == "已销号"
    screenshot(page, "csp-signoff-queue-after-htmx")
    assert not staff.problems, "\n".join(staff.problems)


def test_officer_pages_run_clean(demo_data, watched, live_server):
    officer = watched("officer")
    user = User.objects.get(username="officer")
    measure = Measure.objects.restrict(user).filter(status__in=FROM_STATUSES["report"]).first()
    plannable = Recommendation.objects.restrict(user).filter(status__in=PLANNABLE).first()

    officer.visit(live_server.url, "officer-home")
    page = officer.visit(f"{live_server.url}/measures/{measure.pk}/", "measure-detail")
    report = page.locator("[data-testid=report-progress] form")
    report.locator("textarea[name=content]").fill("已完成自查并形成报告。")
    report.locator("input[name=percent_complete]").fill("80")
    pdf = {"name": "自查报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 report"}
    report.locator("input[name=file]").set_input_files(pdf)
    report.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=progress-reports]").get_by_text("自查报告.pdf").count() == 1
    page = officer.visit(f"{live_server.url}/measures/plan/{plannable.pk}/", "plan-editor")
    page.locator("[data-testid=plan-item] summary").first.click()
    assert not officer.problems, "\n".join(officer.problems)


def test_supervisor_dashboard_draws_its_charts(demo_data, watched, live_server):
    supervisor = watched("supervisor")

    page = supervisor.visit(f"{live_server.url}/dashboard/", "dashboard")

    charts = page.locator(".dashboard-chart canvas")
    assert charts.count() >= 3
    assert page.locator(".dashboard-chart").first.bounding_box()["height"] > 100
    chart = page.locator(".dashboard-chart").nth(2)
    chart.hover()  # the tooltip is drawn too
    page.wait_for_timeout(300)
    assert not supervisor.problems, "\n".join(supervisor.problems)


def test_swagger_ui_renders_the_api_under_the_policy(demo_data, watched, live_server):
    staff = watched("staff")

    page = staff.visit(f"{live_server.url}/api/v1/docs/", "swagger-ui")

    # Swagger UI draws only the operations near the viewport (a virtual list): the first tag's
    # now, the last tag's once scrolled to the end.
    page.locator(".opblock").nth(6).wait_for()
    page.screenshot(path=str(SCREENSHOTS / "csp-swagger-ui-top.png"))  # its first screen
    page.keyboard.press("End")
    page.locator("#operations-tag-violation-types").wait_for()
    assert not staff.problems, "\n".join(staff.problems)


def test_redoc_renders_the_api_and_its_call_home_is_blocked(demo_data, log_in, live_server):
    staff = Watched(log_in("staff", DEMO_PASSWORD))

    page = staff.page
    page.goto(f"{live_server.url}/api/v1/redoc/")
    page.locator("h1").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "csp-redoc-top.png"))

    assert "以案促改 API" in page.locator("h1").first.inner_text()
    # ReDoc's "powered by" logo is fetched from its CDN: the policy keeps the intranet page home.
    assert staff.problems
    assert all("cdn.redoc.ly" in problem for problem in staff.problems), staff.problems


def test_the_back_office_runs_clean(demo_data, watched, live_server):
    admin = watched("sysadmin")

    admin.visit(f"{live_server.url}/admin/", "admin-index")
    admin.visit(f"{live_server.url}/admin/accounts/user/", "admin-users")
    user = User.objects.get(username="sysadmin")
    admin.visit(f"{live_server.url}/admin/accounts/user/{user.pk}/change/", "admin-user")
