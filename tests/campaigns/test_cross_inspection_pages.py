"""Cross-inspection (交叉检查) on the pages and over the API: the mode when drafting, the pairs,
reassigning, the answer page of the inspector, spot checks and the figures per inspector; what the
inspector's officer is not shown (the inspected unit's list, its measures)."""

import datetime
from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.roles import Role
from campaigns import services
from campaigns.models import Campaign, CampaignUnit, SpotCheckFinding
from core.domain import shanghai_today
from tests import factories

from .conftest import answers, draft

pytestmark = pytest.mark.django_db
CROSS = Campaign.Mode.CROSS


@pytest.fixture
def edu_officer(world):
    return factories.user(Role.UNIT_OFFICER, world.units.education, "edu_officer")


@pytest.fixture
def campaign(world, edu_officer):
    """Housing, health and education inspect one another (rotation in tree order)."""
    units = [world.units.housing, world.units.health, world.units.education]
    drafted = draft(world.users.city_staff, units=units, mode=CROSS)
    return services.campaign_launch(campaign=drafted, actor=world.users.city_staff)


def officers(world, edu_officer):
    return {
        world.units.housing.pk: world.users.housing_officer,
        world.units.health.pk: world.users.health_officer,
        world.units.education.pk: edu_officer,
    }


def housing_row(campaign):
    return campaign.units.select_related("unit", "inspector").get(unit__name__contains="住房")


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    return client


# Pages


def test_staff_draft_a_cross_inspection_on_the_page(world, client):
    client.force_login(world.users.city_staff)
    form = client.get(reverse("campaigns:create"))
    assert form.status_code == 200 and "交叉检查" in form.content.decode()
    done = client.post(
        reverse("campaigns:create"),
        {
            "title": "住建领域交叉检查",
            "mode": CROSS,
            "units": [world.units.housing.pk, world.units.health.pk],
            "answer_due_on": (shanghai_today() + datetime.timedelta(days=20)).isoformat(),
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-category": "risk_point",
            "items-0-text": "检查评标专家抽取",
        },
    )
    assert done.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.mode == CROSS
    listed = client.get(reverse("campaigns:list")).content.decode()
    assert "交叉检查" in listed


def test_the_staffs_page_shows_the_pairs_the_reassign_form_and_the_figures(world, client, campaign):
    client.force_login(world.users.city_staff)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="mode"' in html and "交叉检查" in html
    rows = page.context["rows"]
    assert len(rows) == 3 and all(row.can_reassign for row in rows)
    assert html.count('data-testid="reassign-form"') == 3
    assert len(page.context["inspectors"]) == 3
    assert page.context["spot_form"] is None  # no unit answered yet


def test_the_campaign_page_costs_the_same_with_spot_checks(world, client, campaign, edu_officer):
    staff = world.users.city_staff
    client.force_login(staff)
    url = reverse("campaigns:detail", args=[campaign.pk])
    row = housing_row(campaign)
    services.answers_submit(
        campaign_unit=row,
        actor=officers(world, edu_officer)[row.inspector_id],
        answers=answers(campaign, "问题"),
    )
    services.spot_check_record(
        campaign_unit=CampaignUnit.objects.get(pk=row.pk), actor=staff, finding="一", missed=True
    )
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for text in ("二", "三", "四"):
        services.spot_check_record(
            campaign_unit=CampaignUnit.objects.get(pk=row.pk),
            actor=staff,
            finding=text,
            missed=True,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(page.context["spot_checks"]) == 4
    figures = {line["inspector"]: line for line in page.context["inspectors"]}
    assert figures[row.inspector_id]["missed"] == 4
    assert len(many) == len(few)


def test_the_inspector_answers_on_the_page_for_the_unit_it_inspects(
    world, client, campaign, edu_officer
):
    row = housing_row(campaign)
    inspector = officers(world, edu_officer)[row.inspector_id]
    client.force_login(inspector)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    visible = {r.pk: r for r in page.context["rows"]}
    assert row.pk in visible and visible[row.pk].can_answer
    answer_page = client.get(reverse("campaigns:answer", args=[row.pk]))
    html = answer_page.content.decode()
    assert answer_page.context["editable"] and 'data-testid="inspecting"' in html
    assert row.unit.name in html and row.inspector.name in html
    first, second = campaign.items.order_by("number")
    done = client.post(
        reverse("campaigns:answer", args=[row.pk]),
        {
            "team": "纪检专干+业务骨干+财会专家：王五",
            f"item-{first.pk}-found": "yes",
            f"item-{first.pk}-finding": "评标专家由局长指定",
            f"item-{second.pk}-found": "no",
            "submit": "1",
        },
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.status == CampaignUnit.Status.ANSWERED and row.team.endswith("王五")
    # The inspector reads the answers but not the list they made, nor its measures.
    after = client.get(reverse("campaigns:answer", args=[row.pk]))
    assert not after.context["editable"]
    list_url = reverse("recommendations:detail", args=[row.rectification_id])
    assert list_url not in after.content.decode()
    detail = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert list_url not in detail.content.decode()
    assert client.get(list_url).status_code == 404
    # The sheet names who inspected whom and the team, still without the list's number.
    sheet = client.get(reverse("documents:campaign_xlsx", args=[campaign.pk]))
    assert sheet.status_code == 200 and quote("交叉检查进度") in sheet["Content-Disposition"]
    workbook = load_workbook(BytesIO(b"".join(sheet.streaming_content)))
    (heading, *lines) = workbook.active.iter_rows(min_row=2, max_row=3, values_only=True)
    assert workbook.active.title == "交叉检查"
    assert heading[:4] == ("序号", "单位", "检查单位", "检查组")
    (line,) = lines
    assert line[1:4] == (row.unit.name, row.inspector.name, row.team)
    assert line[-1] is None  # an empty cell: the inspected unit's list stays its own
    # The inspected unit's officer reads its own row read-only, and its list.
    client.force_login(world.users.housing_officer)
    own = client.get(reverse("campaigns:answer", args=[row.pk]))
    assert own.status_code == 200 and not own.context["editable"]
    assert list_url in own.content.decode() and "王五" in own.content.decode()
    assert client.get(list_url).status_code == 200


def test_the_inspected_unit_cannot_answer_for_itself(world, client, campaign):
    row = housing_row(campaign)
    client.force_login(world.users.housing_officer)
    page = client.get(reverse("campaigns:answer", args=[row.pk]))
    assert page.status_code == 200 and not page.context["editable"]
    item = campaign.items.first()
    refused = client.post(
        reverse("campaigns:answer", args=[row.pk]),
        {f"item-{item.pk}-found": "no", "save": "1"},
    )
    assert refused.status_code == 403
    assert not row.answers.exists()


def test_staff_reassign_on_the_page(world, client, campaign):
    row = housing_row(campaign)
    new = world.units.education if row.inspector != world.units.education else world.units.health
    client.force_login(world.users.city_staff)
    url = reverse("campaigns:reassign", args=[row.pk])
    refused = client.post(url, {"inspector": world.units.station.pk})
    assert refused.status_code == 400 and "下属单位" in refused.content.decode()
    assert CampaignUnit.objects.get(pk=row.pk).inspector == row.inspector
    assert client.post(url, {"inspector": new.pk}).status_code == 302
    assert CampaignUnit.objects.get(pk=row.pk).inspector == new
    client.force_login(world.users.housing_officer)
    assert client.post(url, {"inspector": row.inspector_id}).status_code == 403


def test_staff_pair_a_drafts_units_by_hand_on_its_page(world, client):
    units = [world.units.housing, world.units.health, world.units.education]
    campaign = draft(world.users.city_staff, units=units, mode=CROSS)
    row = campaign.units.get(unit=world.units.housing)
    client.force_login(world.users.city_staff)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    html = page.content.decode()
    assert 'data-testid="pairing-note"' in html and "指定检查单位" in html
    assert [r.pk for r in page.context["reassignable"]] == list(
        campaign.units.order_by("unit__path").values_list("pk", flat=True)
    )
    url = reverse("campaigns:reassign", args=[row.pk])
    blank = client.post(url, {"inspector": ""})
    assert blank.status_code == 400 and CampaignUnit.objects.get(pk=row.pk).inspector is None
    paired = client.post(url, {"inspector": world.units.education.pk}, follow=True)
    assert "发起时轮流分组" in paired.content.decode()
    assert CampaignUnit.objects.get(pk=row.pk).inspector == world.units.education


def test_staff_spot_check_on_the_page(world, client, campaign, edu_officer):
    row = housing_row(campaign)
    services.answers_submit(
        campaign_unit=row,
        actor=officers(world, edu_officer)[row.inspector_id],
        answers=answers(campaign),
    )
    client.force_login(world.users.city_staff)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    form = page.context["spot_form"]
    assert list(form.fields["campaign_unit"].queryset) == [CampaignUnit.objects.get(pk=row.pk)]
    url = reverse("campaigns:spot_check", args=[campaign.pk])
    empty = client.post(url, {"campaign_unit": row.pk, "finding": ""})
    assert empty.status_code == 400 and not SpotCheckFinding.objects.exists()
    done = client.post(
        url,
        {
            "campaign_unit": row.pk,
            "item": campaign.items.first().pk,
            "finding": "招标文件量身定制",
            "missed": "on",
        },
    )
    assert done.status_code == 302
    spot = SpotCheckFinding.objects.get()
    assert spot.missed and spot.rectification_item.content == "招标文件量身定制"
    html = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "招标文件量身定制" in html and 'data-testid="missed"' in html
    client.force_login(world.users.housing_officer)
    refused = client.post(url, {"campaign_unit": row.pk, "finding": "x", "missed": "on"})
    assert refused.status_code == 403 and SpotCheckFinding.objects.count() == 1


def test_the_cross_inspection_page_costs_the_same_for_2_and_8_units(world, client):
    from accounts.models import OrgUnit, User

    def campaign_of(count, prefix):
        parent = OrgUnit.objects.get(pk=world.units.county.pk)
        for index in range(count):
            factories.org_child(parent, f"朝阳区{prefix}{index:02d}单位", sector="finance")
            parent = OrgUnit.objects.get(pk=world.units.county.pk)
        staff = User.objects.get(pk=world.users.county_staff.pk)
        units = OrgUnit.objects.filter(name__startswith=f"朝阳区{prefix}")
        drafted = draft(staff, units=list(units), mode=CROSS)
        return services.campaign_launch(campaign=drafted, actor=staff), staff

    few, staff = campaign_of(2, "甲")
    client.force_login(staff)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("campaigns:detail", args=[few.pk])).status_code == 200
    many, staff = campaign_of(8, "乙")
    client.force_login(staff)
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("campaigns:detail", args=[many.pk]))
    assert len(page.context["rows"]) == 8 and len(page.context["reassignable"]) == 8
    assert len(large) == len(small)


# API


def test_the_cross_inspection_over_the_api(world, edu_officer):
    staff = api(world.users.city_staff)
    created = staff.post(
        "/api/v1/campaigns/",
        {
            "title": "住建领域交叉检查",
            "mode": CROSS,
            "units": [world.units.housing.pk, world.units.health.pk, world.units.education.pk],
            "answer_due_on": (shanghai_today() + datetime.timedelta(days=14)).isoformat(),
            "items": [{"category": "risk_point", "text": "检查评标专家抽取"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["mode"] == CROSS
    pk = created.json()["id"]
    assert staff.post(f"/api/v1/campaigns/{pk}/launch/").status_code == 200
    campaign = Campaign.objects.get(pk=pk)
    row = housing_row(campaign)
    listed = staff.get("/api/v1/campaign-units/", {"campaign": pk}).json()["results"]
    assert {r["id"]: r["inspector"] for r in listed}[row.pk] == row.inspector_id
    # Reassign: refused for a unit below it (422), done for a peer.
    other = world.units.education if row.inspector != world.units.education else world.units.health
    bad = staff.post(
        f"/api/v1/campaign-units/{row.pk}/reassign/",
        {"inspector": world.units.station.pk},
        format="json",
    )
    assert bad.status_code == 422, bad.content
    done = staff.post(
        f"/api/v1/campaign-units/{row.pk}/reassign/", {"inspector": other.pk}, format="json"
    )
    assert done.status_code == 200 and done.json()["inspector"] == other.pk
    # The inspected unit's officer may not answer; the inspector's officer submits with the team.
    (item,) = campaign.items.all()
    line = {"answers": [{"item": item.pk, "found": True, "finding": "专家由局长指定"}]}
    inspected = api(world.users.housing_officer)
    refused = inspected.post(f"/api/v1/campaign-units/{row.pk}/submit/", line, format="json")
    assert refused.status_code == 403
    inspector = api(officers(world, edu_officer)[other.pk])
    submitted = inspector.post(
        f"/api/v1/campaign-units/{row.pk}/submit/",
        line | {"team": "纪检专干+业务骨干"},
        format="json",
    )
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["team"] == "纪检专干+业务骨干" and body["status"] == "answered"
    # The inspector is not shown the list nor its measures; the unit is.
    assert body["rectification"] is None and body["open_count"] is None
    assert body["answers"][0]["rectification_item"] is None
    own = inspected.get(f"/api/v1/campaign-units/{row.pk}/").json()
    assert own["rectification"] is not None and own["open_count"] == 0
    # Spot checks: staff record one; officers may not; the inspector reads the one it missed.
    spot = {"campaign_unit": row.pk, "finding": "合同变更未经集体研究", "missed": True}
    assert inspected.post("/api/v1/spot-check-findings/", spot, format="json").status_code == 403
    recorded = staff.post("/api/v1/spot-check-findings/", spot, format="json")
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["missed"] is True and recorded.json()["rectification_item"]
    seen = inspector.get("/api/v1/spot-check-findings/").json()["results"]
    assert [s["id"] for s in seen] == [recorded.json()["id"]]
    pending = campaign.units.exclude(pk=row.pk).first()
    again = staff.post(
        "/api/v1/spot-check-findings/", spot | {"campaign_unit": pending.pk}, format="json"
    )
    assert again.status_code == 409
    stranger = api(factories.user(Role.UNIT_OFFICER, world.units.station, "station_officer"))
    assert stranger.get("/api/v1/spot-check-findings/").json()["results"] == []
    assert stranger.get(f"/api/v1/campaign-units/{row.pk}/").status_code == 404


def test_the_spot_check_list_costs_the_same_for_1_and_5(world, campaign, edu_officer):
    row = housing_row(campaign)
    services.answers_submit(
        campaign_unit=row,
        actor=officers(world, edu_officer)[row.inspector_id],
        answers=answers(campaign, "问题"),
    )
    staff = world.users.city_staff
    client = api(staff)

    def record():
        services.spot_check_record(
            campaign_unit=CampaignUnit.objects.get(pk=row.pk),
            actor=staff,
            finding="抽查",
            missed=True,
        )

    record()
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/spot-check-findings/").json()["results"]) == 1
    for _ in range(4):
        record()
    with CaptureQueriesContext(connection) as five:
        assert len(client.get("/api/v1/spot-check-findings/").json()["results"]) == 5
    assert len(five) == len(one)


def test_the_list_tells_an_officer_each_row_of_theirs(world, client, campaign):
    """The housing bureau is inspected by one unit and inspects another: both rows, its own first,
    in one query however many campaigns the page holds."""
    own = housing_row(campaign)
    inspected = campaign.units.select_related("unit").get(inspector=world.units.housing)
    client.force_login(world.users.housing_officer)
    page = client.get(reverse("campaigns:list"))
    (listed,) = page.context["page_obj"]
    assert [(row.pk, row.own) for row in listed.officer_rows] == [
        (own.pk, True),
        (inspected.pk, False),
    ]
    html = page.content.decode()
    assert f"{own.unit.name}：未填报" in html and f"检查{inspected.unit.name}：未填报" in html
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("campaigns:list"))
    services.campaign_launch(
        campaign=draft(world.users.city_staff, units=[world.units.housing]),
        actor=world.users.city_staff,
    )
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(reverse("campaigns:list")).context["page_obj"]) == 2
    assert len(two) == len(one)
