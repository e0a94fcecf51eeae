"""The case pages, read as stories: staff log, edit and analyse cases of their jurisdiction,
supervisors read them, and nobody else ever sees one."""

import datetime
import re
from decimal import Decimal
from html import unescape as html_unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from cases import services
from cases.filters import CaseFilter
from cases.models import Case, CaseAnalysis, Problem, ProcessStage, Subject, ViolationType
from core.paging import LIST_QUERY_BUDGET
from tests import factories

HTMX = {"HX-Request": "true"}


@pytest.fixture
def client():
    """Pages read in English, so assertions name the exact words whatever the catalogue holds."""
    return Client(headers={"Accept-Language": "en"})


def signed_in(client, user):
    client.force_login(user)
    return client


def make_case(world, unit="housing", commission="city", **fields):
    return factories.case(
        case_unit=getattr(world.units, unit),
        commission=getattr(world.units, commission),
        created_by=world.users.city_staff,
        **fields,
    )


def listed(response) -> list[str]:
    return [case.number for case in response.context["page_obj"]]


@pytest.fixture
def education_case(world):
    return make_case(world, "education", "county", number="朝-1", title="区教育局食堂采购案")


@pytest.fixture
def water_case(world):
    return factories.case(
        case_unit=world.units.water,
        commission=world.units.other_city,
        created_by=world.users.other_staff,
        number="吉-1",
    )


# ── Who gets in ──────────────────────────────────────────────────────────────────────────────


def page_urls(case, problem):
    return [
        reverse("cases:list"),
        reverse("cases:create"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:edit", args=[case.pk]),
        reverse("cases:analysis", args=[case.pk]),
        reverse("cases:analysis_edit", args=[case.pk]),
        reverse("cases:problem", args=[problem.pk]),
        reverse("cases:problem_edit", args=[problem.pk]),
    ]


def test_every_case_page_asks_a_stranger_to_sign_in(world, client, housing_case):
    problem = factories.problem(housing_case)
    for url in page_urls(housing_case, problem):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize(
    "who", ["housing_officer", "health_officer", "system_admin", "security_admin", "audit_admin"]
)
def test_unit_officers_and_the_separated_admins_never_see_a_case(world, client, housing_case, who):
    problem = factories.problem(housing_case)
    signed_in(client, getattr(world.users, who))

    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("cases:create")).status_code == 403
    for url in page_urls(housing_case, problem)[2:]:
        assert client.get(url, headers=HTMX).status_code == 404, url
    response = client.post(
        reverse("cases:problem_add", args=[housing_case.pk]), {"description": "x"}
    )
    assert response.status_code == 404
    assert client.post(reverse("cases:analysis_edit", args=[housing_case.pk])).status_code == 404
    assert Problem.objects.count() == 1


@pytest.mark.parametrize("who", ["county_staff", "other_staff", "county_supervisor"])
def test_a_case_outside_the_jurisdiction_is_not_found(world, client, housing_case, who):
    problem = factories.problem(housing_case)
    signed_in(client, getattr(world.users, who))

    for url in page_urls(housing_case, problem)[2:]:
        assert client.get(url, headers=HTMX).status_code == 404, url
    assert client.get(reverse("cases:detail", args=[987654])).status_code == 404


# ── The list ─────────────────────────────────────────────────────────────────────────────────


def test_staff_see_the_cases_of_their_jurisdiction(
    world, client, housing_case, education_case, water_case
):
    response = signed_in(client, world.users.city_staff).get(reverse("cases:list"))

    assert response.status_code == 200
    assert set(listed(response)) == {housing_case.number, education_case.number}
    html = response.content.decode()
    assert reverse("cases:detail", args=[housing_case.pk]) in html
    assert 'data-testid="new-case"' in html


def test_county_staff_see_only_their_county(world, client, housing_case, education_case):
    response = signed_in(client, world.users.county_staff).get(reverse("cases:list"))

    assert listed(response) == [education_case.number]


def test_a_dispatched_group_sees_the_cases_of_the_units_it_supervises(world, client, housing_case):
    health_case = make_case(world, "health", number="卫-1")

    response = signed_in(client, world.users.group_staff).get(reverse("cases:list"))

    assert listed(response) == [health_case.number]


def test_supervisors_read_the_list_without_logging_cases(world, client, housing_case):
    response = signed_in(client, world.users.supervisor).get(reverse("cases:list"))

    assert listed(response) == [housing_case.number]
    assert 'data-testid="new-case"' not in response.content.decode()


def test_the_list_shows_the_columns_of_a_case(world, client):
    case = make_case(
        world,
        number="长纪立〔2026〕9号",
        title="市住建局局长受贿案",
        amount=Decimal("1234567.50"),
        status=Case.Status.INVESTIGATING,
        opened_on=datetime.date(2026, 2, 14),
    )
    Subject.objects.create(case=case, name="张某", is_top_leader=True)

    response = signed_in(client, world.users.city_staff).get(reverse("cases:list"))

    row = re.search(r'<tr data-testid="case-row">(.*?)</tr>', response.content.decode(), re.S)[1]
    for text in [
        "长纪立〔2026〕9号",
        "市住建局局长受贿案",
        "长春市住房和城乡建设局",
        "Construction and engineering",
        "Under investigation",
        "2026-02-14",
        'data-testid="top-leader"',
        "1,234,567.50",
    ]:
        assert text in row


@pytest.fixture
def assorted(world):
    """Four cases that differ in every filtered field."""
    bribery = ViolationType.objects.get(name="受贿")
    embezzlement = ViolationType.objects.get(name="贪污")
    housing = make_case(
        world,
        number="A-1",
        title="住建局工程受贿案",
        summary="围标串标",
        sector="construction",
        status=Case.Status.CLOSED,
        closed_on=datetime.date(2025, 6, 1),
        opened_on=datetime.date(2025, 1, 10),
        amount=Decimal("500000"),
    )
    housing.violation_types.set([bribery])
    Subject.objects.create(case=housing, name="张三", is_top_leader=True)
    Subject.objects.create(case=housing, name="张四")
    station = make_case(
        world,
        "station",
        number="A-2",
        title="质监站检测费案",
        sector="construction",
        status=Case.Status.INVESTIGATING,
        opened_on=datetime.date(2025, 8, 1),
        amount=Decimal("80000"),
    )
    station.violation_types.set([bribery, embezzlement])
    Subject.objects.create(case=station, name="李五")
    health = make_case(
        world,
        "health",
        number="B-1",
        title="卫健委医保基金案",
        sector="healthcare",
        opened_on=datetime.date(2026, 1, 5),
        amount=Decimal("2000000"),
    )
    health.violation_types.set([embezzlement])
    education = make_case(
        world,
        "education",
        "county",
        number="C-1",
        title="区教育局食堂案",
        sector="education",
        opened_on=datetime.date(2024, 11, 20),
        amount=Decimal("0"),
    )
    Subject.objects.create(case=education, name="王六", is_top_leader=True)
    return {"bribery": bribery, "embezzlement": embezzlement}


def filtered(client, world, **params):
    response = signed_in(client, world.users.city_staff).get(reverse("cases:list"), params)
    assert response.status_code == 200
    return listed(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["B-1", "A-2", "A-1", "C-1"]),
        ({"q": "A-2"}, ["A-2"]),
        ({"q": "医保"}, ["B-1"]),
        ({"q": "串标"}, []),  # the summary is sealed (core/encryption): not searched
        ({"q": "张"}, []),  # a subject's name matches whole, not in part
        ({"q": "张三"}, ["A-1"]),
        ({"q": "  王六 "}, ["C-1"]),
        ({"sector": "construction"}, ["A-2", "A-1"]),
        ({"status": "closed"}, ["A-1"]),
        ({"status": "opened"}, ["B-1", "C-1"]),
        ({"opened_after": "2025-01-10"}, ["B-1", "A-2", "A-1"]),
        ({"opened_before": "2025-01-09"}, ["C-1"]),
        ({"opened_after": "2025-02-01", "opened_before": "2025-12-31"}, ["A-2"]),
        ({"top_leader": "true"}, ["A-1", "C-1"]),
        ({"top_leader": "false"}, ["B-1", "A-2"]),
        ({"sector": "construction", "status": "investigating"}, ["A-2"]),
    ],
)
def test_each_filter_narrows_the_list(world, client, assorted, params, expected):
    assert filtered(client, world, **params) == expected


def test_filter_by_violation_type(world, client, assorted):
    assert filtered(client, world, violation_type=assorted["bribery"].pk) == ["A-2", "A-1"]
    assert filtered(client, world, violation_type=assorted["embezzlement"].pk) == ["B-1", "A-2"]


def test_a_unit_filter_takes_in_the_units_below_it(world, client, assorted):
    assert filtered(client, world, unit=world.units.housing.pk) == ["A-2", "A-1"]
    assert filtered(client, world, unit=world.units.station.pk) == ["A-2"]
    assert filtered(client, world, unit=world.units.county.pk) == ["C-1"]
    assert filtered(client, world, unit=world.units.city.pk) == ["B-1", "A-2", "A-1", "C-1"]


def test_the_unit_choices_stop_at_the_jurisdiction(world, client, assorted):
    response = signed_in(client, world.users.county_staff).get(
        reverse("cases:list"), {"unit": world.units.housing.pk}
    )

    form = response.context["filter"].form
    assert set(form.fields["unit"].queryset) == {world.units.county, world.units.education}
    assert listed(response) == []  # a unit out of sight selects nothing, and says nothing of it


def test_the_filter_set_offers_no_unit_without_a_request(world):
    assert not CaseFilter({}, queryset=Case.objects.all()).form.fields["unit"].queryset.exists()


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("opened_on", ["C-1", "A-1", "A-2", "B-1"]),
        ("-opened_on", ["B-1", "A-2", "A-1", "C-1"]),
        ("number", ["A-1", "A-2", "B-1", "C-1"]),
        ("-number", ["C-1", "B-1", "A-2", "A-1"]),
        ("amount", ["B-1", "A-2", "A-1", "C-1"]),  # sealed, not sortable: the default
        ("title", ["B-1", "A-2", "A-1", "C-1"]),  # not a sortable column: the default
    ],
)
def test_the_list_sorts(world, client, assorted, ordering, expected):
    assert filtered(client, world, ordering=ordering) == expected


def test_column_headings_sort_and_keep_the_filters(world, client, assorted):
    response = signed_in(client, world.users.city_staff).get(
        reverse("cases:list"), {"sector": "construction", "ordering": "opened_on", "page": "1"}
    )
    html = response.content.decode()

    opened = re.search(r'href="([^"]*)" data-testid="sort-opened_on"', html)[1]
    number = re.search(r'href="([^"]*)" data-testid="sort-number"', html)[1]
    assert followed(opened) == {"sector": ["construction"], "ordering": ["-opened_on"]}
    assert followed(number) == {"sector": ["construction"], "ordering": ["-number"]}
    assert 'data-testid="sort-amount"' not in html  # sealed amounts are not sorted
    # The filter form carries the ordering along.
    assert '<input type="hidden" name="ordering" value="opened_on">' in html


def test_the_chosen_filters_are_chips_and_fold_the_form_away_on_a_phone(world, client, assorted):
    client = signed_in(client, world.users.city_staff)
    params = {"sector": "construction", "top_leader": "true", "ordering": "opened_on", "page": "1"}

    response = client.get(reverse("cases:list"), params)

    chips = {chip["name"]: chip for chip in response.context["chips"]}
    assert {name: chip["value"] for name, chip in chips.items()} == {
        "sector": "Construction and engineering",
        "top_leader": "Yes",
    }
    assert parse_qs(chips["sector"]["without"]) == {
        "top_leader": ["true"],
        "ordering": ["opened_on"],
    }
    html = response.content.decode()
    assert 'data-testid="filter-chips"' in html
    assert 'class="collapse d-lg-block" id="case-filters"' in html
    wrong = client.get(reverse("cases:list"), {"opened_after": "昨天"})
    assert wrong.context["chips"] == []
    assert 'class="collapse d-lg-block show" id="case-filters"' in wrong.content.decode()


def followed(href: str) -> dict:
    """The query a browser sends when it follows ``href`` from the list page."""
    url = urljoin("http://testserver/cases/?old=1", html_unescape(href))
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def thirty_one(world):
    for number in range(30):
        make_case(world, number=f"P-{number:02}", sector="water")
    make_case(world, number="OTHER", sector="finance")


def test_the_list_pages(world, client, thirty_one):
    first = signed_in(client, world.users.city_staff).get(
        reverse("cases:list"), {"sector": "water", "ordering": "number"}
    )
    second = client.get(reverse("cases:list"), {"sector": "water", "ordering": "number", "page": 2})

    assert len(listed(first)) == 25
    assert listed(second) == [f"P-{number:02}" for number in range(25, 30)]


def test_the_next_page_link_keeps_the_filters(world, client, thirty_one):
    first = signed_in(client, world.users.city_staff).get(
        reverse("cases:list"), {"sector": "water", "ordering": "number"}
    )

    next_link = re.search(r'href="([^"]*)">Next<', first.content.decode())[1]
    assert followed(next_link) == {"sector": ["water"], "ordering": ["number"], "page": ["2"]}


def test_the_list_runs_the_same_queries_for_3_or_30_cases(
    world, client, django_assert_max_num_queries
):
    def many(count, start):
        for number in range(start, start + count):
            case = make_case(world, number=f"Q-{number:03}")
            Subject.objects.create(case=case, name="某", is_top_leader=number % 2 == 0)
            case.violation_types.set(ViolationType.objects.all()[:2])

    signed_in(client, world.users.city_staff)
    many(3, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:list"), {"q": "Q", "top_leader": "true"})
        client.get(reverse("cases:list"))
    many(27, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("cases:list"), {"q": "Q", "top_leader": "true"})
        client.get(reverse("cases:list"))
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        client.get(reverse("cases:list"))


# ── Logging a case ───────────────────────────────────────────────────────────────────────────


def case_form_data(world, *, subjects=(), **fields):
    data = {
        "number": "长纪立〔2026〕12号",
        "title": "市住建局工程验收受贿案",
        "commission": world.units.city.pk,
        "case_unit": world.units.housing.pk,
        "sector": "construction",
        "level": Case.Level.SECTION,
        "amount": "300000",
        "status": Case.Status.OPENED,
        "opened_on": "2026-02-03",
        "closed_on": "",
        "summary": "验收环节收受好处",
        "subjects-TOTAL_FORMS": str(len(subjects) + 1),
        "subjects-INITIAL_FORMS": str(sum(1 for s in subjects if s.get("id"))),
        "subjects-MIN_NUM_FORMS": "0",
        "subjects-MAX_NUM_FORMS": "1000",
    }
    for index, subject in enumerate(subjects):
        for name, value in subject.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"subjects-{index}-{name}"] = value
    return data | fields


def test_staff_get_a_form_with_choices_from_their_jurisdiction(world, client, water_case):
    response = signed_in(client, world.users.county_staff).get(reverse("cases:create"))

    form = response.context["form"]
    assert response.status_code == 200
    assert list(form.fields["commission"].queryset) == [world.units.county]
    assert list(form.fields["case_unit"].queryset) == [world.units.education]
    assert not form.fields["linked_cases"].queryset.exists()


def test_staff_log_a_case_with_subjects_and_links(world, client, housing_case, water_case):
    bribery = ViolationType.objects.get(name="受贿")
    data = case_form_data(
        world,
        subjects=[
            {"name": "张某", "position": "局长", "is_top_leader": True},
            {"name": "李某", "position": "科长", "disposition": "留置"},
        ],
        violation_types=[bribery.pk],
        linked_cases=[housing_case.pk],
    )

    response = signed_in(client, world.users.city_staff).post(reverse("cases:create"), data)

    case = Case.objects.get(number="长纪立〔2026〕12号")
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert case.created_by == world.users.city_staff
    assert [(s.name, s.is_top_leader) for s in case.subjects.all()] == [
        ("张某", True),
        ("李某", False),
    ]
    assert list(case.violation_types.all()) == [bribery]
    assert list(case.linked_cases.all()) == [housing_case]


def test_a_bad_case_form_is_shown_again_and_saves_nothing(world, client):
    data = case_form_data(world, subjects=[{"name": "张某"}], title="", amount="-5")

    response = signed_in(client, world.users.city_staff).post(reverse("cases:create"), data)

    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert not Case.objects.exists()
    assert not Subject.objects.exists()


def test_a_unit_outside_the_jurisdiction_cannot_be_chosen(world, client, water_case):
    data = case_form_data(world, case_unit=world.units.water.pk, linked_cases=[water_case.pk])

    response = signed_in(client, world.users.city_staff).post(reverse("cases:create"), data)

    errors = response.context["form"].errors
    assert response.status_code == 400
    assert {"case_unit", "linked_cases"} <= set(errors)
    assert Case.objects.count() == 1


def test_a_closed_case_without_a_date_is_refused_next_to_the_form(world, client):
    data = case_form_data(world, status=Case.Status.CLOSED)

    response = signed_in(client, world.users.city_staff).post(reverse("cases:create"), data)

    assert response.status_code == 400
    assert "A closed case needs its closing date." in response.content.decode()
    assert not Case.objects.exists()


def test_a_subject_without_a_name_saves_nothing(world, client):
    data = case_form_data(world, subjects=[{"name": "张某"}, {"name": "", "position": "科长"}])

    response = signed_in(client, world.users.city_staff).post(reverse("cases:create"), data)

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_supervisors_cannot_log_a_case(world, client):
    signed_in(client, world.users.supervisor)

    assert client.get(reverse("cases:create")).status_code == 403
    assert client.post(reverse("cases:create"), case_form_data(world)).status_code == 403
    assert not Case.objects.exists()


# ── Editing a case ───────────────────────────────────────────────────────────────────────────


def test_staff_edit_a_case_its_subjects_and_links(world, client, housing_case):
    kept = Subject.objects.create(case=housing_case, name="张某", position="科长")
    dropped = Subject.objects.create(case=housing_case, name="王某")
    other = make_case(world, "station", number="S-1")
    signed_in(client, world.users.city_staff)

    page = client.get(reverse("cases:edit", args=[housing_case.pk]))
    assert page.status_code == 200
    assert page.context["form"]["title"].value() == housing_case.title
    assert housing_case not in page.context["form"].fields["linked_cases"].queryset

    data = case_form_data(
        world,
        number=housing_case.number,
        title="市住建局系列受贿案",
        status=Case.Status.INVESTIGATING,
        linked_cases=[other.pk],
        subjects=[
            {"id": kept.pk, "name": "张某", "position": "副局长", "is_top_leader": True},
            {"id": dropped.pk, "name": "王某", "DELETE": True},
            {"name": "赵某"},
        ],
    )
    response = client.post(reverse("cases:edit", args=[housing_case.pk]), data)

    assert response.status_code == 302
    housing_case.refresh_from_db()
    assert housing_case.title == "市住建局系列受贿案"
    assert housing_case.status == Case.Status.INVESTIGATING
    assert housing_case.created_by == world.users.city_staff
    assert [(s.name, s.position, s.is_top_leader) for s in housing_case.subjects.all()] == [
        ("张某", "副局长", True),
        ("赵某", "", False),
    ]
    assert list(housing_case.linked_cases.all()) == [other]


def test_editing_keeps_the_links_the_editor_cannot_see(world, client, housing_case, education_case):
    education_case.linked_cases.set([housing_case])
    signed_in(client, world.users.county_staff)

    page = client.get(reverse("cases:edit", args=[education_case.pk]))
    assert page.context["form"]["linked_cases"].value() == []
    data = case_form_data(
        world,
        number=education_case.number,
        title="改了标题",
        commission=world.units.county.pk,
        case_unit=world.units.education.pk,
        sector="education",
    )
    response = client.post(reverse("cases:edit", args=[education_case.pk]), data)

    assert response.status_code == 302
    assert list(education_case.linked_cases.all()) == [housing_case]


@pytest.mark.parametrize("who", ["supervisor", "county_supervisor"])
def test_supervisors_cannot_edit_a_case(world, client, education_case, who):
    signed_in(client, getattr(world.users, who))
    url = reverse("cases:edit", args=[education_case.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, case_form_data(world, title="改")).status_code == 403
    education_case.refresh_from_db()
    assert education_case.title == "区教育局食堂采购案"


# ── The case file ────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def case_file(world, housing_case):
    """A case with subjects, an analysis, a problem, a link and a recommendation."""
    Subject.objects.create(case=housing_case, name="张某", position="局长", is_top_leader=True)
    services.analysis_save(
        case=housing_case,
        actor=world.users.city_staff,
        trajectory="从收受购物卡开始",
        root_causes="理想信念滑坡",
        loopholes="验收一人签字",
        lessons="分权制衡",
    )
    factories.problem(housing_case, description="评审专家抽取无记录")
    housing_case.linked_cases.add(make_case(world, "station", number="S-9", title="质监站案"))
    factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    return housing_case


def reversible(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def test_staff_read_the_whole_case_file_and_may_edit_it(world, client, case_file):
    response = signed_in(client, world.users.city_staff).get(
        reverse("cases:detail", args=[case_file.pk])
    )
    html = response.content.decode()

    assert response.status_code == 200
    for text in [
        case_file.number,
        "张某",
        "局长",
        "Top leader",
        "从收受购物卡开始",
        "理想信念滑坡",
        "验收一人签字",
        "分权制衡",
        "评审专家抽取无记录",
        "招投标",
        "S-9 质监站案",
        "长纪建〔2026〕1号",
        "Issued",
    ]:
        assert text in html, text
    for testid in ["edit-case", "edit-analysis", "edit-problem", "problem-add-form"]:
        assert f'data-testid="{testid}"' in html, testid
    create = reversible("recommendations:create")
    if create:
        assert f'href="{create}?case={case_file.pk}"' in html
    else:
        assert 'data-testid="draft-recommendation"' not in html
    chain = reversible("chain:case", case_file.pk)
    assert (f'href="{chain}"' in html) if chain else ('data-testid="chain-link"' not in html)
    recommendation = case_file.recommendations.get()
    detail = reversible("recommendations:detail", recommendation.pk)
    if detail:
        assert f'href="{detail}"' in html


def test_supervisors_read_the_case_file_without_edit_buttons(world, client, case_file):
    response = signed_in(client, world.users.supervisor).get(
        reverse("cases:detail", args=[case_file.pk])
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "从收受购物卡开始" in html and "评审专家抽取无记录" in html and "张某" in html
    for testid in [
        "edit-case",
        "edit-analysis",
        "edit-problem",
        "problem-add-form",
        "draft-recommendation",
    ]:
        assert f'data-testid="{testid}"' not in html, testid


def test_the_case_file_lists_only_the_linked_cases_the_reader_can_see(
    world, client, housing_case, education_case
):
    education_case.linked_cases.set(
        [housing_case, make_case(world, "education", "county", title="区教育局基建案")]
    )

    response = signed_in(client, world.users.county_staff).get(
        reverse("cases:detail", args=[education_case.pk])
    )

    assert housing_case not in response.context["linked_cases"]
    assert len(response.context["linked_cases"]) == 1
    assert housing_case.title not in response.content.decode()


def test_a_fresh_case_file_says_what_is_missing(world, client, housing_case):
    response = signed_in(client, world.users.city_staff).get(
        reverse("cases:detail", args=[housing_case.pk])
    )
    html = response.content.decode()

    assert "The case has not been analysed yet." in html
    assert "No problems listed yet." in html
    assert "No recommendation cites this case yet." in html


# ── The analysis, in place ───────────────────────────────────────────────────────────────────

ANALYSIS = {
    "trajectory": "收受购物卡",
    "root_causes": "监督缺位",
    "loopholes": "一人签字",
    "lessons": "分权",
    "completed_on": "2026-03-01",
}


def test_staff_write_the_analysis_in_place(world, client, housing_case):
    signed_in(client, world.users.city_staff)
    url = reverse("cases:analysis_edit", args=[housing_case.pk])

    form = client.get(url, headers=HTMX)
    assert form.status_code == 200
    assert 'data-testid="analysis-form"' in form.content.decode()
    assert "<html" not in form.content.decode()

    response = client.post(url, ANALYSIS, headers=HTMX)

    assert response.status_code == 200
    assert "一人签字" in response.content.decode()
    assert 'data-testid="edit-analysis"' in response.content.decode()
    analysis = CaseAnalysis.objects.get(case=housing_case)
    assert (analysis.author, analysis.completed_on) == (
        world.users.city_staff,
        datetime.date(2026, 3, 1),
    )

    cancel = client.get(reverse("cases:analysis", args=[housing_case.pk]), headers=HTMX)
    assert "监督缺位" in cancel.content.decode()


def test_without_javascript_the_analysis_form_is_a_page(world, client, housing_case):
    signed_in(client, world.users.city_staff)
    url = reverse("cases:analysis_edit", args=[housing_case.pk])

    assert "<html" in client.get(url).content.decode()
    response = client.post(url, ANALYSIS)

    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[housing_case.pk])
    assert client.get(reverse("cases:analysis", args=[housing_case.pk])).status_code == 302


def test_a_bad_date_keeps_the_analysis_form_open(world, client, housing_case):
    response = signed_in(client, world.users.city_staff).post(
        reverse("cases:analysis_edit", args=[housing_case.pk]),
        ANALYSIS | {"completed_on": "not a date"},
        headers=HTMX,
    )

    assert response.status_code == 400
    assert 'data-testid="analysis-form"' in response.content.decode()
    assert not CaseAnalysis.objects.exists()


def test_a_refused_analysis_is_shown_next_to_the_form(world, client, housing_case):
    response = signed_in(client, world.users.city_staff).post(
        reverse("cases:analysis_edit", args=[housing_case.pk]),
        ANALYSIS | {"completed_on": "2020-01-01"},
        headers=HTMX,
    )

    assert response.status_code == 409
    assert "The analysis cannot be completed before the case was opened." in (
        response.content.decode()
    )
    assert not CaseAnalysis.objects.exists()


def test_supervisors_cannot_write_the_analysis(world, client, housing_case):
    signed_in(client, world.users.supervisor)
    url = reverse("cases:analysis_edit", args=[housing_case.pk])

    assert client.get(url, headers=HTMX).status_code == 403
    response = client.post(url, ANALYSIS, headers=HTMX)

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.content.decode()
    assert not CaseAnalysis.objects.exists()


# ── The problem list, in place ───────────────────────────────────────────────────────────────


def problem_data(world, **fields):
    return {
        "category": Problem.Category.RISK_POINT,
        "process_stage": ProcessStage.objects.get(name="项目验收").pk,
        "unit": world.units.station.pk,
        "description": "验收无人复核",
    } | fields


def test_staff_add_a_problem_in_place(world, client, housing_case):
    signed_in(client, world.users.city_staff)

    response = client.post(
        reverse("cases:problem_add", args=[housing_case.pk]), problem_data(world), headers=HTMX
    )

    problem = Problem.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert (problem.case, problem.unit) == (housing_case, world.units.station)
    assert 'id="problems"' in html and "验收无人复核" in html
    assert 'data-testid="problem-add-form"' in html  # a fresh form for the next one


def test_the_add_form_starts_at_the_case_unit(world, client, housing_case):
    response = signed_in(client, world.users.city_staff).get(
        reverse("cases:detail", args=[housing_case.pk])
    )

    assert response.context["problem_form"]["unit"].value() == world.units.housing.pk


def test_a_problem_in_a_unit_outside_the_jurisdiction_is_refused(world, client, housing_case):
    response = signed_in(client, world.users.city_staff).post(
        reverse("cases:problem_add", args=[housing_case.pk]),
        problem_data(world, unit=world.units.water.pk),
        headers=HTMX,
    )

    assert response.status_code == 400
    assert response.context["problem_form"].errors["unit"]
    assert not Problem.objects.exists()


def test_a_problem_without_description_is_refused_in_place(world, client, housing_case):
    response = signed_in(client, world.users.city_staff).post(
        reverse("cases:problem_add", args=[housing_case.pk]),
        problem_data(world, description=""),
        headers=HTMX,
    )

    assert response.status_code == 400
    assert 'data-testid="problem-add-form"' in response.content.decode()
    assert not Problem.objects.exists()


def test_without_javascript_adding_a_problem_returns_to_the_case(world, client, housing_case):
    response = signed_in(client, world.users.city_staff).post(
        reverse("cases:problem_add", args=[housing_case.pk]), problem_data(world)
    )

    assert response.status_code == 302
    assert Problem.objects.count() == 1


def test_supervisors_cannot_add_a_problem(world, client, housing_case):
    response = signed_in(client, world.users.supervisor).post(
        reverse("cases:problem_add", args=[housing_case.pk]), problem_data(world), headers=HTMX
    )

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.content.decode()
    assert not Problem.objects.exists()


def test_staff_edit_a_problem_in_place(world, client, housing_case):
    problem = factories.problem(housing_case)
    signed_in(client, world.users.city_staff)
    url = reverse("cases:problem_edit", args=[problem.pk])

    form = client.get(url, headers=HTMX)
    assert 'data-testid="problem-edit-form"' in form.content.decode()

    response = client.post(
        url, problem_data(world, category=Problem.Category.BLIND_SPOT), headers=HTMX
    )

    problem.refresh_from_db()
    assert response.status_code == 200
    assert f'id="problem-{problem.pk}"' in response.content.decode()
    assert "Supervision blind spot" in response.content.decode()
    assert (problem.category, problem.unit, problem.description) == (
        Problem.Category.BLIND_SPOT,
        world.units.station,
        "验收无人复核",
    )
    cancel = client.get(reverse("cases:problem", args=[problem.pk]), headers=HTMX)
    assert 'data-testid="edit-problem"' in cancel.content.decode()


def test_a_bad_problem_edit_keeps_the_row_form_open(world, client, housing_case):
    problem = factories.problem(housing_case)

    response = signed_in(client, world.users.city_staff).post(
        reverse("cases:problem_edit", args=[problem.pk]),
        problem_data(world, description=" "),
        headers=HTMX,
    )

    assert response.status_code == 400
    assert 'data-testid="problem-edit-form"' in response.content.decode()
    problem.refresh_from_db()
    assert problem.description == "招投标评审专家抽取制度缺失"


def test_without_javascript_a_problem_is_edited_on_its_own_page(world, client, housing_case):
    problem = factories.problem(housing_case)
    signed_in(client, world.users.city_staff)
    url = reverse("cases:problem_edit", args=[problem.pk])

    assert "<html" in client.get(url).content.decode()
    response = client.post(url, problem_data(world))

    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[housing_case.pk])


def test_supervisors_cannot_edit_a_problem(world, client, housing_case):
    problem = factories.problem(housing_case)
    signed_in(client, world.users.supervisor)
    url = reverse("cases:problem_edit", args=[problem.pk])

    assert client.get(url, headers=HTMX).status_code == 403
    response = client.post(url, problem_data(world), headers=HTMX)

    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.unit == world.units.housing
    row = client.get(reverse("cases:problem", args=[problem.pk]), headers=HTMX)
    assert 'data-testid="edit-problem"' not in row.content.decode()


def test_only_a_wrong_filter_is_marked(world, client, assorted):
    response = signed_in(client, world.users.county_staff).get(
        reverse("cases:list"), {"opened_after": "2026-13-01", "sector": "education"}
    )
    html = response.content.decode()

    assert "is-invalid" in html
    assert "is-valid" not in html
    assert 'class="collapse d-lg-block show"' in html  # the panel stays open on a phone


def test_the_unit_select_offers_two_levels_and_takes_a_deeper_unit(world, client):
    """A province's select would list ~5,000 units (accounts.filters.UNIT_SELECT_DEPTH)."""
    staff = world.users.city_staff
    parent, deep = None, world.units.housing
    while deep.depth <= staff.org_unit.depth + 2:
        parent, deep = deep, factories.org_child(deep, f"第{deep.depth + 1}级单位")
    factories.case(
        case_unit=deep,
        commission=world.units.city,
        created_by=staff,
        number="D-1",
    )
    page = signed_in(client, staff).get(reverse("cases:list")).content.decode()
    assert str(world.units.housing.pk) in unit_options(page)
    assert str(deep.pk) not in unit_options(page)
    chosen = signed_in(client, staff).get(reverse("cases:list"), {"unit": deep.pk})
    assert listed(chosen) == ["D-1"]
    assert f'value="{deep.pk}" selected' in unit_select(chosen.content.decode())
    # The case page's problem form offers the case's unit, however deep, not every unit.
    elsewhere = factories.org_child(parent, "另一个同级单位")
    case = Case.objects.get(number="D-1")
    page = signed_in(client, staff).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'value="{deep.pk}" selected' in unit_select(page)
    assert str(elsewhere.pk) not in unit_options(page)


def unit_select(page: str) -> str:
    """The page's one ``<select name="unit">``, options and all."""
    return re.search(r'<select name="unit".*?</select>', page, re.S)[0]


def unit_options(page: str) -> set[str]:
    return set(re.findall(r'<option value="(\d+)"', unit_select(page)))
