"""The typical-cases pages: the list by sector, the case page's card, marking and withdrawing."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from cases import typical
from cases.models import Case, TypicalCase
from core.paging import LIST_QUERY_BUDGET
from tests import factories
from tests.test_excel import read

CLOSED = {"status": Case.Status.CLOSED, "closed_on": datetime.date(2025, 9, 1)}
READERS = {"city_staff", "supervisor"}
REFUSED = {
    "housing_officer",
    "health_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
}


def closed_case(world, unit, commission, **fields):
    return factories.case(
        case_unit=unit, commission=commission, created_by=world.users.city_staff, **CLOSED | fields
    )


def choose(case, actor, **fields):
    return typical.case_mark_typical(case=case, actor=actor, **{"reasons": ["warning"]} | fields)


@pytest.fixture
def chosen(world):
    """Two construction cases and one healthcare case chosen; one closed case not chosen."""
    staff = world.users.city_staff
    roads = closed_case(world, world.units.housing, world.units.city, title="道路工程受贿案")
    factories.problem(roads)
    factories.problem(roads, description="竣工结算审核缺位")
    bridge = closed_case(world, world.units.station, world.units.city, title="桥梁监理失职案")
    drugs = closed_case(
        world, world.units.health, world.units.city, sector="healthcare", title="药品采购回扣案"
    )
    closed_case(world, world.units.housing, world.units.city, title="未选中案")
    for case in (roads, bridge):
        choose(case, staff, audience_sectors=["construction"], audience_levels=["section"])
    choose(drugs, staff, reasons=["typicality"], audience_sectors=["healthcare"])
    return {"roads": roads, "bridge": bridge, "drugs": drugs}


def test_the_page_groups_by_sector_with_counts_stages_and_problems(
    world, chosen, browse, django_assert_max_num_queries
):
    client = browse(world.users.city_staff)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(reverse("cases:typical"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(group["code"], group["count"]) for group in groups] == [
        ("construction", 2),
        ("healthcare", 1),
    ]
    roads = next(case for case in groups[0]["cases"] if case.pk == chosen["roads"].pk)
    assert roads.problem_count == 2 and roads.stages == ["招投标"]
    html = response.content.decode()
    assert "道路工程受贿案" in html and "未选中案" not in html
    assert "典型案例" in html and "警示性" in html


def test_the_query_count_does_not_grow_with_the_cases(
    world, chosen, browse, django_assert_max_num_queries
):
    for number in range(5):
        case = closed_case(world, world.units.housing, world.units.city, title=f"又一案{number}")
        factories.problem(case)
        choose(case, world.users.city_staff)
    client = browse(world.users.city_staff)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(reverse("cases:typical"))
    assert response.context["total"] == 8


def test_the_page_filters_by_reason_audience_and_sector(world, chosen, browse):
    client = browse(world.users.city_staff)

    def titles(**params):
        response = client.get(reverse("cases:typical"), params)
        return {case.title for group in response.context["groups"] for case in group["cases"]}

    assert titles(typical_reason="typicality") == {"药品采购回扣案"}
    assert titles(audience_sector="construction") == {"道路工程受贿案", "桥梁监理失职案"}
    assert titles(audience_level="section") == {"道路工程受贿案", "桥梁监理失职案"}
    assert titles(sector="healthcare") == {"药品采购回扣案"}


def test_the_chosen_filters_are_chips_of_the_pages_own_filters(world, chosen, browse):
    response = browse(world.users.city_staff).get(
        reverse("cases:typical"), {"audience_sector": "construction", "status": "closed"}
    )

    assert [(chip["name"], chip["value"]) for chip in response.context["chips"]] == [
        ("audience_sector", "工程建设")
    ]
    assert 'class="collapse d-lg-block" id="typical-filters"' in response.content.decode()


def test_a_withdrawn_case_leaves_the_page(world, chosen, browse):
    typical.case_unmark_typical(case=chosen["drugs"], actor=world.users.city_staff, reason="撤")
    response = browse(world.users.city_staff).get(reverse("cases:typical"))
    assert "药品采购回扣案" not in response.content.decode()


def test_scoped_to_the_readers_jurisdiction(world, chosen, browse):
    county_case = closed_case(world, world.units.education, world.units.county, title="校舍案")
    choose(county_case, world.users.county_staff)
    response = browse(world.users.county_supervisor).get(reverse("cases:typical"))
    assert response.context["total"] == 1
    assert "校舍案" in response.content.decode()
    assert browse(world.users.other_staff).get(reverse("cases:typical")).context["total"] == 0


@pytest.mark.parametrize("role", sorted(READERS | REFUSED))
def test_who_reads_the_page_and_has_it_in_the_menu(world, chosen, browse, role):
    response = browse(getattr(world.users, role)).get(reverse("cases:typical"))
    if role in READERS:
        assert response.status_code == 200
        assert reverse("cases:typical") in response.content.decode()
    else:
        assert response.status_code == 403
        home = browse(getattr(world.users, role)).get("/", follow=True).content.decode()
        assert reverse("cases:typical") not in home


def test_the_case_list_filters_and_badges_typical_cases(world, chosen, browse):
    client = browse(world.users.city_staff)
    response = client.get(reverse("cases:list"), {"typical": "true"})
    assert {case.title for case in response.context["page_obj"]} == {
        "道路工程受贿案",
        "桥梁监理失职案",
        "药品采购回扣案",
    }
    assert response.content.decode().count('data-testid="typical-badge"') == 3
    response = client.get(reverse("cases:list"), {"typical": "false"})
    assert "未选中案" in {case.title for case in response.context["page_obj"]}
    assert "道路工程受贿案" not in {case.title for case in response.context["page_obj"]}


def test_staff_mark_from_the_case_page_and_it_is_audited(world, browse):
    case = closed_case(world, world.units.housing, world.units.city)
    client = browse(world.users.city_staff)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="typical-mark"' in page
    response = client.post(
        reverse("cases:typical_mark", args=[case.pk]),
        {"reasons": ["sector_fit", "warning"], "audience_sectors": ["construction"], "note": "x"},
    )
    assert response.status_code == 302
    selection = TypicalCase.objects.get(case=case)
    assert selection.reasons == ["sector_fit", "warning"]
    entry = AuditEntry.objects.get(object_type="cases.typicalcase", action=AuditEntry.Action.CREATE)
    assert entry.user_id == world.users.city_staff.pk
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="typical-badge"' in page and 'data-testid="typical-unmark"' in page


def test_a_mark_without_reason_shows_the_error_in_chinese(world, browse):
    case = closed_case(world, world.units.housing, world.units.city)
    response = browse(world.users.city_staff).post(
        reverse("cases:typical_mark", args=[case.pk]), {"note": "x"}
    )
    assert response.status_code == 400
    assert "该字段是必填项" in response.content.decode()
    assert not TypicalCase.objects.exists()


def test_an_open_case_is_refused_with_the_reason(world, browse, housing_case):
    response = browse(world.users.city_staff).post(
        reverse("cases:typical_mark", args=[housing_case.pk]), {"reasons": ["warning"]}
    )
    assert response.status_code == 409
    assert "只有已结案的案件才能选为典型案例" in response.content.decode()
    page = browse(world.users.city_staff).get(reverse("cases:detail", args=[housing_case.pk]))
    assert 'data-testid="typical-mark"' not in page.content.decode()


def test_staff_withdraw_from_the_case_page(world, browse):
    case = closed_case(world, world.units.housing, world.units.city)
    choose(case, world.users.city_staff)
    client = browse(world.users.city_staff)
    response = client.post(reverse("cases:typical_unmark", args=[case.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("cases:typical_unmark", args=[case.pk]), {"reason": "已整改"})
    assert response.status_code == 302
    assert not Case.objects.typical().exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 403),
        ("county_staff", 404),
        ("other_staff", 404),
        ("housing_officer", 404),
        ("system_admin", 404),
    ],
)
def test_others_cannot_mark_or_withdraw(world, browse, role, status):
    case = closed_case(world, world.units.housing, world.units.city)
    client = browse(getattr(world.users, role))
    response = client.post(reverse("cases:typical_mark", args=[case.pk]), {"reasons": ["warning"]})
    assert response.status_code == status
    assert not TypicalCase.objects.exists()
    choose(case, world.users.city_staff)
    response = client.post(reverse("cases:typical_unmark", args=[case.pk]), {"reason": "撤"})
    assert response.status_code == status
    assert Case.objects.typical().exists()


def test_a_supervisor_reads_the_card_without_the_forms(world, browse):
    case = closed_case(world, world.units.housing, world.units.city)
    choose(case, world.users.city_staff, audience_levels=["county"])
    page = browse(world.users.supervisor).get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    assert 'data-testid="typical-card"' in html and "县管干部" in html
    assert 'data-testid="typical-unmark"' not in html


def test_the_case_export_says_which_cases_are_typical_and_why(world, chosen, browse):
    typical.case_unmark_typical(case=chosen["bridge"], actor=world.users.city_staff, reason="撤")
    client = browse(world.users.city_staff)
    rows = read(client.get(reverse("documents:cases_xlsx"), {"sector": "construction"}))
    assert rows[0][-2:] == ("典型案例", "选树理由")
    by_title = {row[2]: row[-2:] for row in rows[1:]}
    assert by_title["道路工程受贿案"] == ("是", "警示性")
    assert by_title["桥梁监理失职案"] == ("否", None)
    assert by_title["未选中案"] == ("否", None)
    rows = read(client.get(reverse("documents:cases_xlsx"), {"typical": "true"}))
    assert sorted(row[2] for row in rows[1:]) == sorted(["道路工程受贿案", "药品采购回扣案"])


def test_officers_export_no_typical_case(world, chosen, browse):
    response = browse(world.users.housing_officer).get(
        reverse("documents:cases_xlsx"), {"typical": "true"}
    )
    assert response.status_code == 403
