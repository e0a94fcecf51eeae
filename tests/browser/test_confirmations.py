"""Irreversible actions ask first, in a dialog that names what will happen.

In the sign-off queue, staff open 销号's dialog and cancel (nothing happens), then confirm with a
verification opinion: the row swaps in place with the opinion, and the measure's history shows it.
They return another measure with 其他 (the explanation is then needed); the unit's officer sees
why at the top of the measure's page, and is asked for new work before 申请销号. Without JavaScript
the same forms post as they are, the dialog's fields shown in place. Screenshots of the dialog and
of the returned measure at 1366 and 390 px land in ``test-artifacts/screenshots/confirm-*``.
"""

import pytest

from recommendations import services as recommendation_services
from reforms.models import Measure, MeasureTransition
from tests import factories
from tests.reforms.conftest import advance

from .confirm import confirm, open_dialog
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

Status = Measure.Status
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
OPINION = "经核查，新办法已印发，培训签到表和执行台账齐全，达到完成标准，同意销号。"


@pytest.fixture
def awaiting(world, housing_case, settings, tmp_path):
    """Two measures of the housing bureau awaiting sign-off."""
    settings.MEDIA_ROOT = tmp_path
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = recommendation_services.recommendation_acknowledge(
        recommendation=factories.issued_recommendation(staff=staff, the_case=housing_case),
        actor=officer,
    )
    return [
        advance(
            factories.measure(recommendation=letter, actor=officer, content=content),
            to=Status.AWAITING_SIGNOFF,
            staff=staff,
            officer=officer,
        )
        for content in ("修订招投标管理办法，实行评审专家随机抽取", "建立工程变更签证集体研究制度")
    ]


def test_signing_off_asks_first_and_keeps_the_opinion(awaiting, log_in, live_server):
    measure = awaiting[0]
    page = log_in("city_staff", viewport=DESK)
    page.goto(f"{live_server.url}/measures/sign-off-queue/")
    row = page.locator(f"#signoff-{measure.pk}")

    # Cancel: nothing happens.
    dialog = open_dialog(page, row.locator("[data-testid=accept]"))
    assert "销号后该措施将不再提醒，且不可撤回。" in dialog.inner_text()
    assert "修订招投标管理办法" in dialog.inner_text()  # which measure
    assert dialog.locator("textarea[name=signoff-note]").evaluate(
        "a => a === document.activeElement"
    )
    screenshot(page, "confirm-signoff-dialog-1366")
    page.set_viewport_size(PHONE)
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "confirm-signoff-dialog-390")
    page.set_viewport_size(DESK)
    dialog.locator("[data-testid=cancel]").click()
    dialog.wait_for(state="hidden")
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF
    assert row.locator("[data-testid=accept]").is_visible()

    # Esc cancels too; confirming without an opinion is stopped by the browser.
    dialog = open_dialog(page, row.locator("[data-testid=accept]"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    dialog = open_dialog(page, row.locator("[data-testid=accept]"))
    dialog.locator("[data-testid=confirm]").click()
    assert dialog.is_visible()
    measure.refresh_from_db()
    assert measure.status == Status.AWAITING_SIGNOFF

    # Confirmed with an opinion: the row swaps in place and shows it.
    dialog.locator("textarea[name=signoff-note]").fill(OPINION)
    dialog.locator("[data-testid=confirm]").click()
    row.locator("[data-testid=new-status]").wait_for()
    assert row.locator("[data-testid=new-status]").inner_text() == "已销号"
    assert f"核查意见：{OPINION}" in row.locator("[data-testid=decision]").inner_text()
    assert page.locator("dialog[open]").count() == 0
    screenshot(page, "confirm-signoff-row-signed-off")
    measure.refresh_from_db()
    assert measure.status == Status.SIGNED_OFF
    assert measure.transitions.last().reason == OPINION
    # The other row was left alone.
    assert page.locator(f"#signoff-{awaiting[1].pk} [data-testid=accept]").is_visible()

    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    assert f"核查意见：{OPINION}" in page.locator("[data-testid=history]").inner_text()


def test_a_return_needs_its_reason_and_the_unit_sees_it_at_the_top(
    awaiting, log_in, live_server, world
):
    measure = awaiting[1]
    staff = log_in("city_staff", viewport=DESK)
    staff.goto(f"{live_server.url}/measures/sign-off-queue/")
    row = staff.locator(f"#signoff-{measure.pk}")

    dialog = open_dialog(staff, row.locator("[data-testid=return]"))
    assert "须补充新的整改进展或佐证材料" in dialog.inner_text()
    screenshot(staff, "confirm-return-dialog-1366")
    dialog.locator("select[name=reason_code]").select_option(MeasureTransition.ReturnReason.OTHER)
    dialog.locator("[data-testid=confirm]").click()  # 其他 without an explanation: the browser asks
    assert dialog.is_visible()
    dialog.locator("textarea[name=reason]").fill("培训签到表与会议纪要日期不一致，请核实后补充。")
    dialog.locator("[data-testid=confirm]").click()
    row.locator("[data-testid=new-status]").wait_for()
    assert row.locator("[data-testid=new-status]").inner_text() == "已退回"
    assert "培训签到表与会议纪要日期不一致" in row.inner_text()
    measure.refresh_from_db()
    assert measure.status == Status.RETURNED

    officer = log_in("housing_officer", viewport=DESK)
    officer.goto(f"{live_server.url}/measures/{measure.pk}/")
    notice = officer.locator("[data-testid=return-notice]")
    text = notice.inner_text()
    assert "其他" in text
    assert "培训签到表与会议纪要日期不一致，请核实后补充。" in text
    assert str(world.users.city_staff) in text
    assert "退回后请先补充新的整改进展或佐证材料，再申请销号。" in text
    # At the top: above the measure's card.
    assert notice.bounding_box()["y"] < officer.locator(".card").first.bounding_box()["y"]
    assert officer.locator("[data-testid=request-signoff]").count() == 0
    assert officer.locator("[data-testid=request-signoff-hint]").is_visible()
    screenshot(officer, "confirm-returned-measure-1366")
    officer.set_viewport_size(PHONE)
    officer.reload()
    assert officer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(officer, "confirm-returned-measure-390")


def test_without_javascript_the_forms_post_as_they_are(awaiting, browser, live_server):
    measure = awaiting[0]
    context = browser.new_context(locale="zh-CN", viewport=DESK, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "city_staff")
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        page.goto(f"{live_server.url}/measures/sign-off-queue/")
        row = page.locator(f"#signoff-{measure.pk}")

        # The opening button is hidden; the dialog's message, fields and confirm button show.
        assert not row.locator("[data-testid=accept]").is_visible()
        assert row.get_by_text("销号后该措施将不再提醒，且不可撤回。").is_visible()
        row.locator("textarea[name=signoff-note]").fill(OPINION)
        screenshot(page, "confirm-signoff-queue-without-javascript")
        row.locator(f"#sign-off-{measure.pk} [data-testid=confirm]").click()
        page.wait_for_url(f"**/measures/{measure.pk}/")
        assert OPINION in page.locator("[data-testid=history]").inner_text()
    finally:
        context.close()
    measure.refresh_from_db()
    assert measure.status == Status.SIGNED_OFF


def test_issuing_asks_first(world, housing_case, log_in, live_server):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    page = log_in("city_staff", viewport=DESK)
    page.goto(f"{live_server.url}/recommendations/{draft.pk}/")

    dialog = open_dialog(page, page.locator("form[data-action=issue] [data-confirm]"))
    assert "发出后建议书编号生效，不可再修改" in dialog.inner_text()
    assert "长春市住房和城乡建设局" in dialog.inner_text()
    dialog.locator("[data-testid=cancel]").click()
    draft.refresh_from_db()
    assert draft.status == "draft"

    confirm(page, page.locator("form[data-action=issue] [data-confirm]"))
    page.wait_for_selector(".alert-success")
    draft.refresh_from_db()
    assert draft.status == "issued"
