"""The recommendation pages, role by role: staff draft, issue and verify; the unit acknowledges,
plans and replies on its own version of the page; supervisors read; admins are kept out."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, reverse

from cases.models import Subject
from core.domain import shanghai_today
from core.paging import LIST_QUERY_BUDGET
from recommendations import services
from recommendations.models import Evaluation, Recommendation
from reforms import services as reform_services
from reforms.models import CalendarDay, FollowUp
from tests import factories

from .conftest import advance

Status = Recommendation.Status
# Noon in Shanghai on Wednesday 30 September 2026, the eve of the National Day holiday.
EVE_OF_NATIONAL_DAY = datetime.datetime(2026, 9, 30, 4, tzinfo=datetime.UTC)
SUBJECT_NAME = "张某某"
AMOUNT = Decimal("1234567.89")
SUMMARY = "利用职务便利在工程招投标中收受贿赂"


@pytest.fixture
def client(client):
    """Pages in English, so assertions read the exact refusal messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def confidential_case(housing_case):
    """The housing case with what the unit must never read: a subject, an amount, a summary."""
    housing_case.amount = AMOUNT
    housing_case.summary = SUMMARY
    housing_case.save()
    Subject.objects.create(case=housing_case, name=SUBJECT_NAME, position="副局长")
    return housing_case


def detail(r) -> str:
    return reverse("recommendations:detail", args=[r.pk])


def action(r, name: str) -> str:
    return reverse(f"recommendations:{name}", args=[r.pk])


def form_html(response, name: str) -> str:
    """The HTML of the action form ``name`` on the detail page (its errors sit inside it)."""
    html = response.content.decode()
    match = re.search(rf'<form[^>]*data-action="{name}".*?</form>', html, re.S)
    assert match, f"no {name} form on the page"
    return match.group(0)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# ── The list ────────────────────────────────────────────────────────────────────────────────


def test_a_stranger_is_asked_to_sign_in(client):
    response = client.get(reverse("recommendations:list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_list_the_recommendations_of_their_jurisdiction(world, client, recommendation_in):
    draft = recommendation_in(Status.DRAFT)
    client.force_login(world.users.city_staff)

    response = client.get(reverse("recommendations:list"))

    assert list(response.context["page_obj"]) == [draft]
    assert reverse("recommendations:create") in response.content.decode()


@pytest.mark.parametrize("username", ["other_staff", "county_staff", "county_supervisor"])
def test_staff_elsewhere_do_not_see_them(world, client, recommendation_in, username):
    recommendation_in(Status.ISSUED)
    client.force_login(getattr(world.users, username))

    response = client.get(reverse("recommendations:list"))

    assert list(response.context["page_obj"]) == []


def test_a_supervisor_reads_the_list_but_creates_nothing(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(world.users.supervisor)

    response = client.get(reverse("recommendations:list"))

    assert list(response.context["page_obj"]) == [issued]
    assert reverse("recommendations:create") not in response.content.decode()


def test_an_officer_lists_the_letters_to_their_unit_never_a_draft(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    draft = recommendation_in(Status.DRAFT)
    client.force_login(world.users.housing_officer)

    listed = list(client.get(reverse("recommendations:list")).context["page_obj"])
    client.force_login(world.users.health_officer)
    elsewhere = list(client.get(reverse("recommendations:list")).context["page_obj"])

    assert listed == [issued]
    assert draft not in listed
    assert elsewhere == []


@pytest.mark.parametrize("username", ["system_admin", "security_admin", "audit_admin"])
def test_the_separated_admins_have_no_recommendation_pages(
    world, client, recommendation_in, username
):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(getattr(world.users, username))

    # The pages they do not use: 403. A letter asked for by id: 404, as for measures and cases.
    assert client.get(reverse("recommendations:list")).status_code == 403
    assert client.get(reverse("recommendations:create")).status_code == 403
    assert client.get(detail(issued)).status_code == 404
    assert client.get(reverse("recommendations:print", args=[issued.pk])).status_code == 404


def test_the_list_filters_by_status_kind_unit_and_text(world, client, housing_case):
    staff = world.users.city_staff
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case, title="招投标整改")
    notice = factories.draft_recommendation(
        staff=staff, the_case=housing_case, kind=Recommendation.Kind.NOTICE, title="医院采购"
    )
    station_case = factories.case(
        case_unit=world.units.station, commission=world.units.city, created_by=staff
    )
    station = factories.draft_recommendation(staff=staff, the_case=station_case, title="监督站")
    health_case = factories.case(
        case_unit=world.units.health, commission=world.units.city, created_by=staff
    )
    health = factories.draft_recommendation(staff=staff, the_case=health_case, title="卫健委")
    client.force_login(staff)

    def listed(**query):
        response = client.get(reverse("recommendations:list"), query)
        return set(response.context["page_obj"])

    assert listed(status="issued") == {letter}
    assert listed(kind="notice") == {notice}
    assert listed(unit=world.units.housing.pk) == {letter, notice, station}  # with its station
    assert listed(unit=world.units.health.pk) == {health}
    assert listed(q="招投标") == {letter}
    assert listed(q=letter.doc_number) == {letter}
    assert listed(q="卫生健康") == {health}  # the recipient unit's name


def test_the_unit_filter_offers_only_units_in_jurisdiction(world, client):
    client.force_login(world.users.county_staff)

    response = client.get(reverse("recommendations:list"))

    offered = set(response.context["filter"].form.fields["unit"].queryset)
    assert offered == {world.units.education}


def test_a_long_list_costs_the_same_queries_as_a_short_one(
    world, client, housing_case, django_assert_max_num_queries
):
    staff = world.users.city_staff
    client.force_login(staff)

    def build(count):
        for _ in range(count):
            factories.draft_recommendation(staff=staff, the_case=housing_case, items=1)

    build(3)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET) as short:
        client.get(reverse("recommendations:list"))
    build(27)
    with django_assert_max_num_queries(len(short)) as long:
        response = client.get(reverse("recommendations:list"))

    assert len(response.context["page_obj"]) == 25
    assert len(long) == len(short)


# ── A new draft ────────────────────────────────────────────────────────────────────────────


def create_data(world, the_case, **fields):
    return {
        "kind": Recommendation.Kind.LETTER,
        "title": "关于推进以案促改工作的纪检监察建议",
        "issuer": world.units.city.pk,
        "recipient_unit": world.units.housing.pk,
        "recipient_name": "中共长春市住房和城乡建设局党组",
        "cases": [the_case.pk],
        "preamble": "近年来，我委查处了你局系列案件。",
        "deadline_mode": "date",
        "reply_due_on": "2026-12-31",
    } | fields


def test_a_case_link_preselects_the_case_its_unit_and_commission(world, client, housing_case):
    client.force_login(world.users.city_staff)

    response = client.get(reverse("recommendations:create"), {"case": housing_case.pk})

    initial = response.context["form"].initial
    assert response.status_code == 200
    assert initial["cases"] == [housing_case.pk]
    assert initial["recipient_unit"] == world.units.housing.pk
    assert initial["issuer"] == world.units.city.pk


def test_a_case_out_of_jurisdiction_is_not_preselected(world, client, housing_case):
    client.force_login(world.users.county_staff)

    response = client.get(reverse("recommendations:create"), {"case": housing_case.pk})

    assert "cases" not in response.context["form"].initial


def test_the_form_offers_only_issuers_and_units_in_jurisdiction(world, client):
    client.force_login(world.users.county_staff)

    form = client.get(reverse("recommendations:create")).context["form"]

    assert set(form.fields["issuer"].queryset) == {world.units.county}
    assert set(form.fields["recipient_unit"].queryset) == {world.units.education}


@pytest.mark.parametrize("username", ["supervisor", "housing_officer"])
def test_only_staff_draft_recommendations(world, client, housing_case, username):
    client.force_login(getattr(world.users, username))

    assert client.get(reverse("recommendations:create")).status_code == 403
    response = client.post(reverse("recommendations:create"), create_data(world, housing_case))
    assert response.status_code == 403
    assert not Recommendation.objects.exists()


@time_machine.travel(EVE_OF_NATIONAL_DAY)
def test_staff_save_a_draft_with_a_dated_deadline(world, client, housing_case):
    client.force_login(world.users.city_staff)

    response = client.post(
        reverse("recommendations:create"), create_data(world, housing_case), follow=True
    )

    draft = Recommendation.objects.get()
    assert response.redirect_chain[-1][0] == detail(draft)
    assert (draft.status, draft.reply_due_on) == (Status.DRAFT, datetime.date(2026, 12, 31))
    assert list(draft.cases.all()) == [housing_case]
    assert draft.created_by == world.users.city_staff


@time_machine.travel(EVE_OF_NATIONAL_DAY)
def test_a_deadline_in_working_days_skips_the_national_day_holiday(world, client, housing_case):
    client.force_login(world.users.city_staff)
    data = create_data(world, housing_case, deadline_mode="workdays", reply_due_on="")

    client.post(reverse("recommendations:create"), data | {"reply_workdays": 5})

    # 8 and 9 October, Saturday the 10th (a make-up working day), 12 and 13 October.
    assert Recommendation.objects.get().reply_due_on == datetime.date(2026, 10, 13)


@time_machine.travel(datetime.datetime(2026, 12, 30, 4, tzinfo=datetime.UTC))
def test_a_deadline_in_an_unannounced_year_warns_and_counts_monday_to_friday(
    world, client, housing_case
):
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    client.force_login(world.users.city_staff)
    data = create_data(world, housing_case, deadline_mode="workdays", reply_due_on="")

    response = client.post(
        reverse("recommendations:create"), data | {"reply_workdays": 3}, follow=True
    )

    assert Recommendation.objects.get().reply_due_on == datetime.date(2027, 1, 4)
    assert any("2027" in message for message in messages_of(response))


@time_machine.travel(EVE_OF_NATIONAL_DAY)
@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"reply_due_on": ""}, "reply_due_on", "Give the reply deadline."),
        ({"reply_due_on": "2026-09-01"}, "reply_due_on", "The reply deadline must be after today."),
        (
            {"deadline_mode": "workdays", "reply_due_on": ""},
            "reply_workdays",
            "Give the number of working days.",
        ),
    ],
)
def test_a_missing_or_past_deadline_is_refused_next_to_its_field(
    world, client, housing_case, fields, field, error
):
    client.force_login(world.users.city_staff)

    data = create_data(world, housing_case, **fields)

    response = client.post(reverse("recommendations:create"), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [error]
    assert error in response.content.decode()
    assert not Recommendation.objects.exists()


@time_machine.travel(EVE_OF_NATIONAL_DAY)
def test_an_issuer_outside_the_jurisdiction_is_refused(world, client, housing_case):
    client.force_login(world.users.county_staff)

    response = client.post(reverse("recommendations:create"), create_data(world, housing_case))

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"issuer", "recipient_unit", "cases"}
    assert not Recommendation.objects.exists()


# ── The detail page: who sees what ─────────────────────────────────────────────────────────


def test_staff_see_the_case_behind_the_recommendation(world, client, confidential_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=confidential_case)
    client.force_login(world.users.city_staff)

    response = client.get(detail(draft))

    html = response.content.decode()
    assert response.status_code == 200
    assert SUBJECT_NAME in html
    assert "1,234,567.89" in html
    assert SUMMARY in html
    assert "招投标评审专家抽取制度缺失" in html  # the problem the item answers
    assert 'data-action="issue"' in html


@pytest.mark.parametrize(
    "username", ["other_staff", "county_staff", "county_supervisor", "health_officer"]
)
def test_the_detail_is_not_found_outside_the_jurisdiction(
    world, client, recommendation_in, username
):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(getattr(world.users, username))

    assert client.get(detail(issued)).status_code == 404
    assert client.post(action(issued, "acknowledge")).status_code == 404
    assert client.get(reverse("recommendations:print", args=[issued.pk])).status_code == 404


def test_an_officer_never_sees_a_draft(world, client, recommendation_in):
    draft = recommendation_in(Status.DRAFT)
    client.force_login(world.users.housing_officer)

    assert client.get(detail(draft)).status_code == 404
    assert client.post(action(draft, "issue")).status_code == 404


def test_a_supervisor_reads_the_detail_without_any_action(world, client, recommendation_in):
    replied = recommendation_in(Status.REPLIED)
    client.force_login(world.users.supervisor)

    response = client.get(detail(replied))

    assert response.status_code == 200
    assert response.context["actions"] == {}
    assert "data-action=" not in response.content.decode()


def test_the_unit_sees_its_letter_without_the_confidential_case(world, client, confidential_case):
    staff, officer = world.users.city_staff, world.users.housing_officer
    issued = factories.issued_recommendation(staff=staff, the_case=confidential_case, items=2)
    client.force_login(officer)

    response = client.get(detail(issued))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "recommendations/recommendation_detail_officer.html"
    for secret in (
        SUBJECT_NAME,
        "1234567",
        "1,234,567",
        SUMMARY,
        confidential_case.number,
        "招投标评审专家",
    ):
        assert secret not in html
    assert "第1项：建立健全制度" in html and "第2项：建立健全制度" in html
    assert issued.doc_number in html
    assert "2026-12-31" in html  # the reply deadline
    assert html.count("0 measures") == 2
    assert 'data-action="acknowledge"' in html


def test_the_unit_sees_how_many_measures_each_item_has(world, client, recommendation_in):
    rectifying = recommendation_in(Status.RECTIFYING, items=2)
    client.force_login(world.users.housing_officer)

    response = client.get(detail(rectifying))

    assert [item.measure_count for item in response.context["items"]] == [1, 1]
    assert "1 measure<" in response.content.decode()


def test_the_plan_link_appears_only_where_the_plan_page_exists(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(world.users.housing_officer)

    html = client.get(detail(issued)).content.decode()

    try:
        plan_url = reverse("reforms:plan", args=[issued.pk])
    except NoReverseMatch:
        assert 'data-testid="plan-link"' not in html
    else:
        assert f'href="{plan_url}"' in html


def test_the_history_shows_every_transition_with_its_reason(world, client, recommendation_in):
    replied = recommendation_in(Status.REPLIED)
    services.recommendation_return_reply(
        recommendation=replied, actor=world.users.city_staff, reason="佐证材料不足"
    )
    client.force_login(world.users.housing_officer)

    response = client.get(detail(replied))

    history = response.context["history"]
    assert [(t.from_status, t.to_status) for t in history] == [
        ("draft", "issued"),
        ("issued", "acknowledged"),
        ("acknowledged", "rectifying"),
        ("rectifying", "replied"),
        ("replied", "rectifying"),
    ]
    assert "佐证材料不足" in response.content.decode()


def test_the_detail_costs_the_same_queries_with_many_items(
    world, client, housing_case, django_assert_max_num_queries
):
    staff = world.users.city_staff
    client.force_login(staff)
    few = factories.draft_recommendation(staff=staff, the_case=housing_case, items=1)
    many = factories.draft_recommendation(staff=staff, the_case=housing_case, items=12)

    with django_assert_max_num_queries(40) as short:
        client.get(detail(few))
    with django_assert_max_num_queries(len(short)):
        client.get(detail(many))


# ── Items (htmx) ───────────────────────────────────────────────────────────────────────────


def test_staff_add_an_item_in_place(world, client, housing_case):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    problem = factories.problem(housing_case, description="评标专家长期固定")
    client.force_login(world.users.city_staff)

    response = client.post(
        reverse("recommendations:item_add", args=[draft.pk]),
        {"content": "建立评标专家随机抽取制度", "problems": [problem.pk]},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "recommendations/_items.html"
    item = draft.items.get(number=2)
    assert list(item.problems.all()) == [problem]
    assert "建立评标专家随机抽取制度" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_an_item_cannot_cite_a_problem_of_another_case(world, client, housing_case):
    staff = world.users.city_staff
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case)
    other_case = factories.case(
        case_unit=world.units.health, commission=world.units.city, created_by=staff
    )
    foreign = factories.problem(other_case)
    client.force_login(staff)

    response = client.post(
        reverse("recommendations:item_add", args=[draft.pk]),
        {"content": "建立制度", "problems": [foreign.pk]},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert "problems" in response.context["item_form"].errors
    assert draft.items.count() == 1


def test_an_issued_recommendation_takes_no_more_items(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(world.users.city_staff)

    response = client.post(
        reverse("recommendations:item_add", args=[issued.pk]),
        {"content": "再加一项"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.content.decode()
    assert issued.items.count() == 1


def test_a_supervisor_adds_no_item(world, client, recommendation_in):
    draft = recommendation_in(Status.DRAFT)
    client.force_login(world.users.supervisor)

    response = client.post(
        reverse("recommendations:item_add", args=[draft.pk]), {"content": "再加一项"}
    )

    assert response.status_code == 403
    assert "You are not allowed to do this." in response.content.decode()
    assert draft.items.count() == 1


# ── Transitions: each allowed, each refused next to its form ───────────────────────────────


def test_staff_issue_a_draft_with_its_document_number(world, client, recommendation_in):
    draft = recommendation_in(Status.DRAFT)
    client.force_login(world.users.city_staff)

    response = client.post(
        action(draft, "issue"), {"issued_on": "2026-03-02", "doc_serial": "3"}, follow=True
    )

    draft.refresh_from_db()
    assert draft.status == Status.ISSUED
    assert draft.doc_number == "长纪建〔2026〕3号"
    assert response.redirect_chain[-1][0] == detail(draft)
    assert "Issued." in messages_of(response)


def test_a_draft_without_items_is_not_issued_and_the_page_says_why(
    world, client, recommendation_in
):
    draft = recommendation_in(Status.DRAFT, items=0)
    client.force_login(world.users.city_staff)

    response = client.post(action(draft, "issue"), {})

    assert response.status_code == 409
    assert "A recommendation needs at least one item before it is issued." in form_html(
        response, "issue"
    )
    draft.refresh_from_db()
    assert (draft.status, draft.doc_number) == (Status.DRAFT, "")


def test_an_item_without_problems_blocks_the_issue(world, client, housing_case):
    staff = world.users.city_staff
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case)
    services.recommendation_item_add(recommendation=draft, actor=staff, content="二", problems=[])
    client.force_login(staff)

    response = client.post(action(draft, "issue"), {})

    assert response.status_code == 409
    assert "Items 2 are not linked to any problem." in form_html(response, "issue")


def test_a_supervisor_cannot_issue(world, client, recommendation_in):
    draft = recommendation_in(Status.DRAFT)
    client.force_login(world.users.supervisor)

    response = client.post(action(draft, "issue"), {})

    assert response.status_code == 403
    assert "You are not allowed to do this." in form_html(response, "issue")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_unit_acknowledges_receipt(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(world.users.housing_officer)

    response = client.post(action(issued, "acknowledge"), follow=True)

    issued.refresh_from_db()
    assert issued.status == Status.ACKNOWLEDGED
    assert "Receipt acknowledged." in messages_of(response)
    assert 'data-action="start"' in response.content.decode()


def test_the_irreversible_steps_ask_first_in_words(world, client, recommendation_in):
    """发出, 签收 and 退回 open a confirmation that says what will happen; 开始整改 does not."""
    draft = recommendation_in(Status.DRAFT)
    issued = recommendation_in(Status.ISSUED)
    acknowledged = recommendation_in(Status.ACKNOWLEDGED)

    client.force_login(world.users.city_staff)
    issue = form_html(client.get(detail(draft)), "issue")
    assert 'data-confirm="confirm-issue"' in issue
    assert '<dialog id="confirm-issue"' in issue
    assert "the recommendation can no longer be changed; it goes to 长春市住房和城乡建设局" in issue

    client.force_login(world.users.housing_officer)
    acknowledge = form_html(client.get(detail(issued)), "acknowledge")
    assert 'data-confirm="confirm-acknowledge"' in acknowledge
    assert "This cannot be undone." in acknowledge
    start = form_html(client.get(detail(acknowledged)), "start")
    assert "data-confirm" not in start


def test_staff_cannot_acknowledge_for_the_unit(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(world.users.city_staff)

    response = client.post(action(issued, "acknowledge"))

    assert response.status_code == 403
    assert "You are not allowed to do this." in form_html(response, "acknowledge")


def test_acknowledging_twice_is_refused(world, client, recommendation_in):
    acknowledged = recommendation_in(Status.ACKNOWLEDGED)
    client.force_login(world.users.housing_officer)

    response = client.post(action(acknowledged, "acknowledge"))

    assert response.status_code == 409
    assert "Only an issued recommendation can be acknowledged." in form_html(
        response, "acknowledge"
    )


def test_rectification_starts_only_when_every_item_has_a_measure(world, client, recommendation_in):
    acknowledged = recommendation_in(Status.ACKNOWLEDGED, items=2)
    officer = world.users.housing_officer
    factories.measure(recommendation=acknowledged, actor=officer)
    client.force_login(officer)

    refused = client.post(action(acknowledged, "start"))
    factories.measure(recommendation=acknowledged, actor=officer, item=acknowledged.items.last())
    started = client.post(action(acknowledged, "start"))

    assert refused.status_code == 409
    assert "Items 2 have no measures yet." in form_html(refused, "start")
    assert started.status_code == 302
    acknowledged.refresh_from_db()
    assert acknowledged.status == Status.RECTIFYING


def test_the_unit_submits_its_report(world, client, recommendation_in):
    rectifying = recommendation_in(Status.RECTIFYING)
    client.force_login(world.users.housing_officer)

    empty = client.post(action(rectifying, "reply"), {"content": ""})
    sent = client.post(action(rectifying, "reply"), {"content": "整改报告：已完成全部整改"})

    assert empty.status_code == 400
    assert "This field is required." in form_html(empty, "reply")
    assert sent.status_code == 302
    rectifying.refresh_from_db()
    assert rectifying.status == Status.REPLIED
    assert rectifying.replies.get().content == "整改报告：已完成全部整改"


def test_a_report_before_rectification_is_refused(world, client, recommendation_in):
    acknowledged = recommendation_in(Status.ACKNOWLEDGED)
    client.force_login(world.users.housing_officer)

    response = client.post(action(acknowledged, "reply"), {"content": "整改报告"})

    assert response.status_code == 409
    assert "A reply can be submitted only while rectifying." in form_html(response, "reply")
    assert not acknowledged.replies.exists()


def test_staff_return_a_reply_with_their_reason(world, client, recommendation_in):
    replied = recommendation_in(Status.REPLIED)
    client.force_login(world.users.city_staff)

    without = client.post(action(replied, "return"), {"reason": ""})
    returned = client.post(action(replied, "return"), {"reason": "纸面整改，缺少佐证"})

    assert without.status_code == 400
    assert "This field is required." in form_html(without, "return")
    assert returned.status_code == 302
    replied.refresh_from_db()
    assert replied.status == Status.RECTIFYING
    assert replied.transitions.last().reason == "纸面整改，缺少佐证"


def test_a_reply_not_yet_submitted_cannot_be_returned(world, client, recommendation_in):
    rectifying = recommendation_in(Status.RECTIFYING)
    client.force_login(world.users.city_staff)

    response = client.post(action(rectifying, "return"), {"reason": "不合格"})

    assert response.status_code == 409
    assert "Only a submitted reply can be returned." in form_html(response, "return")


def test_staff_close_when_every_measure_is_done(world, client, recommendation_in):
    replied = recommendation_in(Status.REPLIED)  # its measures are standing
    client.force_login(world.users.city_staff)

    response = client.post(action(replied, "close"))

    assert response.status_code == 302
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED


def test_an_open_measure_keeps_the_recommendation_open(world, client, housing_case):
    staff, officer = world.users.city_staff, world.users.housing_officer
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case)
    acknowledged = advance(draft, to=Status.ACKNOWLEDGED, staff=staff, officer=officer)
    factories.measure(recommendation=acknowledged, actor=officer)  # not standing, not signed off
    services.recommendation_start_rectification(recommendation=acknowledged, actor=officer)
    services.recommendation_submit_reply(recommendation=acknowledged, actor=officer, content="报告")
    client.force_login(staff)

    response = client.post(action(acknowledged, "close"))

    assert response.status_code == 409
    assert "1 measures are not signed off yet." in form_html(response, "close")
    acknowledged.refresh_from_db()
    assert acknowledged.status == Status.REPLIED


def test_staff_evaluate_a_closed_recommendation(world, client, recommendation_in):
    closed = recommendation_in(Status.CLOSED)
    client.force_login(world.users.city_staff)
    data = {"method": "on_site", "score": "92", "rating": "excellent", "comments": "成效明显"}

    too_high = client.post(action(closed, "evaluate"), data | {"score": "101"})
    evaluated = client.post(action(closed, "evaluate"), data, follow=True)

    assert too_high.status_code == 400
    assert "Ensure this value is less than or equal to 100." in form_html(too_high, "evaluate")
    closed.refresh_from_db()
    assert closed.status == Status.EVALUATED
    assert (closed.evaluation.score, closed.evaluation.rating) == (92, Evaluation.Rating.EXCELLENT)
    assert "成效明显" in evaluated.content.decode()


def test_an_open_recommendation_is_not_evaluated(world, client, recommendation_in):
    replied = recommendation_in(Status.REPLIED)
    client.force_login(world.users.city_staff)

    response = client.post(
        action(replied, "evaluate"), {"method": "written", "score": "80", "rating": "good"}
    )

    assert response.status_code == 409
    assert "Only a closed recommendation can be evaluated." in form_html(response, "evaluate")


# ── Follow-up reviews (回头看) ──────────────────────────────────────────────────────────────


def in_three_months() -> str:
    return (shanghai_today() + datetime.timedelta(days=90)).isoformat()


def test_staff_schedule_a_follow_up_and_record_its_outcome(world, client, recommendation_in):
    evaluated = recommendation_in(Status.EVALUATED)
    client.force_login(world.users.city_staff)

    scheduled = client.post(action(evaluated, "follow_up"), {"scheduled_on": in_three_months()})
    follow_up = FollowUp.objects.get()
    record = reverse("recommendations:follow_up_record", args=[follow_up.pk])
    refused = client.post(record, {"outcome": "rebounded", "findings": ""})
    recorded = client.post(record, {"outcome": "rebounded", "findings": "招投标问题反弹"})

    assert scheduled.status_code == 302
    assert refused.status_code == 409
    assert "Describe the problems that rebounded." in refused.content.decode()
    assert recorded.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.findings) == ("rebounded", "招投标问题反弹")
    assert follow_up.conducted_on is not None
    page = client.get(detail(evaluated)).content.decode()
    assert "招投标问题反弹" in page


def test_a_follow_up_waits_for_the_recommendation_to_close(world, client, recommendation_in):
    replied = recommendation_in(Status.REPLIED)
    closed = recommendation_in(Status.CLOSED)
    client.force_login(world.users.city_staff)

    early = client.post(action(replied, "follow_up"), {"scheduled_on": in_three_months()})
    past = client.post(action(closed, "follow_up"), {"scheduled_on": "2026-01-01"})

    assert early.status_code == 409
    assert "A follow-up review is scheduled once the recommendation is closed." in form_html(
        early, "follow_up"
    )
    assert past.status_code == 409
    assert "A follow-up review is scheduled for today or later." in form_html(past, "follow_up")
    assert not FollowUp.objects.exists()


def test_a_supervisor_neither_schedules_nor_records_follow_ups(world, client, recommendation_in):
    closed = recommendation_in(Status.CLOSED)
    follow_up = reform_services.follow_up_schedule(
        recommendation=closed,
        actor=world.users.city_staff,
        scheduled_on=shanghai_today() + datetime.timedelta(days=30),
    )
    client.force_login(world.users.supervisor)

    page = client.get(detail(closed)).content.decode()
    scheduled = client.post(action(closed, "follow_up"), {"scheduled_on": in_three_months()})
    recorded = client.post(
        reverse("recommendations:follow_up_record", args=[follow_up.pk]),
        {"outcome": "consolidated"},
    )

    assert "Record the outcome" not in page
    assert (scheduled.status_code, recorded.status_code) == (403, 403)
    assert FollowUp.objects.count() == 1
    follow_up.refresh_from_db()
    assert follow_up.conducted_on is None


def test_follow_ups_elsewhere_are_not_found(world, client, recommendation_in):
    closed = recommendation_in(Status.CLOSED)
    follow_up = reform_services.follow_up_schedule(
        recommendation=closed,
        actor=world.users.city_staff,
        scheduled_on=shanghai_today() + datetime.timedelta(days=30),
    )
    client.force_login(world.users.other_staff)

    response = client.post(
        reverse("recommendations:follow_up_record", args=[follow_up.pk]),
        {"outcome": "consolidated"},
    )

    assert response.status_code == 404


# ── The print version ──────────────────────────────────────────────────────────────────────


def test_the_print_version_reads_like_the_document(world, client, housing_case):
    staff = world.users.city_staff
    draft = factories.draft_recommendation(
        staff=staff,
        the_case=housing_case,
        items=2,
        recipient_name="中共长春市住房和城乡建设局党组",
        preamble="近年来，我委查处了你局系列案件。",
    )
    services.recommendation_issue(
        recommendation=draft, actor=staff, issued_on=datetime.date(2026, 3, 2), doc_serial=3
    )
    client.force_login(staff)

    response = client.get(reverse("recommendations:print", args=[draft.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'class="doc-number"[^>]*>长纪建〔2026〕3号<', html)
    assert "中共长春市住房和城乡建设局党组：" in html
    assert "近年来，我委查处了你局系列案件。" in html
    assert "一、</span>第1项：建立健全制度" in html
    assert "二、</span>第2项：建立健全制度" in html
    assert "2026年12月31日" in html
    assert "recommendation_print.css" in html and "recommendation_print.js" in html
    assert "data-print" in html


def test_the_print_stylesheet_and_button_are_served(client):
    css = Path(finders.find("css/recommendation_print.css")).read_text(encoding="utf-8")
    js = Path(finders.find("js/recommendation_print.js")).read_text(encoding="utf-8")

    assert "@media print" in css
    assert "window.print()" in js


def test_a_supervisor_prints_and_the_unit_does_not(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    url = reverse("recommendations:print", args=[issued.pk])

    client.force_login(world.users.supervisor)
    supervisor = client.get(url)
    client.force_login(world.users.housing_officer)
    officer = client.get(url)

    assert supervisor.status_code == 200
    assert officer.status_code == 403


def test_staff_delete_a_draft_from_its_page(world, client, recommendation_in):
    draft = recommendation_in(Status.DRAFT, items=2)
    client.force_login(world.users.city_staff)
    page = client.get(reverse("recommendations:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="delete-draft"' in page

    answer = client.post(
        reverse("recommendations:delete", args=[draft.pk]), headers={"HX-Request": "true"}
    )

    assert answer.status_code == 200
    assert answer["HX-Redirect"] == reverse("recommendations:list")
    assert not Recommendation.objects.filter(pk=draft.pk).exists()
    listing = client.get(reverse("recommendations:list")).content.decode()
    assert f"Draft “{draft.title}” deleted." in listing


def test_an_issued_letter_offers_no_delete_and_refuses_one(world, client, recommendation_in):
    issued = recommendation_in(Status.ISSUED)
    client.force_login(world.users.city_staff)
    page = client.get(reverse("recommendations:detail", args=[issued.pk])).content.decode()
    assert 'data-testid="delete-draft"' not in page

    answer = client.post(reverse("recommendations:delete", args=[issued.pk]))

    assert answer.status_code == 403
    assert Recommendation.objects.filter(pk=issued.pk).exists()
