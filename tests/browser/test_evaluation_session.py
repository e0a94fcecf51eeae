"""An on-site evaluation in a real browser: an evaluator scores on the session page, staff
conclude; the page fits a desktop screen and a phone."""

from accounts.roles import Role
from recommendations import evaluation
from tests import factories
from tests.security.conftest import evaluation_session

from .conftest import screenshot
from .test_phone_layouts import NO_SIDEWAYS_SCROLL


def test_an_evaluator_scores_and_the_staff_conclude(world, housing_case, log_in, live_server):
    staff, supervisor = world.users.city_staff, world.users.supervisor
    session, _member, _score = evaluation_session(
        housing_case, staff=staff, officer=world.users.housing_officer
    )
    evaluation.evaluation_panel_add(session=session, actor=staff, user=supervisor)
    third = factories.user(Role.DISCIPLINE_STAFF, world.units.city, "city_staff_2")
    evaluation.evaluation_panel_add(session=session, actor=staff, user=third)
    evaluation.evaluation_hearing_record(
        session=session,
        actor=staff,
        reporter="局党组书记、局长 王某",
        report="建议书所列13项问题已全部销号，修订完善制度8项，开展警示教育3次。",
        questions="问：评审专家抽取如何防止人为干预？答：已改为系统随机抽取并全程留痕。",
    )
    indicators = list(session.template.indicators.all())
    evaluation.evaluation_scores_submit(
        session=session,
        actor=third,
        scores={i.pk: i.max_score - 1 for i in indicators},
        comments={indicators[3].pk: "个别措施延期"},
    )
    url = f"{live_server.url}/recommendations/evaluation-sessions/{session.pk}/"

    page = log_in("supervisor", viewport={"width": 1366, "height": 900})
    page.goto(url)
    rows = page.locator("[data-testid=score-row]")
    assert rows.count() == 11
    assert "按期销号" in page.locator("[data-testid=scores-form]").inner_text()
    for index, indicator in enumerate(indicators):
        rows.nth(index).locator("input").fill(str(indicator.max_score - (2 if index < 2 else 0)))
    rows.nth(0).locator("textarea").fill("问题查找较精准")
    screenshot(page, "evaluation-scoring-1366")
    page.locator("[data-testid=scores-form] button[type=submit]").click()
    page.wait_for_selector(".alert-success")

    staff_page = log_in("city_staff", viewport={"width": 1366, "height": 900})
    staff_page.goto(url)
    staff_page.fill("textarea[name=conclusion]", "整改总体到位，制度建设仍需巩固。")
    staff_page.locator("[data-testid=conclude-form] button[data-confirm]").click()
    staff_page.locator("dialog[open] [data-testid=confirm]").click()
    staff_page.wait_for_selector("[data-testid=results]")
    # (100 + 96 + 89) / 3 = 95.00: excellent.
    assert staff_page.locator("[data-testid=total]").inner_text().endswith("95.00")
    assert "优秀" in staff_page.locator("[data-testid=grade]").inner_text()
    assert staff_page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(staff_page, "evaluation-session-1366")

    phone = log_in("housing_officer", viewport={"width": 390, "height": 844})
    phone.goto(url)
    assert phone.locator("[data-testid=results]").is_visible()
    assert phone.locator("[data-testid=ballots]").count() == 0
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the session page scrolls sideways on a phone"
    screenshot(phone, "evaluation-session-390")
