"""Campaign pages: drafting from a recommendation, the progress page's query count, the officer's
answer page, and the refusals (403 for a role, 404 for a record out of sight)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import OrgUnit, User
from accounts.roles import Role
from campaigns import services
from campaigns.models import Campaign, CampaignUnit
from core.domain import shanghai_today
from tests import factories

from .conftest import answers, draft, launched

pytestmark = pytest.mark.django_db


def test_a_recommendation_proposes_its_problems_as_the_checklist(world, housing_case, client):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(world.users.city_staff)
    page = client.get(reverse("recommendations:detail", args=[letter.pk]))
    assert f"/campaigns/new/?recommendation={letter.pk}" in page.content.decode()
    form = client.get(reverse("campaigns:create"), {"recommendation": letter.pk})
    assert form.status_code == 200
    proposed = [f.initial for f in form.context["formset"].forms if f.initial]
    problem = housing_case.problems.first()
    assert [(p["category"], p["process_stage"]) for p in proposed] == [
        (problem.category, problem.process_stage_id)
    ]
    assert form.context["form"].initial["sector"] == "construction"
    data = {
        "title": "举一反三",
        "sector": "construction",
        "answer_due_on": (shanghai_today() + datetime.timedelta(days=10)).isoformat(),
        "source_recommendation": letter.pk,
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-category": problem.category,
        "items-0-process_stage": problem.process_stage_id,
        "items-0-text": "检查评标专家抽取",
        "items-1-category": "",
        "items-1-text": "",
    }
    made = client.post(reverse("campaigns:create") + f"?recommendation={letter.pk}", data)
    campaign = Campaign.objects.get()
    assert made.status_code == 302 and campaign.source_recommendation == letter
    assert campaign.items.count() == 1


def test_the_create_page_refuses_other_roles_and_unseen_letters(world, housing_case, client):
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client.force_login(world.users.supervisor)
    assert client.get(reverse("campaigns:create")).status_code == 403
    client.force_login(world.users.other_staff)
    assert client.get(reverse("campaigns:create"), {"recommendation": letter.pk}).status_code == 404


def test_staff_edit_and_delete_a_draft_on_its_page(world, client):
    campaign = draft(world.users.city_staff)
    edit = reverse("campaigns:edit", args=[campaign.pk])
    client.force_login(world.users.supervisor)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert edit not in page and 'data-testid="delete"' not in page
    assert client.get(edit).status_code == 403
    client.force_login(world.users.housing_officer)
    assert client.get(edit).status_code == 404  # a draft is not the unit's yet

    client.force_login(world.users.city_staff)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert edit in page and 'data-testid="delete"' in page
    form = client.get(edit)
    assert form.context["form"].initial["sector"] == "construction"
    assert [f.initial["text"] for f in form.context["formset"].forms if f.initial] == [
        "检查招投标环节第1项",
        "检查招投标环节第2项",
    ]
    data = {
        "title": "住建领域举一反三自查（修订）",
        "mode": "cross_inspection",
        "sector": "",
        "units": [world.units.housing.pk, world.units.station.pk],
        "answer_due_on": (shanghai_today() + datetime.timedelta(days=20)).isoformat(),
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "2",
        "items-0-category": "blind_spot",
        "items-0-text": "检查工程变更签证",
        "items-1-category": "",
        "items-1-text": "",
    }
    # Nothing to check: refused in words, nothing half-saved.
    empty = client.post(edit, data | {"items-0-category": "", "items-0-text": ""})
    assert empty.status_code == 400 and "至少需要一项" in empty.content.decode()
    assert Campaign.objects.get().title == "住建领域举一反三自查"
    saved = client.post(edit, data)
    assert saved.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.sector, campaign.mode) == (
        "住建领域举一反三自查（修订）",
        "",
        Campaign.Mode.CROSS,
    )
    assert list(campaign.items.values_list("text", flat=True)) == ["检查工程变更签证"]
    assert set(campaign.units.values_list("unit", flat=True)) == {
        world.units.housing.pk,
        world.units.station.pk,
    }

    deleted = client.post(reverse("campaigns:delete", args=[campaign.pk]))
    assert deleted.status_code == 302 and deleted.url == reverse("campaigns:list")
    assert not Campaign.objects.exists() and not CampaignUnit.objects.exists()


def test_a_launched_campaign_is_no_longer_edited_or_deleted(world, client):
    campaign = launched(world.users.city_staff, units=[world.units.housing])
    client.force_login(world.users.city_staff)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert reverse("campaigns:edit", args=[campaign.pk]) not in page
    refused = client.get(reverse("campaigns:edit", args=[campaign.pk]))
    assert refused.status_code == 409 and "只有草稿" in refused.content.decode()
    kept = client.post(reverse("campaigns:delete", args=[campaign.pk]))
    assert kept.status_code == 409 and Campaign.objects.filter(pk=campaign.pk).exists()


def test_pages_by_role(world, client):
    campaign = launched(world.users.city_staff, units=[world.units.housing])
    row = campaign.units.get()
    for name, status in [("health_officer", 404), ("other_staff", 404), ("county_staff", 404)]:
        client.force_login(getattr(world.users, name))
        assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == status
        assert client.get(reverse("campaigns:answer", args=[row.pk])).status_code == status
    client.force_login(world.users.system_admin)
    assert client.get(reverse("campaigns:list")).status_code == 403
    client.force_login(world.users.housing_officer)
    listed = client.get(reverse("campaigns:list"), {"q": "住建"})
    assert [c.pk for c in listed.context["page_obj"]] == [campaign.pk]
    assert (
        client.get(reverse("campaigns:list"), {"q": "教育"}).context["page_obj"].paginator.count
        == 0
    )
    refused = client.post(reverse("campaigns:urge", args=[campaign.pk]))
    assert refused.status_code == 403


def test_the_officer_answers_on_the_page(world, client):
    campaign = launched(world.users.city_staff, units=[world.units.housing])
    row = campaign.units.get()
    first, second = campaign.items.order_by("number")
    client.force_login(world.users.housing_officer)
    page = client.get(reverse("campaigns:answer", args=[row.pk]))
    assert page.status_code == 200 and len(page.context["forms"]) == 2
    missing = client.post(
        reverse("campaigns:answer", args=[row.pk]),
        {f"item-{first.pk}-found": "yes", f"item-{first.pk}-finding": "", "submit": "1"},
    )
    assert (
        missing.status_code == 400 and "第1项" in missing.content.decode()
    ) or missing.status_code == 400
    done = client.post(
        reverse("campaigns:answer", args=[row.pk]),
        {
            f"item-{first.pk}-found": "yes",
            f"item-{first.pk}-finding": "专家库长期未更新",
            f"item-{second.pk}-found": "no",
            "submit": "1",
        },
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == CampaignUnit.Status.ANSWERED
    assert row.rectification.items.get().content == "专家库长期未更新"
    after = client.get(reverse("campaigns:answer", args=[row.pk]))
    assert after.context["editable"] is False
    assert reverse("recommendations:detail", args=[row.rectification.pk]) in after.content.decode()
    # The self-inspection list opens like any letter, and is in the letters list.
    letter_page = client.get(reverse("recommendations:detail", args=[row.rectification.pk]))
    assert letter_page.status_code == 200 and "自查整改清单" in letter_page.content.decode()
    listed = client.get(reverse("recommendations:list"), {"kind": "self_inspection"})
    assert [r.pk for r in listed.context["page_obj"]] == [row.rectification.pk]
    pdf = client.get(reverse("documents:letter", args=[row.rectification.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def _campaign_with(world, count: int):
    parent = OrgUnit.objects.get(pk=world.units.county.pk)
    for index in range(count):
        factories.org_child(parent, f"朝阳区第{index:02d}金融单位", sector="finance")
        parent = OrgUnit.objects.get(pk=world.units.county.pk)
    staff = User.objects.get(pk=world.users.county_staff.pk)
    campaign = launched(staff, sector="finance")
    rows = list(campaign.units.select_related("unit"))
    # Half answer and find a problem, with a measure planned on it.
    for row in rows[: count // 2]:
        officer = factories.user(Role.UNIT_OFFICER, row.unit)
        services.answers_submit(
            campaign_unit=row, actor=officer, answers=answers(campaign, "发现问题")
        )
        row.refresh_from_db()
        factories.measure(
            recommendation=row.rectification,
            actor=officer,
            due_on=shanghai_today() + datetime.timedelta(days=30),
        )
    return campaign, staff


def test_the_progress_page_costs_the_same_for_2_and_12_units(world, client):
    few, staff = _campaign_with(world, 2)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("campaigns:detail", args=[few.pk])).status_code == 200
    many, staff = _campaign_with(world, 12)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("campaigns:detail", args=[many.pk]))
    assert len(page.context["rows"]) == 14  # the first campaign's two units are finance too
    assert page.context["figures"].open_measures == 6  # the six of its units that answered
    assert len(large) == len(small)


def test_the_progress_spreadsheet_is_scoped_like_the_page(world, client):
    from io import BytesIO

    from openpyxl import load_workbook

    campaign = launched(world.users.city_staff, units=[world.units.housing, world.units.health])
    services.answers_submit(
        campaign_unit=campaign.units.get(unit=world.units.housing),
        actor=world.users.housing_officer,
        answers=answers(campaign, "专家库长期未更新"),
    )
    url = reverse("documents:campaign_xlsx", args=[campaign.pk])

    def unit_rows(user):
        client.force_login(user)
        answer = client.get(url)
        assert answer.status_code == 200
        sheet = load_workbook(BytesIO(b"".join(answer.streaming_content))).active
        rows = sheet.iter_rows(min_row=3, values_only=True)
        return {row[1]: row[4] for row in rows if row and isinstance(row[4], int)}

    assert unit_rows(world.users.supervisor) == {
        world.units.housing.name: 1,
        world.units.health.name: 0,
    }
    assert unit_rows(world.users.health_officer) == {world.units.health.name: 0}
    client.force_login(world.users.other_staff)
    assert client.get(url).status_code == 404
