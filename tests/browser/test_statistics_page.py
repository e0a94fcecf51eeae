"""成效统计 in a real browser, on a desk (1366 px) and a phone (390 px): the figures in readable
tables, no sideways scrolling, and a number that opens its list. Screenshots:
``test-artifacts/screenshots/{desk,phone}-statistics.png``."""

import pytest

from demo.builder import DEMO_PASSWORD

from .conftest import screenshot
from .test_phone_layouts import DESK, NO_SIDEWAYS_SCROLL, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("name", "viewport"), [("desk", DESK), ("phone", PHONE)])
def test_the_statistics_page_reads_on_a_desk_and_a_phone(
    demo_data, log_in, live_server, name, viewport
):
    page = log_in("supervisor", DEMO_PASSWORD, viewport=viewport)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/statistics/")

    assert page.locator("h1").inner_text() == "成效统计"
    # Cases, letters and measures, extensions, rule changes, activities, negative lists.
    assert page.locator("[data-testid=section]").count() == 6
    lists = page.locator("[data-testid=section][data-key=negative_lists] [data-testid=figure]")
    assert lists.first.inner_text().startswith("负面清单")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the statistics page scrolls sideways"
    screenshot(page, f"{name}-statistics")
    assert errors == []

    # A number opens the list of exactly its rows.
    measures = page.locator("[data-testid=total-measures]")
    count = int(measures.inner_text())
    measures.click()
    page.wait_for_url("**/measures/**")
    assert page.locator("[data-testid=measure-row]").count() == min(count, 25)
