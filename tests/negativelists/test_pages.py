"""Negative-list pages: the list with its filters, drafting, entries, publishing, checks, and the
refusals (403 for a role, 404 for a record out of sight)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.domain import shanghai_today
from negativelists.models import NegativeList
from tests import factories

from .conftest import draft, published

pytestmark = pytest.mark.django_db
Status = NegativeList.Status


def test_the_officer_drafts_a_list_adds_entries_and_publishes_it(world, browse):
    client = browse(world.users.housing_officer)
    form = client.get(reverse("negativelists:create"))
    assert form.status_code == 200
    assert form.context["form"].initial["unit"] == world.units.housing.pk
    made = client.post(
        reverse("negativelists:create"),
        {"unit": world.units.housing.pk, "tier": "party_members", "title": "党员干部负面清单"},
    )
    negative_list = NegativeList.objects.get()
    assert made.status_code == 302 and made.url == reverse(
        "negativelists:detail", args=[negative_list.pk]
    )
    refused = client.post(reverse("negativelists:publish", args=[negative_list.pk]))
    assert refused.status_code == 409
    assert "至少" in refused.context["error"]
    added = client.post(
        reverse("negativelists:entry_add", args=[negative_list.pk]),
        {
            "risk_point": "工程项目审批",
            "requirement": "严禁插手干预工程招投标",
            "kind": "prohibitive",
        },
    )
    assert added.status_code == 302
    assert client.post(reverse("negativelists:publish", args=[negative_list.pk])).status_code == 302
    negative_list.refresh_from_db()
    assert negative_list.status == Status.PUBLISHED
    page = client.get(reverse("negativelists:detail", args=[negative_list.pk]))
    assert "严禁插手干预工程招投标" in page.content.decode()
    # The seed's word for a negative list's risk point, not a problem category's 权力运行风险点.
    assert "行权风险点" in page.content.decode()
    assert "权力运行风险点" not in page.content.decode()
    assert page.context["actions"] == {"withdraw"}


def test_a_form_refused_by_the_service_is_shown_with_its_status(world, browse):
    client = browse(world.users.city_staff)
    answer = client.post(
        reverse("negativelists:create"),
        {"unit": world.units.housing.pk, "tier": "party_members", "title": "   "},
    )
    assert answer.status_code == 400
    assert not NegativeList.objects.exists()
    negative_list = draft(world.users.housing_officer)
    empty = client.post(
        reverse("negativelists:entry_add", args=[negative_list.pk]),
        {"requirement": "", "kind": "prohibitive"},
    )
    assert empty.status_code == 400 and empty.context["form"].errors["requirement"]


def test_staff_link_the_source_cases_and_officers_read_none(world, browse, housing_case):
    negative_list = draft(world.users.housing_officer, entries=1)
    client = browse(world.users.city_staff)
    edit = reverse("negativelists:edit", args=[negative_list.pk])
    form = client.get(edit)
    assert list(form.context["form"].fields["source_cases"].queryset) == [housing_case]
    saved = client.post(
        edit,
        {"tier": "leadership", "title": "领导班子负面清单", "source_cases": [housing_case.pk]},
    )
    assert saved.status_code == 302
    negative_list.refresh_from_db()
    assert negative_list.tier == "leadership"
    page = client.get(reverse("negativelists:detail", args=[negative_list.pk]))
    assert housing_case.title in page.content.decode()
    # The officer edits the same list without seeing, or losing, its cases.
    officer = browse(world.users.housing_officer)
    assert "source_cases" not in officer.get(edit).context["form"].fields
    officer.post(edit, {"tier": "leadership", "title": "领导班子和领导干部负面清单"})
    assert list(negative_list.source_cases.all()) == [housing_case]
    page = officer.get(reverse("negativelists:detail", args=[negative_list.pk]))
    assert housing_case.title not in page.content.decode()
    assert housing_case.number not in page.content.decode()


def test_entries_are_edited_and_deleted_from_the_page(world, browse):
    negative_list = draft(world.users.housing_officer, entries=2)
    first, second = negative_list.entries.order_by("number")
    client = browse(world.users.housing_officer)
    edit = reverse("negativelists:entry_edit", args=[first.pk])
    assert client.get(edit).status_code == 200
    saved = client.post(edit, {"requirement": "严禁违规收受礼金", "kind": "preventive"})
    assert saved.status_code == 302
    first.refresh_from_db()
    assert (first.requirement, first.kind) == ("严禁违规收受礼金", "preventive")
    deleted = client.post(reverse("negativelists:entry_delete", args=[first.pk]))
    assert deleted.status_code == 302
    assert list(negative_list.entries.values_list("pk", "number")) == [(second.pk, 1)]


def test_a_draft_is_deleted_from_its_page_and_a_published_list_is_not(world, browse):
    officer = world.users.housing_officer
    client = browse(officer)
    negative_list = draft(officer, entries=1)
    page = client.get(reverse("negativelists:detail", args=[negative_list.pk]))
    assert 'data-testid="delete"' in page.content.decode()
    deleted = client.post(reverse("negativelists:delete", args=[negative_list.pk]), follow=True)
    assert deleted.redirect_chain == [(reverse("negativelists:list"), 302)]
    assert "负面清单草稿已删除" in deleted.content.decode()
    assert not NegativeList.objects.exists()
    kept = published(officer)
    refused = client.post(reverse("negativelists:delete", args=[kept.pk]))
    assert refused.status_code == 409
    assert refused.context["error"] == "只有草稿状态的负面清单可以删除。"
    assert NegativeList.objects.filter(pk=kept.pk).exists()
    outsider = browse(world.users.health_officer)
    assert outsider.post(reverse("negativelists:delete", args=[kept.pk])).status_code == 404


def test_staff_record_a_check_on_the_lists_page(world, browse):
    negative_list = published(world.users.housing_officer)
    client = browse(world.users.city_staff)
    page = client.get(reverse("negativelists:detail", args=[negative_list.pk]))
    assert page.context["check_form"] is not None
    # The date input reads an ISO date (a Chinese date format would leave it empty).
    assert f'value="{shanghai_today().isoformat()}"' in page.content.decode()
    assert "废止" in page.content.decode()  # the withdraw button, in the lists' own word
    url = reverse("negativelists:check_add", args=[negative_list.pk])
    today = shanghai_today().isoformat()
    bad = client.post(url, {"checked_on": today, "finding": "检查", "breaches": "-1"})
    assert bad.status_code == 400
    done = client.post(url, {"checked_on": today, "finding": "发现违规1起", "breaches": "1"})
    assert done.status_code == 302
    assert negative_list.checks.get().breaches == 1
    officer_page = browse(world.users.housing_officer).get(
        reverse("negativelists:detail", args=[negative_list.pk])
    )
    assert officer_page.context["check_form"] is None
    assert "发现违规1起" in officer_page.content.decode()
    refused = browse(world.users.housing_officer).post(
        url, {"checked_on": today, "finding": "自查", "breaches": "0"}
    )
    assert refused.status_code == 403


def test_the_list_filters_by_unit_tier_status_and_words(world, browse):
    housing = published(world.users.housing_officer)
    station_officer = factories.user("unit_officer", world.units.station, "station_officer")
    station = draft(station_officer, tier=NegativeList.Tier.LEADERSHIP, title="质监站领导班子清单")
    health = draft(world.users.health_officer, entries=1, title="卫健委党员干部清单")
    client = browse(world.users.city_staff)

    def listed(**query):
        page = client.get(reverse("negativelists:list"), query)
        assert page.status_code == 200
        return {row.pk for row in page.context["page_obj"]}

    assert listed() == {housing.pk, station.pk, health.pk}
    assert listed(unit=world.units.housing.pk) == {housing.pk, station.pk}
    assert listed(unit=world.units.station.pk) == {station.pk}
    assert listed(tier="leadership") == {station.pk}
    assert listed(status="published") == {housing.pk}
    assert listed(q="卫健委") == {health.pk}
    assert listed(q="插手干预") == {housing.pk, health.pk}  # an entry's requirement
    assert listed(unit=world.units.water.pk) == set()  # out of sight: selects nothing
    # 成效统计's scope: published at some time, a sector, a period (the day published).
    assert listed(published="yes") == {housing.pk}
    assert listed(sector="healthcare") == {health.pk}
    assert listed(published="yes", period_before="2020-12-31") == set()
    # The scope rides along as hidden fields when the visible filters change, and is a chip.
    page = client.get(reverse("negativelists:list"), {"published": "yes", "sector": "construction"})
    html = page.content.decode()
    assert '<input type="hidden" name="published" value="yes"' in html
    assert '<input type="hidden" name="sector" value="construction"' in html
    assert {chip["name"] for chip in page.context["chips"]} == {"published", "sector"}
    assert browse(world.users.health_officer).get(reverse("negativelists:list")).context[
        "page_obj"
    ].object_list == [health]


def test_the_list_reads_a_fixed_number_of_queries(world, browse):
    published(world.users.housing_officer)
    client = browse(world.users.city_staff)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("negativelists:list"))
    for tier in ("leadership", "middle_managers"):
        published(world.users.housing_officer, tier=tier)
    draft(world.users.health_officer)
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("negativelists:list"))
    assert len(four) == len(one)


@pytest.mark.parametrize(
    "name", ["health_officer", "county_staff", "other_staff", "system_admin", "audit_admin"]
)
def test_a_list_out_of_sight_is_not_found(world, browse, name):
    negative_list = published(world.users.housing_officer)
    entry = negative_list.entries.first()
    client = browse(getattr(world.users, name))
    for url in (
        reverse("negativelists:detail", args=[negative_list.pk]),
        reverse("negativelists:edit", args=[negative_list.pk]),
        reverse("negativelists:entry_edit", args=[entry.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("negativelists:withdraw", args=[negative_list.pk]),
        reverse("negativelists:entry_delete", args=[entry.pk]),
    ):
        assert client.post(url).status_code == 404, url
    negative_list.refresh_from_db()
    assert negative_list.status == Status.PUBLISHED


def test_roles_that_never_read_lists_are_refused_the_pages(world, browse):
    for name in ("system_admin", "security_admin", "audit_admin"):
        client = browse(getattr(world.users, name))
        assert client.get(reverse("negativelists:list")).status_code == 403
        assert client.get(reverse("negativelists:create")).status_code == 403
    supervisor = browse(world.users.supervisor)
    assert supervisor.get(reverse("negativelists:list")).status_code == 200
    assert supervisor.get(reverse("negativelists:create")).status_code == 403
    negative_list = draft(world.users.housing_officer, entries=1)
    assert supervisor.get(reverse("negativelists:edit", args=[negative_list.pk])).status_code == 403
    publish = supervisor.post(reverse("negativelists:publish", args=[negative_list.pk]))
    assert publish.status_code == 403


def test_the_menu_offers_negative_lists_to_their_readers(world, browse):
    for name, shown in (("housing_officer", True), ("supervisor", True), ("system_admin", False)):
        page = browse(getattr(world.users, name)).get(reverse("home"), follow=True)
        assert (reverse("negativelists:list") in page.content.decode()) is shown, name


def test_the_edit_pages_of_a_published_list_say_it_no_longer_changes(world, browse):
    negative_list = published(world.users.housing_officer)
    entry = negative_list.entries.first()
    client = browse(world.users.housing_officer)
    for url in (
        reverse("negativelists:edit", args=[negative_list.pk]),
        reverse("negativelists:entry_add", args=[negative_list.pk]),
        reverse("negativelists:entry_edit", args=[entry.pk]),
    ):
        answer = client.get(url)
        assert answer.status_code == 409, url
        assert answer.context["error"] == "只有草稿状态的负面清单可以编辑。"
    answer = client.post(
        reverse("negativelists:entry_add", args=[negative_list.pk]),
        {"requirement": "严禁", "kind": "prohibitive"},
    )
    assert answer.status_code == 409
    assert negative_list.entries.count() == 2


def test_the_measure_page_shows_the_lists_that_fulfil_it(world, browse, housing_case):
    """reforms knows no negative list: the section comes through ``reforms.sections``, in one
    query whether the measure has no list or several."""
    officer = world.users.housing_officer
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    measure = factories.measure(recommendation=letter, actor=officer, content="制定负面清单")
    page_url = reverse("reforms:measure_detail", args=[measure.pk])
    client = browse(officer)
    assert 'data-testid="measure-negative-lists"' not in client.get(page_url).content.decode()
    with CaptureQueriesContext(connection) as none_yet:
        client.get(page_url)
    first = published(officer, measure=measure, entries=3)
    with CaptureQueriesContext(connection) as one:
        client.get(page_url)
    second = draft(officer, measure=measure, tier=NegativeList.Tier.LEADERSHIP)
    with CaptureQueriesContext(connection) as two:
        page = client.get(page_url)
    assert len(two) == len(one) == len(none_yet)
    sections = page.context["sections"]
    assert [n.pk for n in sections[0].context["negative_lists"]] == [second.pk, first.pk]
    html = page.content.decode()
    assert reverse("negativelists:detail", args=[first.pk]) in html and "3 条" in html
    # Staff in scope read the same section; the lists of another measure are not there.
    staff_page = browse(world.users.city_staff).get(page_url).content.decode()
    assert reverse("negativelists:detail", args=[second.pk]) in staff_page
    other = factories.measure(recommendation=letter, actor=officer)
    other_page = client.get(reverse("reforms:measure_detail", args=[other.pk])).content.decode()
    assert 'data-testid="measure-negative-lists"' not in other_page
