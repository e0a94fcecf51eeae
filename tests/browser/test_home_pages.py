"""Each role signs in on the demo data and lands on its own home page, in Chinese."""

import pytest

from demo.builder import DEMO_PASSWORD

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("username", "heading", "marker"),
    [
        ("staff", "工作台", "[data-testid=signoff-count]"),
        ("officer", "工作台", "[data-testid=overdue]"),
        ("supervisor", "督查看板", "[data-testid=total-overdue]"),
    ],
)
def test_each_role_lands_on_its_home_page(demo_data, log_in, username, heading, marker):
    page = log_in(username, DEMO_PASSWORD)

    assert page.locator("h1").first.inner_text().startswith(heading)
    assert page.locator(marker).is_visible()
    assert page.locator("nav").get_by_text("退出登录", exact=False).count() == 1
    screenshot(page, f"home-{username}")


def top_of(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


@pytest.mark.parametrize(
    ("width", "name"), [(1280, "home-officer-waiting"), (390, "home-officer-phone")]
)
def test_the_officer_home_shows_what_waits_first(demo_data, log_in, width, name):
    """The demo's officer has measures returned by staff: they come before the overdue ones,
    each with the reason; the letter awaiting the reply is beside them (below on a phone)."""
    page = log_in("officer", DEMO_PASSWORD, viewport={"width": width, "height": 844})

    returned = page.locator("[data-testid=returned-row]")
    assert returned.count() == 3
    assert "理由：" in returned.first.inner_text()
    assert top_of(page, "[data-testid=returned]") < top_of(page, "[data-testid=overdue]")
    assert top_of(page, "[data-testid=overdue]") < top_of(page, "[data-testid=due-soon]")
    # The letter to the unit and its self-inspection list (自查整改清单) from the demo campaign.
    assert page.locator("[data-testid=awaiting-reply-row]").count() == 2
    assert page.locator("[data-testid=to-acknowledge]").count() == 0  # nothing to acknowledge
    if width < 992:  # one column on a phone: the reply due comes first, nothing wider than it
        assert top_of(page, "[data-testid=awaiting-reply]") < top_of(page, "[data-testid=returned]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, name)


def test_a_wrong_password_is_refused_in_chinese(browser, live_server, demo_data):
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "wrong-password")
    with page.expect_navigation():  # the refusal is a new page: read it once it has loaded
        page.click("main button[type=submit]")

    assert "请输入一个正确的" in page.locator("main").inner_text()
    screenshot(page, "login-refused")
    page.close()
