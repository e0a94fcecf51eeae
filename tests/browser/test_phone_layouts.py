"""Every list and queue on a phone (390 px): no sideways scrolling, every action in reach.

Screenshots at 390 and 1366 px land in ``test-artifacts/screenshots/`` (``phone-*``, ``desk-*``).
"""

import pytest

from accounts.models import User
from campaigns.models import Campaign
from cases.models import Case
from demo.builder import DEMO_PASSWORD
from negativelists.models import NegativeList
from recommendations.models import EvaluationSession, Recommendation
from reforms.models import FollowUp, Measure, ReconciliationRound

from .confirm import open_dialog
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}

# (name, user, path, row selector, the actions every row must keep in reach)
PAGES = [
    (
        "signoff-queue",
        "staff",
        "/measures/sign-off-queue/",
        "[data-testid=signoff-row]",
        ["a[href*='/measures/']", "[data-testid=accept]", "[data-testid=return]"],
    ),
    (
        "extension-queue",
        "staff",
        "/measures/extensions/",
        "[data-testid=extension-row]",
        ["a[href*='/measures/']", "[data-testid=approve]", "[data-testid=reject]"],
    ),
    (
        "recommendations",
        "staff",
        "/recommendations/",
        "[data-testid=recommendation-row]",
        ["a[href*='/recommendations/']"],
    ),
    ("cases", "staff", "/cases/", "[data-testid=case-row]", ["a[href*='/cases/']"]),
    ("measures", "staff", "/measures/", "[data-testid=measure-row]", ["a[href*='/measures/']"]),
    (
        "notifications",
        "officer",
        "/notifications/",
        "[data-testid=notification-row]",
        ["button[type=submit]"],
    ),
]


NO_SIDEWAYS_SCROLL = """() => document.documentElement.scrollWidth <= window.innerWidth
  && [...document.querySelectorAll('.table-responsive')]
       .every(box => box.scrollWidth <= box.clientWidth)"""


# The column headings a line break cut in two: a text of theirs that lies on more than one line.
BROKEN_HEADINGS = """() => [...document.querySelectorAll('table thead th')]
  .filter(th => th.offsetParent !== null)
  .filter(th => [...th.childNodes].some(node => {
    if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) return false;
    const range = document.createRange();
    range.selectNodeContents(node);
    return new Set([...range.getClientRects()].map(line => Math.round(line.top))).size > 1;
  }))
  .map(th => th.textContent.trim())"""


def within_width(page, locator, width):
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not rendered"
    return box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize(
    ("name", "username", "path", "row", "actions"), PAGES, ids=[p[0] for p in PAGES]
)
def test_each_list_fits_a_phone(demo_data, log_in, live_server, name, username, path, row, actions):
    page = log_in(username, DEMO_PASSWORD, viewport=PHONE)
    page.goto(f"{live_server.url}{path}")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways on a phone"
    assert page.evaluate(BROKEN_HEADINGS) == [], f"{path}: column headings broken in two"
    rows = page.locator(row)
    assert rows.count() > 0, f"no {row} on {path} in the demo data"
    for index in range(rows.count()):
        for action in actions:
            target = rows.nth(index).locator(action).first
            assert target.is_visible(), f"{path} row {index}: {action} hidden"
            assert within_width(page, target, PHONE["width"]), (
                f"{path} row {index}: {action} off-screen"
            )
    screenshot(page, f"phone-{name}")

    page.set_viewport_size(DESK)
    page.reload()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways at 1366 px"
    screenshot(page, f"desk-{name}")


def test_each_list_stays_within_a_phone_in_english(demo_data, log_in, live_server):
    """English words are longer and break only at spaces: a table may scroll in its box, the page
    never (the measure list's buttons and badges stood 506 px wide)."""
    pages = {}
    for _name, username, path, _row, _actions in PAGES:
        pages.setdefault(username, log_in(username, DEMO_PASSWORD, viewport=PHONE, locale="en-US"))
        page = pages[username]
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


def test_signing_off_on_a_phone_swaps_the_card_in_place(demo_data, log_in, live_server):
    page = log_in("staff", DEMO_PASSWORD, viewport=PHONE)
    page.goto(f"{live_server.url}/measures/sign-off-queue/")
    row = page.locator("[data-testid=signoff-row]").first
    row_id = row.get_attribute("id")

    dialog = open_dialog(page, row.locator("[data-testid=accept]"))
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the dialog fits too
    screenshot(page, "phone-signoff-queue-dialog")
    dialog.locator("textarea[name=signoff-note]").fill("经核查，材料齐全，同意销号")
    dialog.locator("[data-testid=confirm]").click()

    swapped = page.locator(f"#{row_id}")
    swapped.locator("[data-testid=new-status]").wait_for()
    assert swapped.locator("[data-testid=accept]").count() == 0
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "phone-signoff-queue-signed-off")


def test_the_supervisors_dashboard_fits_a_phone_with_whole_headings(demo_data, log_in, live_server):
    """Its tables keep to the width of a phone, and no column heading breaks in two (在办
    was 在 over 办, and the campaigns' headings stood a character a line)."""
    page = log_in("supervisor", DEMO_PASSWORD, viewport=PHONE)
    page.goto(f"{live_server.url}/dashboard/")

    for table in ("by-unit", "by-sector", "reconciliations-by-unit", "campaigns"):
        assert page.locator(f"[data-testid={table}] tbody tr").count() > 0, table
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the dashboard scrolls sideways on a phone"
    assert page.evaluate(BROKEN_HEADINGS) == []
    screenshot(page, "phone-dashboard")


def detail_pages() -> list[str]:
    """One page of each kind a record opens on, from the demo's records."""
    letter = Recommendation.objects.exclude(status="draft").order_by("pk").first()
    case = Case.objects.order_by("pk").first()
    return [
        f"/cases/{case.pk}/",
        f"/chain/case/{case.pk}/",
        f"/recommendations/{letter.pk}/",
        f"/chain/recommendation/{letter.pk}/",
        f"/measures/{Measure.objects.order_by('pk').first().pk}/",
        f"/campaigns/{Campaign.objects.order_by('pk').first().pk}/",
        f"/campaigns/{Campaign.objects.get(mode=Campaign.Mode.CROSS).pk}/",  # 交叉检查
        f"/measures/reconciliation/{ReconciliationRound.objects.order_by('pk').first().pk}/",
        f"/measures/follow-ups/{FollowUp.objects.order_by('pk').first().pk}/",
        f"/recommendations/evaluation-sessions/{EvaluationSession.objects.order_by('pk').first().pk}/",
        f"/negative-lists/{NegativeList.objects.order_by('pk').first().pk}/",
    ]


def officer_pages() -> list[str]:
    """The pages a unit officer works on, from the demo's records of their unit."""
    officer = User.objects.get(username="officer")
    letter = Recommendation.objects.restrict(officer).order_by("pk").first()
    return [
        f"/recommendations/{letter.pk}/",
        f"/measures/plan/{letter.pk}/",
        f"/measures/{Measure.objects.restrict(officer).order_by('pk').first().pk}/",
        f"/campaigns/{Campaign.objects.order_by('pk').first().pk}/",
        f"/negative-lists/{NegativeList.objects.restrict(officer).order_by('pk').first().pk}/",
    ]


def inspector_pages() -> list[str]:
    """交叉检查 as the inspector unit's officer: the campaign, the unit it inspects (answered)
    and one it is inspected by, not yet answered."""
    campaign = Campaign.objects.get(mode=Campaign.Mode.CROSS)
    officer = User.objects.get(username="officer_health")
    rows = campaign.units.restrict(officer).order_by("pk")
    return [f"/campaigns/{campaign.pk}/", *(f"/campaigns/units/{row.pk}/answer/" for row in rows)]


@pytest.mark.parametrize(
    ("username", "pages"),
    [("staff", detail_pages), ("officer", officer_pages), ("officer_health", inspector_pages)],
)
def test_each_records_page_fits_a_phone_with_whole_headings(
    demo_data, log_in, live_server, username, pages
):
    """No sideways scrolling, no column heading broken in two (the campaign's units stood two
    characters a line and its officer's button stood past the edge; the evaluation's results
    squeezed their indicators' names)."""
    page = log_in(username, DEMO_PASSWORD, viewport=PHONE)
    for path in pages():
        answer = page.goto(f"{live_server.url}{path}")
        assert answer.status == 200, path
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways on a phone"
        assert page.evaluate(BROKEN_HEADINGS) == [], f"{path}: column headings broken in two"
        screenshot(page, f"phone-{username}-{path.strip('/').replace('/', '-')}")
