"""A date input (``<input type="date">``) holds an ISO date whatever the page's language. Django
writes a date in the language's first input format (zh-hans: 2026/03/01), which the browser
drops as invalid, leaving the field empty: the default dates of a reconciliation round and of a
campaign showed as blank fields, to be chosen again."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from core.domain import shanghai_today
from core.forms import DateInput

DAY = datetime.date(2026, 3, 1)


def date_values(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="date" name="{name}" value="([^"]*)"', html)


def test_the_widget_writes_an_iso_date_in_chinese():
    with translation.override("zh-hans"):
        html = DateInput().render("due_after", DAY)

    assert 'value="2026-03-01"' in html


@pytest.mark.parametrize(
    "route, name, default",
    [
        # 对账: as of today, answers due in ten working days (reforms.reconciliation_forms).
        ("reforms:reconciliation_open", "as_of", shanghai_today),
        # 举一反三: answers due in thirty days (campaigns.views).
        ("campaigns:create", "answer_due_on", lambda: shanghai_today() + datetime.timedelta(30)),
    ],
)
def test_a_forms_default_date_shows_in_chinese(world, browse, route, name, default):
    page = browse(world.users.city_staff).get(reverse(route))

    assert page.status_code == 200
    assert date_values(page.content.decode(), name) == [f"{default():%Y-%m-%d}"]
