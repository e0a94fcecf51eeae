"""The pager of every list shows the page the reader is on and its neighbours, not always the
first pages."""

import re

from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory


def pager(number: int) -> str:
    page = Paginator(range(40 * 10), 10).get_page(number)
    request = RequestFactory().get("/measures/", {"page": number, "status": "returned"})
    template = Template('{% include "includes/pagination.html" %}')
    return template.render(RequestContext(request, {"page_obj": page}))


def test_the_current_page_and_its_neighbours_are_listed_deep_in_a_long_list():
    html = pager(20)
    assert '<span class="page-link">20</span>' in html
    linked = {int(number) for number in re.findall(r"page=(\d+)", html)}
    assert linked == {1, 18, 19, 21, 22, 40}
    assert "status=returned" in html  # the filters stay
