"""A reconciliation round (对账销号) in a real browser: the officer answers on a phone, staff
confirm a row through its dialog and close the round; no page scrolls sideways."""

import datetime

import pytest

from core.domain import shanghai_today
from recommendations import services as recommendation_services
from reforms import reconciliation
from reforms.models import Measure, ReconciliationRound, ReconciliationRow
from tests import factories
from tests.reforms.conftest import advance

from .confirm import confirm
from .conftest import screenshot

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def fits(page, width) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def round_(world, housing_case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = recommendation_services.recommendation_acknowledge(
        recommendation=factories.issued_recommendation(staff=staff, the_case=housing_case),
        actor=officer,
    )
    advance(
        factories.measure(
            recommendation=letter, actor=officer, content="修订招投标管理办法，实行评审专家随机抽取"
        ),
        to=Measure.Status.IN_PROGRESS,
        staff=staff,
        officer=officer,
    )
    return reconciliation.open_round(
        actor=staff,
        recommendation=letter,
        answer_due_on=shanghai_today() + datetime.timedelta(days=14),
    )


def test_a_round_answered_on_a_phone_confirmed_and_closed(round_, log_in, live_server):
    address = f"{live_server.url}/measures/reconciliation/{round_.pk}/"
    officer = log_in("housing_officer", viewport=PHONE)
    officer.goto(address)
    assert fits(officer, PHONE["width"])
    form = officer.locator("[data-testid=answer-form]")
    form.locator("select[name=answer]").select_option("disputed")
    form.locator("textarea[name=note]").fill("该措施已于上月完成，台账未更新")
    form.locator("button[type=submit]").click()
    officer.wait_for_selector("[data-testid=differences]")
    assert "单位对台账有异议" in officer.inner_text("[data-testid=differences]")
    assert fits(officer, PHONE["width"])
    screenshot(officer, "reconciliation-answered-390")

    staff = log_in("city_staff", viewport=DESK)
    staff.goto(address)
    confirm(
        staff,
        staff.locator("[data-testid=confirm-row]"),
        select={"select[name=confirmation]": "returned"},
        fill={"textarea[name=note]": "请补充佐证材料后再申请销号"},
    )
    staff.wait_for_selector("[data-testid=close-round]")
    screenshot(staff, "reconciliation-confirmed-1366")
    confirm(staff, staff.locator("[data-testid=close-round]"))
    staff.wait_for_selector("[data-testid=round-status]:has-text('已结束')")

    round_.refresh_from_db()
    row = round_.rows.get()
    assert round_.status == ReconciliationRound.Status.CLOSED
    assert (row.confirmation, row.confirmation_note) == (
        ReconciliationRow.Confirmation.RETURNED,
        "请补充佐证材料后再申请销号",
    )
    staff.set_viewport_size(PHONE)
    assert fits(staff, PHONE["width"])
    screenshot(staff, "reconciliation-closed-390")
