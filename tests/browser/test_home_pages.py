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


def test_the_officer_home_works_on_a_phone(demo_data, log_in):
    page = log_in("officer", DEMO_PASSWORD, viewport={"width": 390, "height": 844})

    assert page.locator("[data-testid=overdue]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "home-officer-phone")


def test_a_wrong_password_is_refused_in_chinese(browser, live_server, demo_data):
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "wrong-password")
    page.click("main button[type=submit]")

    assert "请输入一个正确的" in page.content()
    screenshot(page, "login-refused")
    page.close()
