"""The story of a campaign (举一反三): sent to the six units of a sector, four answer (two find
problems and plan measures on them, one of which falls overdue), the two others are urged; the
campaign page and the dashboard show exactly those figures."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import OrgUnit, User
from accounts.roles import Role
from campaigns import services
from campaigns.models import CampaignUnit
from core.domain import SHANGHAI, shanghai_today
from notifications.models import Notification
from recommendations.models import Recommendation
from reforms.models import Measure
from tests import factories

from .conftest import answers, checklist

pytestmark = pytest.mark.django_db


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI))


def test_a_sector_campaign_from_launch_to_the_dashboard(world, client):
    start = shanghai_today()
    names = ["甲", "乙", "丙", "丁", "戊", "己"]
    for name in names:
        factories.org_child(world.units.county, f"朝阳区{name}交通单位", sector="finance")
    # Adding units renumbers the tree's paths: read the accounts and units again.
    units = list(OrgUnit.objects.filter(sector="finance").order_by("name"))
    assert len(units) == 6
    staff = User.objects.get(pk=world.users.county_staff.pk)
    supervisor = User.objects.get(pk=world.users.county_supervisor.pk)
    officers = [factories.user(Role.UNIT_OFFICER, unit) for unit in units]

    campaign = services.campaign_create(
        actor=staff,
        title="金融领域举一反三自查",
        sector="finance",
        answer_due_on=start + datetime.timedelta(days=7),
        items=checklist(2),
    )
    services.campaign_launch(campaign=campaign, actor=staff)
    assert campaign.units.count() == 6
    rows = {row.unit_id: row for row in campaign.units.all()}

    # Four answer: the first two find a problem each and plan a measure on it.
    findings = {0: "财务审批一支笔", 1: "大额资金未集体决策"}
    for index in range(4):
        services.answers_submit(
            campaign_unit=rows[units[index].pk],
            actor=officers[index],
            answers=answers(campaign, *([findings[index]] if index in findings else [])),
        )
    for index, days in ((0, 60), (1, 10)):
        letter = CampaignUnit.objects.get(pk=rows[units[index].pk].pk).rectification
        assert letter.kind == Recommendation.Kind.SELF_INSPECTION
        factories.measure(
            recommendation=letter,
            actor=officers[index],
            due_on=start + datetime.timedelta(days=days),
        )
    assert Measure.objects.filter(item__recommendation__kind="self_inspection").count() == 2

    # Three weeks later: the answers are late, the second unit's measure is overdue.
    later = start + datetime.timedelta(days=21)
    with at(later):
        urged = services.campaign_urge(campaign=campaign, actor=supervisor)
        assert {row.unit_id for row in urged} == {units[4].pk, units[5].pk}
        told = Notification.objects.filter(kind=Notification.Kind.URGING)
        assert set(told.values_list("recipient", flat=True)) == {officers[4].pk, officers[5].pk}

        client.force_login(staff)
        page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
        assert page.status_code == 200
        figures = page.context["figures"]
        assert (figures.answered, figures.targeted) == (4, 6)
        assert figures.found_units == 2 and figures.found == 2
        assert (figures.open_measures, figures.overdue_measures) == (2, 1)
        assert figures.urged == 2 and figures.late == 2
        by_unit = {row.unit_id: row for row in page.context["rows"]}
        assert by_unit[units[1].pk].overdue_count == 1
        assert by_unit[units[0].pk].open_count == 1 and by_unit[units[0].pk].overdue_count == 0
        assert [by_unit[u.pk].late for u in units] == [False] * 4 + [True] * 2
        html = page.content.decode()
        assert 'data-testid="answered">4/6<' in html

        client.force_login(supervisor)
        board = client.get(reverse("dashboard:index"))
        assert board.status_code == 200
        (row,) = board.context["campaigns"]["rows"]
        assert (row.answered, row.targeted, row.found_units, row.found) == (4, 6, 2, 2)
        assert (row.open_measures, row.overdue_measures, row.urged, row.late) == (2, 1, 2, 2)
        assert 'data-testid="overdue">1<' in board.content.decode().replace(
            ' text-danger fw-bold"', '"'
        )

        # An officer of an unanswered unit sees its own row only, and answers from it.
        client.force_login(officers[5])
        own = client.get(reverse("campaigns:detail", args=[campaign.pk]))
        assert [row.unit_id for row in own.context["rows"]] == [units[5].pk]
        assert own.context["figures"] is None
