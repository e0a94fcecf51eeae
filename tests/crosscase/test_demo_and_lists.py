"""The demo's saved analysis, and the lists' queries that do not grow with the analyses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from crosscase import analysis as services
from crosscase import tables
from crosscase.models import CrossCaseAnalysis


@pytest.mark.usefixtures("demo")
class TestTheDemo:
    def test_the_city_staff_have_an_analysis_with_figures_and_findings(self, db):
        analysis = CrossCaseAnalysis.objects.get()
        staff = User.objects.get(username="staff")
        figures = tables.tables(analysis, staff)
        assert analysis.common_patterns and analysis.countermeasures
        assert figures["overview"]["count"] >= 3
        assert figures["matrix"].total > 0
        assert figures["rectification"]["measures"] > 0
        # The demo's officer reads none of it.
        officer = User.objects.get(username="officer")
        assert not CrossCaseAnalysis.objects.restrict(officer).exists()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_page_and_the_api_list_cost_the_same_for_2_and_12_analyses(
    world, cases, browse, api_as
):
    staff = world.users.city_staff

    def add(count):
        for number in range(count):
            services.analysis_create(
                actor=staff, title=f"类案分析{number}", mode="hand", cases=[cases.roads]
            )

    add(2)
    page, api = browse(staff), api_as("staff")
    small = (
        count_queries(page, reverse("crosscase:list")),
        count_queries(api, "/api/v1/cross-case-analyses/"),
    )
    add(10)
    large = (
        count_queries(page, reverse("crosscase:list")),
        count_queries(api, "/api/v1/cross-case-analyses/"),
    )
    assert api.get("/api/v1/cross-case-analyses/").json()["count"] == 12
    assert small == large
    assert large[1] <= 12  # the list budget (docs/architecture.md, adding a model)
