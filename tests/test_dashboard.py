"""The supervisors' dashboard: open and late measures by unit and sector, aging, sign-off rate,
late replies and the weekly trend — each number checked on a constructed data set, and each
drill-down link followed to the measure list, which must show exactly as many rows.

Today is Monday 15 June 2026 (Beijing). The city jurisdiction holds:

housing bureau (construction)   A due 06-14 (a Sunday; 1 day late)  B due 06-07 (8 days)
                                C due 05-01 (45 days)               D due 02-01 (134 days)
                                E due 06-20 (due soon)              F due 09-30 (on schedule)
                                G standing                          H due 06-10, signed off 06-09
                                I due 06-01, signed off 06-03 (late)
  └ its quality station         J due 06-12 (3 days)
health commission (healthcare)  K due 03-01 (106 days)              L due 06-30, signed off 06-05
  its letter's reply was due 06-01 and has not arrived
county education bureau         N due 06-01 (14 days)
Outside the city: the Jilin water bureau's W due 06-01 (14 days).
"""

import datetime
import re
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts.roles import Role
from core.templatetags.drilldown import drill
from recommendations import services as recommendation_services
from reforms import services, tally
from tests import factories

D = datetime.date
TODAY = D(2026, 6, 15)
ADMINS = ["system_admin", "security_admin", "audit_admin"]


def shanghai(day: datetime.date, hour=10):
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True, params=["tally", "measures"])
def counted_from(request, db):
    """Every number read both ways: from the measure tally, counted for today before any measure
    exists and kept by the triggers since, and from the measures (the tally is a day old)."""
    tally.roll(TODAY if request.param == "tally" else TODAY - datetime.timedelta(days=1))
    return request.param


def letter_to(unit, *, commission, staff, **fields):
    the_case = factories.case(case_unit=unit, commission=commission, created_by=staff)
    return factories.issued_recommendation(staff=staff, the_case=the_case, **fields)


def sign_off_on(measure, day, *, officer, staff):
    with time_machine.travel(shanghai(day)):
        services.progress_report_add(
            measure=measure, actor=officer, content="已完成", percent_complete=100
        )
        services.evidence_add(measure=measure, actor=officer, file=factories.evidence_file())
        services.measure_request_signoff(measure=measure, actor=officer)
        services.measure_sign_off(measure=measure, actor=staff, note="经核查，整改到位")
    measure.refresh_from_db()
    return measure


@pytest.fixture
def data(world):
    units, users = world.units, world.users
    education_officer = factories.user(Role.UNIT_OFFICER, units.education, "education_officer")
    water_officer = factories.user(Role.UNIT_OFFICER, units.water, "water_officer")
    with time_machine.travel(shanghai(D(2026, 1, 10))):
        housing = letter_to(units.housing, commission=units.city, staff=users.city_staff)
        station = letter_to(units.station, commission=units.city, staff=users.city_staff)
        health = letter_to(
            units.health,
            commission=units.city,
            staff=users.city_staff,
            reply_due_on=D(2026, 6, 1),
        )
        education = letter_to(units.education, commission=units.county, staff=users.county_staff)
        water = letter_to(units.water, commission=units.other_city, staff=users.other_staff)

        def plan(letter, officer, due_on, **fields):
            return factories.measure(recommendation=letter, actor=officer, due_on=due_on, **fields)

        officer = users.housing_officer
        m = SimpleNamespace(
            A=plan(housing, officer, D(2026, 6, 14)),
            B=plan(housing, officer, D(2026, 6, 7)),
            C=plan(housing, officer, D(2026, 5, 1)),
            D=plan(housing, officer, D(2026, 2, 1)),
            E=plan(housing, officer, D(2026, 6, 20)),
            F=plan(housing, officer, D(2026, 9, 30)),
            G=plan(housing, officer, D(2026, 12, 31), is_standing=True),
            H=plan(housing, officer, D(2026, 6, 10)),
            I=plan(housing, officer, D(2026, 6, 1)),
            J=plan(station, officer, D(2026, 6, 12)),
            K=plan(health, users.health_officer, D(2026, 3, 1)),
            L=plan(health, users.health_officer, D(2026, 6, 30)),
            N=plan(education, education_officer, D(2026, 6, 1)),
            W=plan(water, water_officer, D(2026, 6, 1)),
        )
    sign_off_on(m.H, D(2026, 6, 9), officer=officer, staff=users.city_staff)
    sign_off_on(m.I, D(2026, 6, 3), officer=officer, staff=users.city_staff)
    sign_off_on(m.L, D(2026, 6, 5), officer=users.health_officer, staff=users.city_staff)
    return SimpleNamespace(
        measures=m,
        letters=SimpleNamespace(housing=housing, health=health, education=education),
    )


def dashboard(client):
    with time_machine.travel(shanghai(TODAY)):
        return client.get(reverse("dashboard:index"))


def follow(client, url):
    """The number of rows the measure list shows for a drill-down URL (same day)."""
    with time_machine.travel(shanghai(TODAY)):
        response = client.get(url)
    assert response.status_code == 200
    return response.context["page_obj"].paginator.count


def row(response, table, key):
    rows = response.context["units" if table == "unit" else "sectors"]
    key_of = (lambda r: r["unit"]["pk"]) if table == "unit" else (lambda r: r["sector"])
    return next(r for r in rows if key_of(r) == key)


def params(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


# --- Who reaches the page ----------------------------------------------------------------------


def test_a_stranger_is_asked_to_sign_in(client, world):
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["housing_officer", "health_officer", *ADMINS])
def test_unit_officers_and_the_separated_admins_are_refused(world, browse_en, who):
    assert dashboard(browse_en(getattr(world.users, who))).status_code == 403


@pytest.mark.parametrize("who", ["supervisor", "city_staff"])
def test_supervisors_and_staff_see_the_dashboard_of_their_jurisdiction(world, data, browse_en, who):
    response = dashboard(browse_en(getattr(world.users, who)))

    assert response.status_code == 200
    total = response.context["total"]
    assert (total.total, total.open, total.overdue) == (13, 10, 7)


def test_a_county_supervisor_sees_only_the_county(world, data, browse_en):
    response = dashboard(browse_en(world.users.county_supervisor))

    total = response.context["total"]
    assert (total.total, total.open, total.overdue) == (1, 1, 1)
    assert [r["unit"]["name"] for r in response.context["units"]] == ["朝阳区教育局"]
    assert response.context["late"]["count"] == 0


def test_staff_of_another_city_see_only_their_own_city(world, data, browse_en):
    response = dashboard(browse_en(world.users.other_staff))

    assert [r["unit"]["name"] for r in response.context["units"]] == ["吉林市水利局"]
    assert response.context["total"].overdue == 1


# --- The numbers --------------------------------------------------------------------------------


def test_the_headline_numbers(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))

    total = response.context["total"]
    assert total.total == 13
    assert total.open == 10  # A–G, J, K, N
    assert total.overdue == 7  # A, B, C, D, J, K, N
    assert total.due_soon == 1  # E
    assert total.standing == 1  # G
    assert total.signed_off == 3  # H, I, L
    # Sign-off rate: of the 9 measures (not standing) due by today, H and I are signed off.
    assert (total.due_signed, total.due, total.signoff_percent) == (2, 9, 22)
    html = response.content.decode()
    assert re.search(r'data-testid="total-overdue">7<', html)
    assert re.search(r'data-testid="total-due-signed">2<', html)
    assert re.search(r'data-testid="total-due">9<', html)


def test_units_count_their_subunits_as_the_unit_filter_does(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))
    units = world.units

    housing = row(response, "unit", units.housing.pk)["counts"]
    assert (housing.total, housing.open, housing.overdue, housing.due_soon) == (10, 8, 5, 1)
    assert (housing.standing, housing.signed_off, housing.due, housing.due_signed) == (1, 2, 7, 2)
    assert housing.signoff_percent == 29
    station = row(response, "unit", units.station.pk)
    assert (station["counts"].open, station["counts"].overdue, station["depth"]) == (1, 1, 1)
    health = row(response, "unit", units.health.pk)["counts"]
    assert (health.open, health.overdue, health.signed_off, health.due) == (1, 1, 1, 1)
    assert health.signoff_percent == 0
    education = row(response, "unit", units.education.pk)["counts"]
    assert (education.open, education.overdue) == (1, 1)


def test_a_province_sees_its_busiest_units_and_the_rest_in_the_list(
    world, data, browse_en, monkeypatch
):
    """Thousands of units would make the page unreadable and slow: the busiest are shown."""
    monkeypatch.setattr("oversight.dashboard.UNIT_ROWS_SHOWN", 1)
    response = dashboard(browse_en(world.users.supervisor))

    shown = [row["unit"]["pk"] for row in response.context["units"]]
    assert shown == [world.units.housing.pk]  # 8 open; the station, health, education 1 each
    assert response.context["units_not_shown"] == 3
    assert 'data-testid="units-not-shown"' in response.content.decode()


def test_sectors(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))

    assert [r["sector"] for r in response.context["sectors"]] == [
        "construction",
        "education",
        "healthcare",
    ]
    construction = row(response, "sector", "construction")["counts"]
    assert (construction.open, construction.overdue) == (8, 5)
    assert row(response, "sector", "healthcare")["counts"].overdue == 1


def test_aging_buckets_count_days_past_the_current_due_date(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))

    assert {b["key"]: b["n"] for b in response.context["aging"]} == {
        "1-7": 2,  # A (1 day), J (3)
        "8-30": 2,  # B (8), N (14)
        "31-90": 1,  # C (45)
        "90+": 2,  # D (134), K (106)
    }


def test_an_extension_moves_a_measure_to_a_younger_bucket(world, data, browse_en):
    measure = data.measures.C
    with time_machine.travel(shanghai(D(2026, 6, 10))):
        request = services.extension_request_submit(
            measure=measure,
            actor=world.users.housing_officer,
            requested_due_on=D(2026, 6, 12),
            reason="需要协调",
        )
        services.extension_request_approve(request=request, actor=world.users.city_staff)

    response = dashboard(browse_en(world.users.supervisor))

    aging = {b["key"]: b["n"] for b in response.context["aging"]}
    assert (aging["1-7"], aging["31-90"]) == (3, 0)


def test_late_replies(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))

    late = response.context["late"]
    assert late["count"] == 1
    assert late["rows"] == [data.letters.health]
    assert late["rows"][0].days_late == 14
    html = response.content.decode()
    assert reverse("recommendations:detail", args=[data.letters.health.pk]) in html
    assert reverse("chain:recommendation", args=[data.letters.health.pk]) in html


def test_a_reply_submitted_is_no_longer_late(world, data, browse_en):
    letter = data.letters.health
    with time_machine.travel(shanghai(D(2026, 6, 10))):
        officer = world.users.health_officer
        recommendation_services.recommendation_acknowledge(recommendation=letter, actor=officer)
        recommendation_services.recommendation_start_rectification(
            recommendation=letter, actor=officer
        )
        recommendation_services.recommendation_submit_reply(
            recommendation=letter, actor=officer, content="整改报告"
        )

    assert dashboard(browse_en(world.users.supervisor)).context["late"]["count"] == 0


def test_the_weekly_trend_counts_sign_offs_and_measures_falling_overdue(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))

    trend = {week["label"]: week for week in response.context["trend"]}
    assert len(trend) == 12
    assert (min(trend), max(trend)) == ("2026-W14", "2026-W25")
    signed = {label: week["signed_off"] for label, week in trend.items() if week["signed_off"]}
    fell = {label: week["fell_overdue"] for label, week in trend.items() if week["fell_overdue"]}
    assert signed == {"2026-W23": 2, "2026-W24": 1}  # I and L; H
    # A (due Sunday 06-14, late from Monday), B and J, I (signed off late) and N, C (05-01).
    # H was signed off before its due date; D and K fell overdue before the twelve weeks.
    assert fell == {"2026-W25": 1, "2026-W24": 2, "2026-W23": 2, "2026-W18": 1}


def test_a_week_reads_as_its_dates_never_its_iso_number(world, data, browse):
    response = dashboard(browse(world.users.supervisor))

    # W25 of 2026 is Monday 15 to Sunday 21 June.
    assert response.context["charts"]["trend"]["categories"][-1] == "6月15日"
    assert "6月15日–6月21日" in response.text
    assert "2026-W" not in response.text.replace('data-week="2026-W', "")


def test_each_weeks_sign_offs_open_exactly_its_rows(world, data, browse_en):
    client = browse_en(world.users.supervisor)
    trend = dashboard(client).context["trend"]

    for week in trend:
        assert follow(client, week["signed_off_url"]) == week["signed_off"], week["label"]


# --- Drill-downs -------------------------------------------------------------------------------


def test_every_unit_and_sector_number_opens_exactly_its_rows(world, data, browse_en):
    client = browse_en(world.users.supervisor)
    response = dashboard(client)

    exact = ["open", "overdue", "due_soon", "standing", "signed_off", "due", "due_signed", "total"]
    for r in [*response.context["units"], *response.context["sectors"]]:
        for key in exact:
            assert follow(client, r["urls"][key]) == getattr(r["counts"], key), (r, key)
    for key in exact:
        assert follow(client, response.context["total_urls"][key]) == getattr(
            response.context["total"], key
        )


def test_drill_down_links_carry_the_agreed_filters(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))
    housing = row(response, "unit", world.units.housing.pk)["urls"]

    assert params(housing["overdue"]) == {"unit": str(world.units.housing.pk), "overdue": "current"}
    assert params(housing["due_soon"])["signal"] == "yellow"
    assert params(housing["standing"])["signal"] == "blue"
    assert params(housing["signed_off"])["status"] == "signed_off"
    assert params(housing["due_signed"]) == {
        "unit": str(world.units.housing.pk),
        "status": "signed_off",
        "due_before": "2026-06-15",
    }
    assert params(row(response, "sector", "healthcare")["urls"]["overdue"]) == {
        "sector": "healthcare",
        "overdue": "current",
    }
    html = unescape(response.content.decode())
    assert f'href="{housing["overdue"]}"' in html
    assert f'href="{reverse("reforms:measure_list")}?aging=8-30"' in html


def test_a_drilled_number_is_escaped_as_html():
    link = drill(1234, '/measures/?unit=7&q="<b>"', cls="fw-bold", testid="open")
    assert link == (
        '<a href="/measures/?unit=7&amp;q=&quot;&lt;b&gt;&quot;" class="fw-bold"'
        ' data-testid="open">1234</a>'
    )
    assert (
        drill("<i>", testid='"x"') == '<span class="" data-testid="&quot;x&quot;">&lt;i&gt;</span>'
    )
    # HTML already marked safe is kept as it is.
    assert drill(mark_safe("<i>5</i>")) == '<span class=""><i>5</i></span>'


def test_aging_links_open_exactly_their_bucket(world, data, browse_en):
    client = browse_en(world.users.supervisor)
    for bucket in dashboard(client).context["aging"]:
        assert params(bucket["url"]) == {"aging": bucket["key"]}
        assert follow(client, bucket["url"]) == bucket["n"]


def test_the_overdue_trend_links_open_the_measures_due_in_that_span(world, data, browse_en):
    client = browse_en(world.users.supervisor)
    trend = {week["label"]: week for week in dashboard(client).context["trend"]}

    week24 = trend["2026-W24"]
    assert params(week24["fell_overdue_url"]) == {
        "due_after": "2026-06-07",
        "due_before": "2026-06-13",
    }
    # B and J fell overdue; the list also shows H, due that week but signed off in time (it has
    # no filter for "not signed off by the due date"), so it shows a superset of the bar.
    assert week24["fell_overdue"] == 2
    assert follow(client, week24["fell_overdue_url"]) == 3
    # This week only up to yesterday's due dates: A.
    assert params(trend["2026-W25"]["fell_overdue_url"])["due_before"] == "2026-06-14"


def test_the_charts_carry_the_colour_code_and_drill_down_urls(world, data, browse_en):
    response = dashboard(browse_en(world.users.supervisor))

    charts = response.context["charts"]
    colours = {series["color"] for series in charts["units"]["series"]}
    assert colours == {"#dc3545", "#e0a800", "#198754", "#0d6efd"}
    red = next(s for s in charts["units"]["series"] if s["color"] == "#dc3545")
    housing_index = charts["units"]["categories"].index(world.units.housing.name)
    assert red["data"][housing_index] == 5
    assert "overdue=current" in red["urls"][housing_index]
    html = response.content.decode()
    for chart in ("chart-units", "chart-sectors", "chart-aging", "chart-trend"):
        assert f'<script id="{chart}" type="application/json">' in html
    assert "vendor/echarts-6.1.0/echarts.min.js" in html
    assert "js/dashboard.js" in html


def test_an_empty_jurisdiction_shows_dashes_not_errors(world, browse_en):
    response = dashboard(browse_en(world.users.supervisor))

    assert response.status_code == 200
    assert response.context["total"].signoff_rate is None
    assert "No measures in your jurisdiction yet." in response.content.decode()


# --- Query bound --------------------------------------------------------------------------------


def test_the_page_runs_the_same_queries_whatever_the_data(
    world, data, browse_en, django_assert_max_num_queries, counted_from
):
    client = browse_en(world.users.supervisor)
    with CaptureQueriesContext(connection) as few:
        dashboard(client)

    with time_machine.travel(shanghai(D(2026, 1, 10))):
        for _ in range(3):
            letter = letter_to(
                world.units.health,
                commission=world.units.city,
                staff=world.users.city_staff,
                reply_due_on=D(2026, 5, 1),
            )
            for day in range(10):
                factories.measure(
                    recommendation=letter,
                    actor=world.users.health_officer,
                    due_on=D(2026, 2, 1) + datetime.timedelta(days=day * 13),
                )
    with CaptureQueriesContext(connection) as many:
        response = dashboard(client)

    assert response.context["total"].total == 43
    assert response.context["late"]["count"] == 4
    assert len(many) == len(few)
    # Each unit's numbers: one row of the unit tally, or counted from the measures.
    read_kept = any("reforms_unittally" in query["sql"] for query in many)
    assert read_kept == (counted_from == "tally")
    with django_assert_max_num_queries(16):
        dashboard(client)


# --- Reconciliation rounds ----------------------------------------------------------------------


@pytest.fixture
def rounds(world, data):
    """On TODAY: the housing letter's round open, one row answered; the health letter's closed."""
    from reforms import reconciliation

    staff = world.users.city_staff
    with time_machine.travel(shanghai(TODAY)):
        housing = reconciliation.open_round(
            actor=staff, recommendation=data.letters.housing, answer_due_on=D(2026, 6, 22)
        )
        first = housing.rows.select_related("round", "measure").order_by("pk").first()
        reconciliation.answer_row(
            row=first, actor=world.users.housing_officer, answer="in_progress", note="过半"
        )
        health = reconciliation.open_round(
            actor=staff, recommendation=data.letters.health, answer_due_on=D(2026, 6, 22)
        )
        for row in health.rows.select_related("round", "measure"):
            reconciliation.answer_row(
                row=row, actor=world.users.health_officer, answer="disputed", note="已整改"
            )
            reconciliation.confirm_row(row=row, actor=staff, confirmation="agreed")
        reconciliation.close_round(round_=health, actor=staff)
    return SimpleNamespace(housing=housing, health=health)


def test_each_units_last_reconciliation_and_what_is_outstanding(world, rounds, browse_en):
    page = dashboard(browse_en(world.users.supervisor))

    shown = {row["unit"]["name"]: row for row in page.context["reconciliations"]["units"]}
    assert set(shown) == {world.units.housing.name, world.units.health.name}
    housing, health = shown[world.units.housing.name], shown[world.units.health.name]
    rows = rounds.housing.rows.count()
    assert (housing["is_open"], housing["unanswered"], housing["unconfirmed"]) == (
        True,
        rows - 1,
        1,
    )
    assert (housing["last_as_of"], housing["answers_due"], housing["late"]) == (
        TODAY,
        D(2026, 6, 22),
        False,
    )
    assert housing["url"] == reverse("reforms:reconciliation_detail", args=[rounds.housing.pk])
    assert (health["is_open"], health["unanswered"], health["unconfirmed"]) == (False, 0, 0)
    assert health["url"] == reverse("reforms:reconciliation_detail", args=[rounds.health.pk])
    totals = page.context["reconciliations"]
    assert (totals["unanswered"], totals["unconfirmed"]) == (rows - 1, 1)
    html = page.content.decode()
    assert 'data-testid="reconciliations-by-unit"' in html
    assert f'href="{housing["url"]}" data-testid="round">Open</a>' in html


def test_unanswered_rows_past_their_date_are_late(world, rounds):
    from oversight.dashboard import reconciliations

    later = reconciliations(world.users.supervisor, D(2026, 6, 23))

    housing = next(row for row in later["units"] if row["unit"]["pk"] == world.units.housing.pk)
    assert housing["late"] is True


def test_the_reconciliations_take_two_queries_and_keep_to_the_jurisdiction(
    world, rounds, django_assert_max_num_queries
):
    """The jurisdiction's paths, then the rows grouped by unit, whatever the number of rows."""
    from oversight.dashboard import reconciliations

    with django_assert_max_num_queries(2):
        reconciliations(world.users.supervisor, TODAY)
    assert reconciliations(world.users.county_supervisor, TODAY)["units"] == []
