"""The sign-in pages in a real browser: a lockout, a forced password change, enrolling an
authenticator app and giving its code, and the account security page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.test_authentication import code_of, wrong_code
from tests.factories import PASSWORD

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Zhenggai#2026"


def open_login(browser, live_server):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login/")
    return page


def submit_login(page, username, password):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():  # the next fill must reach the answered page, not this one
        page.click("main button[type=submit]")


def test_five_failures_show_the_lock_on_the_login_page(world, browser, live_server):
    page = open_login(browser, live_server)
    for _ in range(5):
        submit_login(page, "city_staff", "Wrong#pass1")
    alert = page.locator("[data-testid=lockout]")
    assert "登录失败次数过多" in alert.inner_text()
    assert page.locator("input[name=username]").input_value() == "city_staff"
    screenshot(page, "login-locked")
    page.context.close()


def test_an_administrators_password_is_changed_first(world, log_in, live_server):
    officer = world.users.housing_officer
    officer.must_change_password = True
    officer.save()
    page = log_in("housing_officer")
    assert "/account/password/" in page.url
    assert "您的密码由管理员设置" in page.locator("[data-testid=must-change-password]").inner_text()
    screenshot(page, "password-change-forced")
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/account/" not in url)
    assert "密码已修改" in page.locator(".alert-success").inner_text()
    page.goto(f"{live_server.url}/account/")
    assert page.locator("[data-testid=second-factor-status]").inner_text() == "未启用"
    screenshot(page, "account-security")


def test_staff_enrol_an_authenticator_then_give_its_code(world, log_in, settings):
    settings.TWO_FACTOR_ENFORCED = True
    page = log_in("city_staff")
    assert "/account/otp/enrol/" in page.url
    qr = page.locator("[data-testid=qr-code] svg").bounding_box()
    assert qr["width"] >= 160 and abs(qr["width"] - qr["height"]) < 2  # square and scannable
    screenshot(page, "otp-enrol")
    device = TOTPDevice.objects.get(user=world.users.city_staff)
    page.fill("input[name=code]", code_of(device))
    page.click("main form button.btn-danger")
    page.wait_for_url(lambda url: "/account/" not in url)
    assert page.locator("h1").first.inner_text().startswith("工作台")

    page.context.clear_cookies()
    again = log_in("city_staff")
    assert "/account/otp/" in again.url
    again.fill("input[name=code]", wrong_code(device))
    with again.expect_navigation():
        again.click("main form button.btn-danger")
    screenshot(again, "otp-verify-wrong-code")
