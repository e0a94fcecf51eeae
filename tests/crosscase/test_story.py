"""From one case to a whole sector (从“查处一案”到“治理一域”): five cases in two sectors → a
cross-case analysis of the three construction cases in the city's jurisdiction, its matrix and
drill-downs → the analysis report → a self-inspection campaign drawn from the analysis to the six
construction units → four answer (two find problems and plan measures, one falls overdue), the two
others are urged → the campaign page and the dashboard show exactly that."""

import datetime

import time_machine
from django.urls import reverse

from accounts.models import OrgUnit, User
from accounts.roles import Role
from campaigns import services as campaigns
from campaigns.models import Campaign, CampaignUnit
from core.domain import SHANGHAI, shanghai_today
from notifications.models import Notification
from tests import factories
from tests.campaigns.conftest import answers
from tests.pdf import compact

from .conftest import BLIND, GAP, RISK, stage


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI))


def matrix_cells(matrix) -> dict:
    return {
        (row["category"], cell["stage"]): cell["count"]
        for row in matrix.rows
        for cell in row["cells"]
        if cell["count"]
    }


def drill_down(client, analysis, **params) -> int:
    page = client.get(reverse("crosscase:problems", args=[analysis.pk]), params)
    assert page.status_code == 200
    return page.context["page_obj"].paginator.count


def plan(form, formset, units) -> dict:
    """The campaign form as proposed, sent back with the six units chosen by hand."""
    data = {
        "title": form.initial["title"],
        "instructions": "对照类案分析暴露的问题逐项自查",
        "sector": "",
        "units": [unit.pk for unit in units],
        "answer_due_on": (shanghai_today() + datetime.timedelta(days=7)).isoformat(),
        "source_analysis": form.initial["source_analysis"],
        "items-TOTAL_FORMS": len(formset.forms),
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for index, line in enumerate(formset.forms):
        for name in ("category", "process_stage", "text"):
            data[f"items-{index}-{name}"] = line.initial.get(name) or ""
    return data


def test_from_five_cases_to_a_sector_wide_self_inspection(world, cases, client):
    start = shanghai_today()
    for name in ("市政", "园林", "城建", "交建"):
        factories.org_child(world.units.city, f"长春市{name}集团", sector="construction")
    # New units renumber the tree's paths: read the accounts and units again.
    staff = User.objects.get(pk=world.users.city_staff.pk)
    supervisor = User.objects.get(pk=world.users.supervisor.pk)
    units = list(
        OrgUnit.objects.filter(sector="construction", path__startswith=staff.org_unit.path)
    )
    assert len(units) == 6  # the housing bureau, its station and the four groups
    officers = [factories.user(Role.UNIT_OFFICER, unit) for unit in units]

    # The analysis: the construction cases of 2025 the city may read — not 吉林市's, nor the
    # healthcare case.
    from crosscase import analysis as analyses

    analysis = analyses.analysis_create(
        actor=staff,
        title="工程建设领域类案分析",
        mode="criteria",
        sector="construction",
        opened_from=datetime.date(2025, 1, 1),
        opened_to=datetime.date(2025, 12, 31),
    )
    client.force_login(staff)
    page = client.get(reverse("crosscase:detail", args=[analysis.pk]))
    assert page.status_code == 200
    figures = page.context["tables"]
    assert figures["overview"]["count"] == 3
    cells = matrix_cells(figures["matrix"])
    assert cells == {
        (GAP, stage("招投标").pk): 3,
        (RISK, stage("工程监管").pk): 1,
        (RISK, stage("项目验收").pk): 1,
        (BLIND, stage("项目验收").pk): 2,
    }
    assert figures["matrix"].total == 7
    for (category, stage_id), count in cells.items():
        assert drill_down(client, analysis, category=category, stage=stage_id) == count
    assert drill_down(client, analysis) == 7

    report = client.get(reverse("documents:crosscase_report", args=[analysis.pk]))
    assert report["Content-Type"] == "application/pdf"
    text = compact(report.content)
    assert "选取3件案件" in text and "共暴露问题7个" in text

    # The campaign, drawn from the analysis: its cells become the checklist, commonest first.
    proposed = client.get(reverse("campaigns:create"), {"analysis": analysis.pk})
    assert 'data-testid="source-analysis"' in proposed.content.decode()
    formset = proposed.context["formset"]
    first = formset.initial[0]
    assert (first["category"], first["process_stage"]) == (GAP, stage("招投标").pk)
    assert len(formset.initial) == 4
    drafted = client.post(
        reverse("campaigns:create"), plan(proposed.context["form"], formset, units)
    )
    assert drafted.status_code == 302, drafted.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert (campaign.source_analysis, campaign.items.count()) == (analysis, 4)
    campaigns.campaign_launch(campaign=campaign, actor=staff)
    rows = {row.unit_id: row for row in campaign.units.all()}
    assert set(rows) == {unit.pk for unit in units}

    # Four answer; the first two find problems and plan a measure each (the second's due soon).
    findings = {0: "招标文件由分管领导审定", 1: "竣工验收未引入第三方"}
    for index in range(4):
        campaigns.answers_submit(
            campaign_unit=rows[units[index].pk],
            actor=officers[index],
            answers=answers(campaign, *([findings[index]] if index in findings else [])),
        )
    for index, days in ((0, 60), (1, 10)):
        rectification = CampaignUnit.objects.get(pk=rows[units[index].pk].pk).rectification
        factories.measure(
            recommendation=rectification,
            actor=officers[index],
            due_on=start + datetime.timedelta(days=days),
        )

    with at(start + datetime.timedelta(days=21)):
        urged = campaigns.campaign_urge(campaign=campaign, actor=supervisor)
        assert {row.unit_id for row in urged} == {units[4].pk, units[5].pk}
        told = Notification.objects.filter(kind=Notification.Kind.URGING)
        assert set(told.values_list("recipient", flat=True)) == {officers[4].pk, officers[5].pk}

        client.force_login(staff)
        page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
        figures = page.context["figures"]
        assert (figures.answered, figures.targeted) == (4, 6)
        assert (figures.found_units, figures.found) == (2, 2)
        assert (figures.open_measures, figures.overdue_measures) == (2, 1)
        assert (figures.urged, figures.late) == (2, 2)
        assert 'data-testid="source-analysis"' in page.content.decode()

        client.force_login(supervisor)
        (row,) = client.get(reverse("dashboard:index")).context["campaigns"]["rows"]
        assert (row.answered, row.targeted, row.found_units, row.found) == (4, 6, 2, 2)
        assert (row.open_measures, row.overdue_measures, row.urged, row.late) == (2, 1, 2, 2)

        # A unit's officer sees the campaign, never the analysis behind it (case content).
        client.force_login(officers[5])
        own = client.get(reverse("campaigns:detail", args=[campaign.pk]))
        assert own.status_code == 200
        assert 'data-testid="source-analysis"' not in own.content.decode()
        assert client.get(reverse("crosscase:detail", args=[analysis.pk])).status_code == 404
