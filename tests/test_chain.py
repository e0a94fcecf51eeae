"""The case-to-reform chain: case → problem → item → measure → evidence → verification.

The housing-bureau case exposed three problems. The city commission's letter cites the first in
item 1 and the second in item 2; the third is cited by nothing. Item 1 has a measure signed off
(with evidence) and one returned as paper rectification; item 2 has a measure never started and
now overdue; item 3 (citing the first problem again) has no measure yet. Today is 15 June 2026.

Links: the case has problems (closed); problems 1, 2 cited, 3 not (2 of 3); items 1, 2 have
measures, 3 not (2 of 3); evidence on the signed-off and returned measures, not the overdue one
(2 of 3); verification only on the signed-off one (1 of 3): 8 of 13 links closed. The housing
officer, who may not read the case, counts only item, evidence and verification links: 5 of 9.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Problem, Subject
from recommendations import services as recommendation_services
from reforms import services
from reforms.models import MeasureTransition
from tests import factories

D = datetime.date
TODAY = D(2026, 6, 15)
ADMINS = ["system_admin", "security_admin", "audit_admin"]
PAPER = MeasureTransition.ReturnReason.PAPER_RECTIFICATION


def shanghai(day, hour=10):
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def get(client, url):
    with time_machine.travel(shanghai(TODAY)):
        return client.get(url)


def plan(letter, item, officer, due_on, content):
    return factories.measure(
        recommendation=letter, actor=officer, item=item, due_on=due_on, content=content
    )


@pytest.fixture
def chain(world):
    staff, officer = world.users.city_staff, world.users.housing_officer
    with time_machine.travel(shanghai(D(2026, 1, 10))):
        case = factories.case(
            case_unit=world.units.housing,
            commission=world.units.city,
            created_by=staff,
            number="长纪案〔2025〕17号",
            title="某局原局长张某受贿案",
            amount="1234567.89",
            summary="案情摘要：利用职务便利收受工程款回扣",
        )
        Subject.objects.create(case=case, name="张某某", position="原局长", is_top_leader=True)
        p1 = factories.problem(case, description="评标专家抽取无制度")
        p2 = factories.problem(
            case, description="工程款拨付无复核", category=Problem.Category.RISK_POINT
        )
        p3 = factories.problem(
            case, description="一把手监督空白", category=Problem.Category.BLIND_SPOT
        )
        letter = recommendation_services.recommendation_create(
            actor=staff,
            title="关于住建局以案促改的纪检监察建议",
            issuer=world.units.city,
            recipient_unit=world.units.housing,
            cases=[case],
            reply_due_on=D(2026, 12, 31),
        )
        items = [
            recommendation_services.recommendation_item_add(
                recommendation=letter, actor=staff, content=content, problems=problems
            )
            for content, problems in (
                ("建立评标专家随机抽取制度", [p1]),
                ("建立工程款拨付复核机制", [p2]),
                ("开展警示教育", [p1]),
            )
        ]
        letter = recommendation_services.recommendation_issue(
            recommendation=letter, actor=staff, issued_on=D(2026, 1, 10)
        )
        done = plan(letter, items[0], officer, D(2026, 5, 31), "印发评标专家抽取办法")
        returned = plan(letter, items[0], officer, D(2026, 9, 30), "开展专项检查")
        late = plan(letter, items[1], officer, D(2026, 6, 1), "制定拨付复核细则")
    with time_machine.travel(shanghai(D(2026, 5, 20))):
        for measure in (done, returned):
            services.progress_report_add(
                measure=measure, actor=officer, content="已完成", percent_complete=100
            )
            services.evidence_add(
                measure=measure, actor=officer, file=factories.evidence_file("印发通知.pdf")
            )
            services.measure_request_signoff(measure=measure, actor=officer)
        services.measure_sign_off(measure=done, actor=staff, note="材料齐全")
        services.measure_return(
            measure=returned, actor=staff, reason_code=PAPER, reason="只有会议记录"
        )
    return SimpleNamespace(
        case=case,
        letter=letter,
        problems=[p1, p2, p3],
        items=items,
        done=done,
        returned=returned,
        late=late,
    )


def states(response, testid):
    """``{pk: "closed"|"open"}`` of the nodes of one kind, read from the page."""
    html = response.content.decode()
    pattern = rf'data-testid="{testid}" data-pk="(\d+)" data-state="(\w+)"'
    return {int(pk): state for pk, state in re.findall(pattern, html)}


def chain_url(chain):
    return reverse("chain:recommendation", args=[chain.letter.pk])


def measures_url(item, **query):
    url = reverse("chain:item_measures", args=[item.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def fragment(client, url):
    """The htmx fragment of an item's measures, as the chain opens it."""
    with time_machine.travel(shanghai(TODAY)):
        return client.get(url, HTTP_HX_REQUEST="true")


def measure_nodes(client, chain):
    """Every measure node of the letter's items, opened one item at a time."""
    return {
        node.obj.pk: node
        for item in chain.items
        for node in fragment(client, measures_url(item)).context["nodes"]
    }


# --- Who reaches which chain -------------------------------------------------------------------


def test_a_stranger_is_asked_to_sign_in(client, chain):
    for url in (
        chain_url(chain),
        reverse("chain:case", args=[chain.case.pk]),
        measures_url(chain.items[0]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["city_staff", "supervisor", "housing_officer"])
def test_those_in_jurisdiction_see_the_recommendation_chain(world, chain, browse_en, who):
    assert get(browse_en(getattr(world.users, who)), chain_url(chain)).status_code == 200


@pytest.mark.parametrize("who", ["city_staff", "supervisor"])
def test_staff_and_supervisors_see_the_case_chain(world, chain, browse_en, who):
    response = get(
        browse_en(getattr(world.users, who)), reverse("chain:case", args=[chain.case.pk])
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "who", ["county_staff", "other_staff", "county_supervisor", "health_officer", *ADMINS]
)
def test_others_get_a_404_for_both_chains(world, chain, browse_en, who):
    client = browse_en(getattr(world.users, who))
    assert get(client, chain_url(chain)).status_code == 404
    assert get(client, reverse("chain:case", args=[chain.case.pk])).status_code == 404


def test_the_unit_officer_gets_a_404_for_the_case_chain(world, chain, browse_en):
    client = browse_en(world.users.housing_officer)
    assert get(client, reverse("chain:case", args=[chain.case.pk])).status_code == 404


def test_the_unit_officer_cannot_see_the_chain_of_a_draft(world, housing_case, browse_en):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client = browse_en(world.users.housing_officer)
    assert get(client, reverse("chain:recommendation", args=[draft.pk])).status_code == 404
    staff = browse_en(world.users.city_staff)
    assert get(staff, reverse("chain:recommendation", args=[draft.pk])).status_code == 200


# --- Which links are open ----------------------------------------------------------------------


def test_the_summary_counts_closed_links(world, chain, browse_en):
    response = get(browse_en(world.users.supervisor), chain_url(chain))

    assert response.context["summary"] == {"closed": 8, "total": 13, "open": 5, "percent": 62}
    assert "8 of 13 links closed" in response.content.decode()


def test_a_problem_no_item_cites_is_open(world, chain, browse_en):
    response = get(browse_en(world.users.city_staff), chain_url(chain))

    p1, p2, p3 = chain.problems
    assert states(response, "problem-node") == {p1.pk: "closed", p2.pk: "closed", p3.pk: "open"}
    assert "Not cited by any recommendation item" in response.content.decode()


def test_an_item_without_measures_is_open(world, chain, browse_en):
    response = get(browse_en(world.users.city_staff), chain_url(chain))

    first, second, third = chain.items
    assert states(response, "item-node") == {
        first.pk: "closed",
        second.pk: "closed",
        third.pk: "open",
    }
    assert "No measures planned" in response.content.decode()


def test_the_page_counts_each_items_measures_by_state_and_colour(world, chain, browse_en):
    response = get(browse_en(world.users.city_staff), chain_url(chain))
    html = response.content.decode()

    first, second, third = (node.extra for node in response.context["recommendations"][0].children)
    assert [(signal.value, count) for signal, count, _ in first["by_colour"]] == [("green", 2)]
    assert [(state.value, count) for state, count in first["by_state"]] == [
        ("returned", 1),
        ("signed_off", 1),
    ]
    assert [(signal.value, count) for signal, count, _ in second["by_colour"]] == [("red", 1)]
    assert second["without_evidence"] == 1
    assert third["counts"]["total"] == 0
    assert html.count('data-testid="item-counts"') == 2  # not on the item without measures
    assert "1 without evidence" in html
    assert "2 measures" in html
    # The measures themselves come on demand.
    assert 'data-testid="measure-node"' not in html
    assert f'hx-get="{measures_url(chain.items[0])}"' in html
    assert f'href="{measures_url(chain.items[0])}"' in html  # without JavaScript: a page


def test_an_items_measures_show_evidence_verification_and_lateness(world, chain, browse_en):
    client = browse_en(world.users.city_staff)
    response = fragment(client, measures_url(chain.items[0]))
    html = response.content.decode()

    assert "<html" not in html  # the fragment alone
    assert states(response, "measure-node") == {chain.done.pk: "closed", chain.returned.pk: "open"}
    nodes = measure_nodes(client, chain)
    done, returned, late = nodes[chain.done.pk], nodes[chain.returned.pk], nodes[chain.late.pk]
    assert [child.closed for child in done.children] == [True, True]
    assert [child.closed for child in returned.children] == [True, False]
    assert [child.closed for child in late.children] == [False, False]
    assert late.colour == "red"
    assert late.missing == ["no evidence", "not signed off (Not started)", "14 days overdue"]
    assert returned.colour == "yellow"
    assert f"Signed off by {world.users.city_staff} on 2026-05-20" in html
    assert "Paper rectification only — 只有会议记录" in html
    assert "印发通知.pdf" in html


def test_without_javascript_the_measures_open_as_a_page(world, chain, browse_en):
    response = get(browse_en(world.users.city_staff), measures_url(chain.items[0]))
    html = response.content.decode()

    assert "<html" in html
    assert f'href="{chain_url(chain)}#item-{chain.items[0].pk}"' in html  # back to the chain
    assert states(response, "measure-node") == {chain.done.pk: "closed", chain.returned.pk: "open"}


def test_an_items_measures_come_a_page_at_a_time(world, chain, browse_en):
    officer = world.users.housing_officer
    with time_machine.travel(shanghai(D(2026, 3, 1))):
        planned = [
            plan(chain.letter, chain.items[2], officer, D(2026, 9, 1), f"措施{number}").pk
            for number in range(30)
        ]
    client = browse_en(world.users.city_staff)

    first = fragment(client, measures_url(chain.items[2]))
    second = fragment(client, measures_url(chain.items[2], page=2))

    assert list(states(first, "measure-node")) == planned[:25]
    assert list(states(second, "measure-node")) == planned[25:]
    html = first.content.decode()
    assert f'hx-get="{measures_url(chain.items[2], page=2)}"' in html
    assert "1–25 of 30" in html


def test_the_measures_not_signed_off_alone(world, chain, browse_en):
    client = browse_en(world.users.city_staff)

    response = fragment(client, measures_url(chain.items[0], show="open"))

    assert states(response, "measure-node") == {chain.returned.pk: "open"}
    assert 'data-testid="show-all"' in response.content.decode()
    none_open = fragment(client, measures_url(chain.items[2], show="open")).content.decode()
    assert "Every measure of this item is signed off." in none_open


def test_the_chain_closes_when_the_last_measure_is_signed_off(world, chain, browse_en):
    officer, staff = world.users.housing_officer, world.users.city_staff
    with time_machine.travel(shanghai(D(2026, 6, 1))):
        services.progress_report_add(
            measure=chain.returned, actor=officer, content="补充检查记录", percent_complete=100
        )
        services.measure_request_signoff(measure=chain.returned, actor=officer)
        services.measure_sign_off(measure=chain.returned, actor=staff, note="经核查，整改到位")

    client = browse_en(staff)
    response = get(client, chain_url(chain))

    assert response.context["summary"]["closed"] == 9
    assert response.context["recommendations"][0].children[0].extra["all_done"]
    assert "all measures signed off" in response.content.decode()
    opened = fragment(client, measures_url(chain.items[0]))
    assert states(opened, "measure-node")[chain.returned.pk] == "closed"
    assert "Returned by" in opened.content.decode()  # the earlier return stays on record


# --- Confidentiality ---------------------------------------------------------------------------


def test_the_unit_officer_sees_the_cited_problems_categories_but_not_the_case(
    world, chain, browse_en
):
    response = get(browse_en(world.users.housing_officer), chain_url(chain))
    html = response.content.decode()

    assert response.context["summary"] == {"closed": 5, "total": 9, "open": 4, "percent": 56}
    for secret in (
        chain.case.number,
        chain.case.title,
        "张某某",
        "1234567",
        "1,234,567",
        "案情摘要",
        *(problem.description for problem in chain.problems),  # case content
        reverse("cases:detail", args=[chain.case.pk]),
        reverse("chain:case", args=[chain.case.pk]),
    ):
        assert secret not in html, secret
    assert 'data-testid="case-node"' not in html
    assert 'data-testid="item-problems"' in html
    assert "Power-use risk point" in html


def test_the_unit_officer_opens_the_measures_without_the_case(world, chain, browse_en):
    client = browse_en(world.users.housing_officer)
    for item in chain.items[:2]:
        for response in (
            fragment(client, measures_url(item)),
            get(client, measures_url(item)),  # the page without JavaScript
        ):
            html = response.content.decode()
            assert response.status_code == 200
            for secret in (
                chain.case.number,
                chain.case.title,
                "张某某",
                "案情摘要",
                *(problem.description for problem in chain.problems),
                reverse("cases:detail", args=[chain.case.pk]),
            ):
                assert secret not in html, secret
    assert states(fragment(client, measures_url(chain.items[1])), "measure-node") == {
        chain.late.pk: "open"
    }


@pytest.mark.parametrize(
    "who", ["county_staff", "other_staff", "county_supervisor", "health_officer", *ADMINS]
)
def test_others_get_a_404_for_an_items_measures(world, chain, browse_en, who):
    client = browse_en(getattr(world.users, who))
    assert fragment(client, measures_url(chain.items[0])).status_code == 404
    assert get(client, measures_url(chain.items[0])).status_code == 404


def test_the_unit_officer_gets_a_404_for_the_items_of_a_draft(world, housing_case, browse_en):
    draft = factories.draft_recommendation(staff=world.users.city_staff, the_case=housing_case)
    url = measures_url(draft.items.first())
    assert get(browse_en(world.users.housing_officer), url).status_code == 404
    response = get(browse_en(world.users.city_staff), url)
    assert response.status_code == 200
    assert "No measures planned" in response.content.decode()


def test_staff_see_the_case_node_with_a_link_to_the_case(world, chain, browse_en):
    html = get(browse_en(world.users.city_staff), chain_url(chain)).content.decode()

    assert chain.case.number in html
    assert reverse("cases:detail", args=[chain.case.pk]) in html
    assert reverse("chain:case", args=[chain.case.pk]) in html


def test_the_case_chain_holds_every_recommendation_on_the_case(world, chain, browse_en):
    staff = world.users.city_staff
    with time_machine.travel(shanghai(D(2026, 2, 1))):
        notice = recommendation_services.recommendation_create(
            actor=staff,
            title="以案促改通知书",
            issuer=world.units.city,
            recipient_unit=world.units.housing,
            cases=[chain.case],
            reply_due_on=D(2026, 12, 31),
            kind="notice",
        )
        recommendation_services.recommendation_item_add(
            recommendation=notice, actor=staff, content="堵塞监督空白", problems=[chain.problems[2]]
        )

    response = get(browse_en(world.users.supervisor), reverse("chain:case", args=[chain.case.pk]))

    assert [node.obj for node in response.context["recommendations"]] == [chain.letter, notice]
    # The third problem is now cited (by the draft notice's item, which has no measure yet).
    assert states(response, "problem-node")[chain.problems[2].pk] == "closed"
    assert response.context["summary"] == {"closed": 9, "total": 14, "open": 5, "percent": 64}
    html = response.content.decode()
    assert f'href="#item-{chain.items[0].pk}"' in html


# --- Query bound --------------------------------------------------------------------------------


def test_the_chain_runs_the_same_queries_whatever_its_size(world, chain, browse_en):
    client = browse_en(world.users.city_staff)
    with CaptureQueriesContext(connection) as few:
        get(client, chain_url(chain))
    with CaptureQueriesContext(connection) as few_case:
        get(client, reverse("chain:case", args=[chain.case.pk]))

    officer = world.users.housing_officer
    with time_machine.travel(shanghai(D(2026, 3, 1))):
        for number in range(12):
            measure = plan(
                chain.letter, chain.items[number % 3], officer, D(2026, 9, 1), f"措施{number}"
            )
            services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())
            factories.problem(chain.case, description=f"问题{number}")
    with CaptureQueriesContext(connection) as many:
        response = get(client, chain_url(chain))
    with CaptureQueriesContext(connection) as many_case:
        get(client, reverse("chain:case", args=[chain.case.pk]))

    assert response.context["summary"]["total"] == 13 + 12 + 12 * 2
    assert len(many) == len(few)
    assert len(many_case) == len(few_case)


def test_the_officer_chain_runs_the_same_queries_whatever_its_size(world, chain, browse_en):
    client = browse_en(world.users.housing_officer)
    with CaptureQueriesContext(connection) as few:
        get(client, chain_url(chain))
    officer = world.users.housing_officer
    with time_machine.travel(shanghai(D(2026, 3, 1))):
        for number in range(10):
            plan(chain.letter, chain.items[2], officer, D(2026, 9, 1), f"措施{number}")
    with CaptureQueriesContext(connection) as many:
        get(client, chain_url(chain))
    assert len(many) == len(few)


def test_an_items_measures_run_the_same_queries_for_3_or_30(
    world, chain, browse_en, django_assert_max_num_queries
):
    client = browse_en(world.users.city_staff)
    with CaptureQueriesContext(connection) as few:
        fragment(client, measures_url(chain.items[0]))
    officer, staff = world.users.housing_officer, world.users.city_staff
    with time_machine.travel(shanghai(D(2026, 3, 1))):
        for number in range(28):
            measure = plan(chain.letter, chain.items[0], officer, D(2026, 9, 1), f"措施{number}")
            services.progress_report_add(
                measure=measure, actor=officer, content="已完成", percent_complete=100
            )
            services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())
            services.measure_request_signoff(measure=measure, actor=officer)
            if number % 2:
                services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")

    with django_assert_max_num_queries(len(few)):
        response = fragment(client, measures_url(chain.items[0], page=2))
    assert len(response.context["nodes"]) == 5


def test_a_letter_of_many_measures_answers_small(world, chain, browse_en):
    """The chain holds the items and their counts, not their measures: its size does not grow
    with them (a 1,200-measure letter answered 2.2 MB in 2.8 s before)."""
    client = browse_en(world.users.city_staff)
    officer = world.users.housing_officer

    def add(count):
        with time_machine.travel(shanghai(D(2026, 3, 1))):
            for number in range(count):
                plan(chain.letter, chain.items[number % 3], officer, D(2026, 9, 1), "措施")

    add(3)  # every item has measures
    few = len(get(client, chain_url(chain)).content)
    add(60)
    response = get(client, chain_url(chain))

    assert response.context["summary"]["total"] == 13 + 63 * 2
    assert abs(len(response.content) - few) < 100  # only the counts' digits


def test_a_case_of_hundreds_of_problems_shows_the_uncited_first_and_a_few(world, chain, browse_en):
    """A real case exposes hundreds of problems (seed 000: 723): the chain shows those no item
    cites first, 20 in all, counts the rest, and an item its first five — in the same queries
    as for three problems."""
    client = browse_en(world.users.city_staff)
    with CaptureQueriesContext(connection) as few:
        get(client, chain_url(chain))
    with time_machine.travel(shanghai(D(2026, 1, 10))):
        cited = [factories.problem(chain.case, description=f"问题{n}") for n in range(40)]
    item = chain.items[1]
    item.problems.add(*cited)

    with CaptureQueriesContext(connection) as many:
        response = get(client, chain_url(chain))

    assert len(many) == len(few)

    shown = states(response, "problem-node")
    assert len(shown) == 20
    assert shown[chain.problems[2].pk] == "open"  # the one no item cites is among them
    html = response.content.decode()
    assert "and 23 more problems, every one cited by an item" in html
    assert reverse("cases:detail", args=[chain.case.pk]) + "#problems" in html
    assert "and 36 more problems" in html  # item 2 cites 41: five shown
    assert response.context["summary"]["total"] == 13 + 40  # every problem still counted
