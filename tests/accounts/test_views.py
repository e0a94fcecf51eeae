"""Sign-in, each role's home page, and the notification bell."""

import datetime

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse

from notifications.models import Notification
from recommendations.services import recommendation_acknowledge
from reforms.models import Measure
from tests import factories

SHANGHAI_NOON = datetime.datetime(2026, 3, 2, 4, tzinfo=datetime.UTC)  # 12:00 in Shanghai


def test_every_page_asks_a_stranger_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_signing_in_leads_home(world, client):
    response = client.post(
        reverse("login"), {"username": "city_staff", "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_the_separated_admins_go_to_the_back_office(world, client):
    client.force_login(world.users.system_admin)

    response = client.get(reverse("home"))

    assert response.url == reverse("admin:index")


@pytest.fixture
def letter(world, housing_case):
    recommendation = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, items=1
    )
    return recommendation_acknowledge(
        recommendation=recommendation, actor=world.users.housing_officer
    )


def plan(letter, officer, *due_dates, standing=0):
    for due_on in due_dates:
        factories.measure(recommendation=letter, actor=officer, due_on=due_on)
    for _ in range(standing):
        factories.measure(recommendation=letter, actor=officer, is_standing=True)


def test_an_officer_sees_measures_by_colour(world, client, letter):
    officer = world.users.housing_officer
    plan(
        letter,
        officer,
        datetime.date(2026, 3, 1),  # overdue
        datetime.date(2026, 3, 9),  # due within 7 days
        datetime.date(2026, 4, 30),  # later
    )
    # Standing: later, whatever its stored date (a placeholder; here, as a row planned before
    # placeholders were the reply deadline may hold, the earliest).
    standing = factories.measure(recommendation=letter, actor=officer, is_standing=True)
    early = datetime.date(2026, 3, 1)
    Measure.objects.filter(pk=standing.pk).update(original_due_on=early, due_on=early)
    client.force_login(officer)

    with time_machine.travel(SHANGHAI_NOON):
        response = client.get(reverse("home"))

    groups = response.context
    assert [m.due_on for m in groups["overdue"]] == [datetime.date(2026, 3, 1)]
    assert [m.due_on for m in groups["due_soon"]] == [datetime.date(2026, 3, 9)]
    assert [(m.is_standing, m.due_on) for m in groups["later"]] == [
        (False, datetime.date(2026, 4, 30)),
        (True, datetime.date(2026, 3, 1)),
    ]
    assert list(groups["awaiting_reply"]) == [letter]


def test_letters_to_acknowledge_come_first_on_the_officers_home(world, client, housing_case):
    officer = world.users.housing_officer
    issued = factories.issued_recommendation(
        staff=world.users.city_staff, the_case=housing_case, reply_due_on=datetime.date(2026, 4, 1)
    )
    client.force_login(officer)

    with time_machine.travel(SHANGHAI_NOON):
        response = client.get(reverse("home"))

    assert list(response.context["to_acknowledge"]) == [issued]
    assert list(response.context["awaiting_reply"]) == []
    html = response.content.decode()
    detail = reverse("recommendations:detail", args=[issued.pk])
    assert f'href="{detail}" data-testid="acknowledge-link"' in html
    assert html.index('data-testid="to-acknowledge"') < html.index('data-testid="awaiting-reply"')
    assert html.index('data-testid="awaiting-reply"') < html.index('data-testid="overdue"')
    assert f"{issued.doc_number} {issued.title}" in html
    assert "待签收的建议书" in html and "回复时限 2026-04-01" in html

    # Acknowledged: it leaves the top and waits for the reply instead.
    recommendation_acknowledge(recommendation=issued, actor=officer)
    with time_machine.travel(SHANGHAI_NOON):
        response = client.get(reverse("home"))
    assert list(response.context["to_acknowledge"]) == []
    assert list(response.context["awaiting_reply"]) == [issued]
    assert 'data-testid="to-acknowledge"' not in response.content.decode()
    # Another unit's officer has nothing to acknowledge.
    client.force_login(world.users.health_officer)
    assert list(client.get(reverse("home")).context["to_acknowledge"]) == []


def test_returned_measures_wait_with_their_reason(world, client, letter, settings, tmp_path):
    from reforms import services
    from reforms.models import Measure, MeasureTransition

    settings.MEDIA_ROOT = tmp_path
    officer, staff = world.users.housing_officer, world.users.city_staff
    plan(letter, officer, datetime.date(2026, 3, 1), datetime.date(2026, 3, 9))
    returned, late = Measure.objects.order_by("due_on")
    services.evidence_add(measure=returned, actor=officer, file=factories.evidence_file())
    services.progress_report_add(
        measure=returned, actor=officer, content="已印发", percent_complete=100
    )
    services.measure_request_signoff(measure=returned, actor=officer)
    services.measure_return(
        measure=returned,
        actor=staff,
        reason_code=MeasureTransition.ReturnReason.PAPER_RECTIFICATION,
        reason="未见培训签到表",
    )
    client.force_login(officer)

    with time_machine.travel(SHANGHAI_NOON):
        response = client.get(reverse("home"))

    assert response.context["returned"] == [returned]
    assert response.context["overdue"] == []  # listed once, under returned
    assert response.context["due_soon"] == [late]
    html = response.content.decode()
    assert "被退回的整改措施" in html
    assert "纸面整改；未见培训签到表" in html
    assert html.index('data-testid="returned"') < html.index('data-testid="due-soon"')


def test_an_officer_does_not_see_another_units_measures(world, client, letter):
    plan(letter, world.users.housing_officer, datetime.date(2026, 3, 1))
    client.force_login(world.users.health_officer)

    response = client.get(reverse("home"))

    assert response.context["overdue"] == []
    assert list(response.context["awaiting_reply"]) == []


def test_staff_see_their_queues(world, client, letter):
    plan(letter, world.users.housing_officer, datetime.date(2026, 6, 30))
    client.force_login(world.users.city_staff)
    outsider = world.users.other_staff

    mine = client.get(reverse("home")).context
    client.force_login(outsider)
    theirs = client.get(reverse("home")).context

    assert [case.pk for case in mine["my_cases"]] == [letter.cases.get().pk]
    assert (mine["signoff_count"], theirs["signoff_count"]) == (0, 0)
    assert list(theirs["my_cases"]) == []


def test_a_supervisors_home_is_the_overdue_dashboard(world, client):
    client.force_login(world.users.supervisor)

    response = client.get(reverse("home"))

    assert response.url == reverse("dashboard:index")


# The menu asks each entry's permission, and the first one refused costs Django's model permission
# lookup (two queries, cached on the user for the rest of the request). The officer's home reads
# six groups' first rows, counts the letters in one aggregate and the measures in two queries
# (whether the tally is current, then its sums or the measures' count).
@pytest.mark.parametrize("username, budget", [("city_staff", 14), ("housing_officer", 16)])
def test_home_pages_cost_the_same_queries_with_many_rows(
    world, client, letter, username, budget, django_assert_max_num_queries
):
    user = getattr(world.users, username)
    client.force_login(user)
    plan(letter, world.users.housing_officer, datetime.date(2026, 3, 1))
    with django_assert_max_num_queries(budget) as few:
        client.get(reverse("home"))
    plan(letter, world.users.housing_officer, *[datetime.date(2026, 3, 1)] * 20, standing=5)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def notify(user, **fields):
    return Notification.objects.create(recipient=user, title="整改措施即将到期", **fields)


def test_the_bell_counts_only_my_unread_notifications(world, client):
    notify(world.users.city_staff)
    notify(world.users.city_staff, read_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    notify(world.users.county_staff)
    client.force_login(world.users.city_staff)

    response = client.get(reverse("notifications"))

    assert response.context["unread_notifications"] == 1
    assert 'data-testid="unread-count">1<' in response.content.decode()
    assert len(response.context["page_obj"]) == 2


def test_reading_a_notification_follows_its_link(world, client):
    notification = notify(world.users.city_staff, link="/measures/")
    client.force_login(world.users.city_staff)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    notification.refresh_from_db()
    assert response.url == "/measures/"
    assert notification.read_at is not None


def test_a_link_to_another_site_is_not_followed(world, client):
    notification = notify(world.users.city_staff, link="https://evil.example/")
    client.force_login(world.users.city_staff)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    assert response.url == reverse("notifications")


def test_someone_elses_notification_is_not_found(world, client):
    notification = notify(world.users.county_staff)
    client.force_login(world.users.city_staff)

    response = client.post(reverse("notification_read", args=[notification.pk]))

    notification.refresh_from_db()
    assert response.status_code == 404
    assert notification.read_at is None


def test_read_all_clears_the_bell(world, client):
    notify(world.users.city_staff)
    notify(world.users.city_staff)
    client.force_login(world.users.city_staff)

    client.post(reverse("notifications_read_all"))

    assert not Notification.objects.unread().filter(recipient=world.users.city_staff).exists()


def test_the_language_switcher_offers_english(world, client):
    client.force_login(world.users.city_staff)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert response.wsgi_request.LANGUAGE_CODE == "en"


def test_a_unit_with_many_open_measures_shows_the_first_of_each_group_and_the_list(
    world, client, letter
):
    from oversight.views import OFFICER_GROUP_LENGTH

    officer = world.users.housing_officer
    plan(letter, officer, *[datetime.date(2026, 3, 1)] * (OFFICER_GROUP_LENGTH + 5))
    plan(letter, officer, datetime.date(2026, 3, 9))
    client.force_login(officer)

    with time_machine.travel(SHANGHAI_NOON):
        response = client.get(reverse("home"))
        listed = client.get(response.context["list_urls"]["overdue"])

    assert len(response.context["overdue"]) == OFFICER_GROUP_LENGTH
    assert response.context["counts"]["overdue"] == OFFICER_GROUP_LENGTH + 5
    assert response.context["counts"]["due_soon"] == 1
    assert listed.context["page_obj"].paginator.count == OFFICER_GROUP_LENGTH + 5
    html = response.content.decode()
    assert html.count('data-testid="see-all"') == 1
    assert f"查看全部 {OFFICER_GROUP_LENGTH + 5} 项" in html


def test_the_officers_counts_from_the_tally_are_those_of_the_measures(world, client, letter):
    from reforms import tally
    from reforms.models import Measure

    officer = world.users.housing_officer
    march = [datetime.date(2026, 3, day) for day in (1, 1, 2, 9, 10, 30)]
    plan(letter, officer, *march, standing=2)
    first_of_march = Measure.objects.filter(due_on=march[0]).order_by("pk")[:1]
    returned = Measure.objects.filter(Q(pk__in=first_of_march) | Q(due_on=march[2]))
    assert returned.update(status=Measure.Status.RETURNED) == 2
    client.force_login(officer)

    def listed(home, group: str) -> int:
        return client.get(home.context["list_urls"][group]).context["page_obj"].paginator.count

    groups = ["returned", "overdue", "due_soon", "later"]
    with time_machine.travel(SHANGHAI_NOON):
        home = client.get(reverse("home"))
        counted = home.context["counts"]
        lists = {group: listed(home, group) for group in groups}
        tally.roll(datetime.date(2026, 3, 2))
        assert tally.is_current(datetime.date(2026, 3, 2))
        home = client.get(reverse("home"))
        summed = home.context["counts"]
        lists_summed = {group: listed(home, group) for group in groups}

    expected = {"returned": 2, "overdue": 1, "due_soon": 1, "later": 4}
    assert {name: counted[name] for name in expected} == expected
    assert summed == counted
    # Each number is the count of the list it links to ("See all"), the tally's or the rows'.
    assert lists == expected
    assert lists_summed == expected
    for group in groups:
        assert len(home.context[group]) == expected[group], group


def test_a_unit_with_many_letters_to_acknowledge_shows_the_first_and_the_list(
    world, client, housing_case
):
    from oversight.views import OFFICER_GROUP_LENGTH

    for _ in range(OFFICER_GROUP_LENGTH + 2):
        factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(world.users.housing_officer)

    response = client.get(reverse("home"))
    listed = client.get(response.context["list_urls"]["to_acknowledge"])

    assert len(response.context["to_acknowledge"]) == OFFICER_GROUP_LENGTH
    assert response.context["counts"]["to_acknowledge"] == OFFICER_GROUP_LENGTH + 2
    assert listed.context["page_obj"].paginator.count == OFFICER_GROUP_LENGTH + 2
    assert 'data-testid="to-acknowledge-count">22<' in response.content.decode()
