"""The plan page in a real browser: ticking 长期坚持 sets the due date aside, so a standing
measure is planned without one."""

import datetime

from recommendations import services as recommendation_services
from reforms.models import Measure
from tests import factories

from .conftest import screenshot


def test_a_standing_measure_is_planned_without_its_date(world, housing_case, log_in, live_server):
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = recommendation_services.recommendation_acknowledge(
        recommendation=factories.issued_recommendation(staff=staff, the_case=housing_case),
        actor=officer,
    )
    page = log_in("housing_officer")
    page.goto(f"{live_server.url}/measures/plan/{letter.pk}/")
    block = page.locator("[data-testid=plan-item]").first
    block.locator("summary").click()
    block.locator("textarea[name$=content]").fill("每季度开展廉政风险排查")
    block.locator("textarea[name$=standard]").fill("每季度形成排查报告")
    block.locator("input[name$=department]").fill("办公室")
    block.locator("input[name$=owner_name]").fill("李明")
    block.locator("input[name$=leader_name]").fill("王副局长")
    due = block.locator("input[name$=due_on]")
    due.fill("2026-09-30")
    assert due.evaluate("field => field.required") is True

    block.locator("input[name$=is_standing]").check()

    assert due.evaluate("field => [field.required, field.disabled]") == [False, True]
    screenshot(page, "plan-standing-measure")
    block.locator("button[type=submit]").click()
    page.locator("[data-testid=plan-item]").first.get_by_text("每季度开展廉政风险排查").wait_for()
    measure = Measure.objects.get()
    assert measure.is_standing
    assert measure.due_on != datetime.date(2026, 9, 30)  # the placeholder: the date was not sent
    assert measure.due_on == letter.reply_due_on
