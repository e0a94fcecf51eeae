"""成效统计 on the page: every number opens a list of exactly that many rows, in every scope (a
unit, a sector, a period, a letter, and mixes of them); the page, the API and the report (PDF and
xlsx) show the same numbers."""

import datetime
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Sector
from cases.filters import CaseFilter, ProblemFilter
from cases.models import Case, Problem
from negativelists import services as negative_list_services
from negativelists.filters import NegativeListFilter
from negativelists.models import NegativeList
from oversight.filters import SCOPE_PARAMS
from recommendations.filters import RecommendationFilter, RecommendationItemFilter
from recommendations.models import Recommendation
from reforms.filters import (
    ActivityFilter,
    ExtensionRequestFilter,
    MeasureFilter,
    RuleChangeFilter,
)
from reforms.models import Activity, RuleChange
from tests import factories, pdf
from tests.api.conftest import build_chain

pytestmark = pytest.mark.django_db

LAST_YEAR = datetime.date(2025, 6, 1)
THIS_YEAR = datetime.date(2026, 3, 1)


def _moment(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def negative_list(staff, unit, tier, title, measure=None):
    """A published negative list of one entry."""
    drafted = negative_list_services.list_create(
        actor=staff, unit=unit, tier=tier, title=title, measure=measure
    )
    negative_list_services.entry_add(negative_list=drafted, actor=staff, requirement="严禁")
    return negative_list_services.list_publish(negative_list=drafted, actor=staff)


@pytest.fixture
def work(world):
    """Three chains in the city: the housing bureau's (this year), its quality station's (last
    year) and the education bureau's (this year, another sector); and 吉林's, outside."""
    users = world.users
    housing = build_chain(
        unit=world.units.housing,
        commission=world.units.city,
        staff=users.city_staff,
        officer=users.housing_officer,
    )
    station_case = factories.case(
        case_unit=world.units.station, commission=world.units.city, created_by=users.city_staff
    )
    station_letter = factories.issued_recommendation(
        staff=users.city_staff, the_case=station_case, items=2
    )
    factories.measure(recommendation=station_letter, actor=users.city_staff)
    RuleChange.objects.create(
        unit=world.units.station,
        recommendation=station_letter,
        kind="established",
        title="质量监督抽查制度",
        effective_on=LAST_YEAR,
        created_by=users.city_staff,
    )
    Activity.objects.create(
        unit=world.units.station,
        kind="admonition_talk",
        title="集体约谈",
        held_on=LAST_YEAR,
        participant_count=8,
        created_by=users.city_staff,
    )
    education_case = factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=users.county_staff,
        sector="education",
    )
    education_letter = factories.issued_recommendation(
        staff=users.county_staff, the_case=education_case, items=1
    )
    factories.measure(recommendation=education_letter, actor=users.county_staff, is_standing=True)
    # Dates: the housing chain this year (its rule change has no effective date: it counts by
    # the day recorded), the station's last year, the education bureau's this year.
    Case.objects.filter(pk=housing.cases.pk).update(opened_on=THIS_YEAR)
    Case.objects.filter(pk=station_case.pk).update(opened_on=LAST_YEAR)
    Case.objects.filter(pk=education_case.pk).update(opened_on=THIS_YEAR)
    Problem.objects.filter(case=station_case).update(created_at=_moment(LAST_YEAR))
    Problem.objects.exclude(case=station_case).update(created_at=_moment(THIS_YEAR))
    Recommendation.objects.filter(pk=station_letter.pk).update(issued_on=LAST_YEAR)
    Recommendation.objects.exclude(pk=station_letter.pk).update(issued_on=THIS_YEAR)
    RuleChange.objects.filter(effective_on__isnull=True).update(created_at=_moment(THIS_YEAR))
    # 负面清单: the housing bureau's list for its party members (a measure of its letter) and
    # the revision that replaced it, this year; the station's leaders', last year; a draft of
    # the education bureau's, in no figure.
    for title in ("党员干部负面清单", "党员干部负面清单（修订）"):
        negative_list(
            users.city_staff, world.units.housing, "party_members", title, housing.measures
        )
    negative_list(users.city_staff, world.units.station, "leadership", "领导班子负面清单")
    NegativeList.objects.filter(unit=world.units.station).update(published_on=LAST_YEAR)
    NegativeList.objects.filter(unit=world.units.housing).update(published_on=THIS_YEAR)
    negative_list_services.list_create(
        actor=users.county_staff, unit=world.units.education, tier="leadership", title="草稿"
    )
    water_officer = factories.user("unit_officer", world.units.water, "water_officer")
    build_chain(
        unit=world.units.water,
        commission=world.units.other_city,
        staff=users.other_staff,
        officer=water_officer,
    )
    return {"housing": housing, "station_letter": station_letter}


def scopes(world, work):
    return [
        {},
        {"unit": world.units.housing.pk},
        {"unit": world.units.station.pk},
        {"sector": Sector.CONSTRUCTION},
        {"sector": Sector.EDUCATION},
        {"period_after": "2026-01-01", "period_before": "2026-12-31"},
        {"period_before": "2025-12-31"},
        {"sector": Sector.CONSTRUCTION, "period_after": "2026-01-01"},
        {"unit": world.units.city.pk, "period_after": "2025-01-01", "period_before": "2025-12-31"},
        {"recommendation": work["housing"].recommendations.pk},
        {"recommendation": work["station_letter"].pk, "period_before": "2025-12-31"},
    ]


def page_figures(response):
    """Every (label, count, url) the page links, headline cards and tables alike."""
    for section in response.context["sections"]:
        for row in section["rows"]:
            if not row.get("heading") and isinstance(row["count"], int):
                yield row["label"], row["count"], row["url"]
    figures = response.context["figures"]
    measures = figures["measures"]
    yield "due", measures["due"]["count"], measures["due"]["url"]
    yield "due signed", measures["due_signed"]["count"], measures["due_signed"]["url"]


def listed(client, url) -> int:
    """How many rows the page list at ``url`` shows (its paginator's count)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page_obj"].paginator.count


# Staff through six scopes (a unit, a sector, periods, a letter, mixes), a supervisor through two:
# every link of a page is followed (about 45 a page).
CHECKED_SCOPES = {"city_staff": (0, 2, 4, 5, 8, 10), "supervisor": (1, 7)}


@pytest.mark.parametrize("who", list(CHECKED_SCOPES))
def test_every_number_opens_a_list_of_exactly_that_many_rows(world, work, browse, who):
    client = browse(getattr(world.users, who))
    every = scopes(world, work)
    for scope in (every[index] for index in CHECKED_SCOPES[who]):
        response = client.get("/statistics/", scope)
        assert response.status_code == 200, scope
        checked = 0
        for label, count, url in page_figures(response):
            if url is None:
                continue
            assert listed(client, url) == count, (scope, label, url)
            # The figure's list carries the whole scope under the same names.
            query = dict(parse_qsl(urlsplit(url).query))
            assert {key: str(value) for key, value in scope.items()}.items() <= query.items()
            checked += 1
        assert checked > 40, scope


def test_the_scopes_select_what_they_say(world, work, browse):
    client = browse(world.users.city_staff)

    def totals(**scope):
        figures = client.get("/statistics/", scope).context["figures"]
        return {name: figures[name]["total"] for name in ("cases", "recommendations")} | {
            "measures": figures["measures"]["total"],
            "rules": figures["rule_changes"]["total"],
            "activities": figures["activities"]["total"],
            "people": figures["activities"]["participants"],
            "lists": figures["negative_lists"]["total"],
        }

    everything = totals()
    assert everything == {
        "cases": 3,
        "recommendations": 3,
        "measures": 4,
        "rules": 2,
        "activities": 2,
        "people": 128,
        "lists": 3,
    }
    assert totals(period_before="2025-12-31") == {
        "cases": 1,
        "recommendations": 1,
        "measures": 1,
        "rules": 1,
        "activities": 1,
        "people": 8,
        "lists": 1,
    }
    assert totals(sector=Sector.EDUCATION) == {
        "cases": 1,
        "recommendations": 1,
        "measures": 1,
        "rules": 0,
        "activities": 0,
        "people": 0,
        "lists": 0,
    }
    # The housing bureau counts its quality station too; this year only the bureau's own.
    assert totals(unit=world.units.housing.pk)["measures"] == 3
    assert totals(unit=world.units.housing.pk, period_after="2026-01-01")["measures"] == 2
    # A letter's negative lists are those written as a measure of its items: in force or not.
    lists = client.get(
        "/statistics/", {"recommendation": work["housing"].recommendations.pk}
    ).context["figures"]["negative_lists"]
    assert lists["total"] == 2
    assert {row["key"]: row["count"] for row in lists["by_status"]} == {
        "published": 1,
        "withdrawn": 1,
    }


def test_every_list_behind_a_figure_takes_the_whole_scope():
    for filterset in (
        CaseFilter,
        ProblemFilter,
        RecommendationFilter,
        RecommendationItemFilter,
        MeasureFilter,
        ExtensionRequestFilter,
        RuleChangeFilter,
        ActivityFilter,
        NegativeListFilter,
    ):
        missing = set(SCOPE_PARAMS) - set(filterset.base_filters)
        if filterset is RecommendationFilter:
            missing -= {"recommendation"}  # one letter is its own page
        assert not missing, (filterset.__name__, missing)


@pytest.mark.parametrize("who", ["housing_officer", "system_admin", "audit_admin"])
def test_only_staff_and_supervisors_see_the_statistics(world, browse, who):
    client = browse(getattr(world.users, who))
    for url in (
        "/statistics/",
        "/statistics/records/problems/",
        "/statistics/report.pdf",
        "/statistics/report.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_the_menu_and_the_dashboard_lead_to_the_statistics(world, browse):
    client = browse(world.users.supervisor)
    page = client.get("/dashboard/").content.decode()
    assert page.count('href="/statistics/"') >= 2  # the menu and the dashboard's button
    assert (
        'href="/statistics/"' not in browse(world.users.housing_officer).get("/").content.decode()
    )


def test_a_scope_outside_the_jurisdiction_or_backwards_is_refused_on_its_field(world, browse):
    client = browse(world.users.city_staff)
    response = client.get("/statistics/", {"unit": world.units.water.pk})
    assert response.status_code == 400
    assert set(response.context["scope"].errors) == {"unit"}
    assert not response.context["figures"]
    response = client.get(
        "/statistics/", {"period_after": "2026-02-01", "period_before": "2026-01-01"}
    )
    assert response.status_code == 400
    assert set(response.context["scope"].errors) == {"period_before"}
    assert "部分筛选条件无效，更正后才会显示结果。" in response.content.decode()
    assert client.get("/statistics/report.pdf", {"unit": world.units.water.pk}).status_code == 404
    records = client.get("/statistics/records/problems/", {"unit": world.units.water.pk})
    assert records.context["page_obj"].paginator.count == 0  # a list: out of sight is nothing


def test_an_unknown_list_is_a_404(world, browse):
    assert browse(world.users.city_staff).get("/statistics/records/subjects/").status_code == 404


def test_the_labels_are_the_glossarys(world, work, browse):
    body = browse(world.users.city_staff).get("/statistics/").content.decode()
    for word in (
        "成效统计",
        "问题清单",
        "制度建设薄弱点",
        "整改措施",
        "已销号",
        "临期",
        "销号率",
        "制度立改废释",
        "警示教育",
        "人次",
        "行业领域",
    ):
        assert word in body, word


def test_the_chosen_scope_and_a_figures_narrowing_are_chips_each_removable(world, work, browse):
    client = browse(world.users.city_staff)
    letter = work["station_letter"]
    scope = {
        "recommendation": letter.pk,
        "sector": Sector.CONSTRUCTION,
        "period_before": "2025-12-31",
    }

    page = client.get("/statistics/", scope)
    chips = {chip["name"]: chip for chip in page.context["chips"]}
    assert {name: chip["value"] for name, chip in chips.items()} == {
        "sector": "工程建设",
        "recommendation": str(letter),
        "period_before": "2025-12-31",
    }
    # Removing one keeps the others, on the same page.
    assert dict(parse_qsl(chips["sector"]["without"])) == {
        "recommendation": str(letter.pk),
        "period_before": "2025-12-31",
    }
    assert 'href="/statistics/"' in page.text  # 清除

    # A figure's list shows its own narrowing beside the scope, each removable there.
    rules = client.get("/statistics/records/rule-changes/", scope | {"kind": "established"})
    chips = {chip["name"]: chip for chip in rules.context["chips"]}
    assert {name: chip["value"] for name, chip in chips.items()} == {
        "sector": "工程建设",
        "recommendation": str(letter),
        "period_before": "2025-12-31",
        "kind": "立",
    }
    assert dict(parse_qsl(chips["kind"]["without"])) == {
        name: str(value) for name, value in scope.items()
    }
    assert rules.context["page_obj"].paginator.count == 1


def test_the_report_pdf_says_the_pages_numbers(world, work, browse):
    client = browse(world.users.city_staff)
    scope = {"sector": Sector.CONSTRUCTION}
    figures = client.get("/statistics/", scope).context["figures"]
    response = client.get("/statistics/report.pdf", scope)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "以案促改工作成效" in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )
    text = re.sub(r"\s+", "", pdf.text(response.content))
    assert "以案促改工作成效统计" in text
    assert "行业领域：工程建设" in text
    assert f"剖析案件{figures['cases']['total']}件" in text
    assert f"制定整改措施{figures['measures']['total']}项" in text
    assert f"参与{figures['activities']['participants']}人次" in text
    assert "一、案件与问题" in text


def test_the_report_workbook_reads_back_the_same_numbers(world, work, browse):
    client = browse(world.users.city_staff)
    scope = {"unit": world.units.housing.pk, "period_after": "2026-01-01"}
    figures = client.get("/statistics/", scope).context["figures"]
    response = client.get("/statistics/report.xlsx", scope)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "以案促改工作成效统计"
    by_label = {row[0]: row for row in rows if row and row[0] and row[2] is not None}
    assert ("范围", world.units.housing.name) in {(row[0], row[1]) for row in rows if row}
    assert by_label["案件"][2] == figures["cases"]["total"]
    assert by_label["整改措施"][2] == figures["measures"]["total"]
    assert by_label["制度立改废释"][2] == figures["rule_changes"]["total"]
    assert by_label["以案促改活动"][3] == figures["activities"]["participants"]
    kinds = {row[1]: row[2] for row in rows if row and row[0] == "类型" and row[1]}
    assert kinds["改"] == 1


def test_the_unit_select_stays_short_and_a_deeper_unit_is_still_taken(world, work, browse):
    deep = factories.org_child(world.units.station, "质量监督站第一科")
    deeper = factories.org_child(deep, "第一科第一组")
    client = browse(world.users.city_staff)

    options = client.get("/statistics/").context["scope"].form.fields["unit"].widget.choices
    shown = {value for value, _label in options}
    assert {world.units.housing.pk, world.units.station.pk} <= shown
    assert deep.pk not in shown and deeper.pk not in shown

    response = client.get("/statistics/", {"unit": deeper.pk})
    assert response.status_code == 200
    options = response.context["scope"].form.fields["unit"].widget.choices
    assert deeper.pk in {value for value, _label in options}
