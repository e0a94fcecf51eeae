"""Cross-inspection (交叉检查): the rotation at launch, reassigning an inspector, who answers in
each mode, what submit creates and for whom, spot checks (监督的再监督) and the per-inspector
figures, who sees what — every refusal with nothing half-saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrgUnit, User
from accounts.roles import Role
from campaigns import progress, services
from campaigns.models import Campaign, CampaignAnswer, CampaignUnit, SpotCheckFinding
from core.domain import InvalidInput, PermissionRefused, TransitionRefused
from notifications.models import Notification
from recommendations import services as recommendation_services
from recommendations.models import Recommendation, RecommendationItem
from reforms.models import Measure
from tests import factories

from .conftest import answers, checklist, draft, due

pytestmark = pytest.mark.django_db
CROSS = Campaign.Mode.CROSS


def cross(world, units=None, **fields):
    """A cross-inspection of the housing bureau, the health commission and the county's education
    bureau (or ``units``), launched by the city's staff."""
    units = units or [world.units.housing, world.units.health, world.units.education]
    campaign = draft(world.users.city_staff, units=units, mode=CROSS, **fields)
    return services.campaign_launch(campaign=campaign, actor=world.users.city_staff)


@pytest.fixture
def edu_officer(world):
    return factories.user(Role.UNIT_OFFICER, world.units.education, "edu_officer")


def officer_of(world, unit, edu_officer):
    return {
        world.units.housing.pk: world.users.housing_officer,
        world.units.health.pk: world.users.health_officer,
        world.units.education.pk: edu_officer,
    }[unit.pk]


# The rotation


def test_launch_rotates_the_inspectors_over_the_units_in_tree_order(world):
    campaign = cross(world)
    rows = list(campaign.units.select_related("unit", "inspector").order_by("unit__path"))
    assert len(rows) == 3
    for index, row in enumerate(rows):
        assert row.inspector == rows[(index + 1) % 3].unit  # unit i by unit i+1
        assert row.inspector != row.unit
    pairs = {(row.unit_id, row.inspector_id) for row in rows}
    assert not any((inspector, unit) in pairs for unit, inspector in pairs)  # none mutual


def test_two_units_inspect_each_other(world):
    campaign = cross(world, units=[world.units.housing, world.units.health])
    rows = {row.unit_id: row.inspector_id for row in campaign.units.all()}
    assert rows == {
        world.units.housing.pk: world.units.health.pk,
        world.units.health.pk: world.units.housing.pk,
    }


def test_a_self_inspection_has_no_inspectors(world):
    campaign = services.campaign_launch(
        campaign=draft(world.users.city_staff, units=[world.units.housing, world.units.health]),
        actor=world.users.city_staff,
    )
    assert campaign.mode == Campaign.Mode.SELF
    assert not campaign.units.filter(inspector__isnull=False).exists()


def test_one_unit_cannot_be_cross_inspected(world):
    campaign = draft(world.users.city_staff, units=[world.units.housing], mode=CROSS)
    with pytest.raises(TransitionRefused) as refusal:
        services.campaign_launch(campaign=campaign, actor=world.users.city_staff)
    assert "至少需要两个单位" in str(refusal.value.message)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.launched_at is None


def test_the_rotation_skips_a_superior_and_refuses_when_it_cannot(world):
    # housing, its station and health: every step pairs the bureau with its own station.
    units = [world.units.housing, world.units.station, world.units.health]
    campaign = draft(world.users.city_staff, units=units, mode=CROSS)
    with pytest.raises(TransitionRefused) as refusal:
        services.campaign_launch(campaign=campaign, actor=world.users.city_staff)
    assert "上下级" in str(refusal.value.message)
    assert not CampaignUnit.objects.filter(campaign=campaign, inspector__isnull=False).exists()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT
    # With two more units (five), the step of two pairs nobody with its superior or its own.
    units += [world.units.education, factories.org_child(world.units.county, "朝阳区财政局")]
    services.campaign_update(
        campaign=campaign,
        actor=world.users.city_staff,
        title=campaign.title,
        answer_due_on=campaign.answer_due_on,
        items=[
            services.ChecklistLine(i.category, i.process_stage, i.text)
            for i in campaign.items.all()
        ],
        units=units,
        mode=CROSS,
    )
    services.campaign_launch(campaign=campaign, actor=world.users.city_staff)
    for row in campaign.units.select_related("unit", "inspector"):
        assert not row.unit.path.startswith(row.inspector.path)
        assert not row.inspector.path.startswith(row.unit.path)


def test_units_the_rotation_cannot_pair_are_paired_by_hand(world):
    # housing, its station and health: no step works, but pairs by hand do.
    staff = world.users.city_staff
    units = [world.units.housing, world.units.station, world.units.health]
    campaign = draft(staff, units=units, mode=CROSS)
    rows = {row.unit: row for row in campaign.units.all()}
    with pytest.raises(TransitionRefused) as refusal:
        services.campaign_launch(campaign=campaign, actor=staff)
    assert "请在草稿中指定检查单位" in str(refusal.value.message)
    for unit in (world.units.housing, world.units.station):
        services.inspector_reassign(
            campaign_unit=rows[unit], actor=staff, inspector=world.units.health
        )
    services.campaign_launch(campaign=campaign, actor=staff)
    pairs = dict(campaign.units.values_list("unit", "inspector"))
    # Health, the one left, is inspected by the unit after it in tree order (step 1).
    order = list(campaign.units.order_by("unit__path").values_list("unit", flat=True))
    after_health = order[(order.index(world.units.health.pk) + 1) % 3]
    assert pairs == {
        world.units.housing.pk: world.units.health.pk,
        world.units.station.pk: world.units.health.pk,
        world.units.health.pk: after_health,
    }


def test_the_mode_is_checked(world):
    with pytest.raises(InvalidInput) as refusal:
        draft(world.users.city_staff, units=[world.units.housing], mode="peer_review")
    assert "mode" in refusal.value.errors
    assert not Campaign.objects.exists()


def test_launch_tells_each_inspector_whom_it_inspects_and_each_unit_by_whom(world, edu_officer):
    campaign = cross(world)
    for row in campaign.units.select_related("unit", "inspector"):
        inspector_officer = officer_of(world, row.inspector, edu_officer)
        told = Notification.objects.filter(
            recipient=inspector_officer, dedupe_key__endswith=f"inspects:{row.pk}"
        ).get()
        assert row.unit.name in told.title
        inspected_officer = officer_of(world, row.unit, edu_officer)
        told = Notification.objects.filter(
            recipient=inspected_officer, dedupe_key__endswith=f"inspected:{row.pk}"
        ).get()
        assert row.inspector.name in told.body


# Who answers


def test_in_a_cross_inspection_the_inspector_answers_not_the_unit(world, edu_officer):
    campaign = cross(world)
    row = campaign.units.select_related("inspector").get(unit=world.units.housing)
    inspected_officer = world.users.housing_officer
    inspector_officer = officer_of(world, row.inspector, edu_officer)
    assert not inspected_officer.has_perm(services.PERMS["answer"], row)
    assert "answer" not in services.available_actions(inspected_officer, row)
    with pytest.raises(PermissionRefused):
        services.answers_save(
            campaign_unit=row, actor=inspected_officer, answers=answers(campaign, "自查")
        )
    assert not CampaignAnswer.objects.filter(campaign_unit=row).exists()
    assert "answer" in services.available_actions(inspector_officer, row)
    services.answers_save(
        campaign_unit=row,
        actor=inspector_officer,
        answers=answers(campaign),
        team="纪检专干+业务骨干",
    )
    row.refresh_from_db()
    assert row.team == "纪检专干+业务骨干" and row.answers.count() == 2


def test_in_a_self_inspection_the_unit_answers_as_before(world):
    campaign = services.campaign_launch(
        campaign=draft(world.users.city_staff, units=[world.units.housing, world.units.health]),
        actor=world.users.city_staff,
    )
    row = campaign.units.get(unit=world.units.housing)
    assert "answer" in services.available_actions(world.users.housing_officer, row)
    assert "answer" not in services.available_actions(world.users.health_officer, row)


def test_submit_makes_the_inspected_units_list_and_tells_its_officers(world, edu_officer):
    campaign = cross(world)
    row = campaign.units.select_related("inspector").get(unit=world.units.housing)
    inspector_officer = officer_of(world, row.inspector, edu_officer)
    services.answers_submit(
        campaign_unit=row,
        actor=inspector_officer,
        answers=answers(campaign, "评标专家由局长指定"),
        team="纪检专干+业务骨干+财会专家：张三、李四",
    )
    row.refresh_from_db()
    assert row.status == CampaignUnit.Status.ANSWERED and row.answered_by == inspector_officer
    rectification = row.rectification
    assert rectification.recipient_unit == world.units.housing
    assert rectification.kind == Recommendation.Kind.SELF_INSPECTION
    assert rectification.title.startswith("交叉检查整改清单")
    assert row.inspector.name in rectification.title
    assert [i.content for i in rectification.items.all()] == ["评标专家由局长指定"]
    told = Notification.objects.get(
        recipient=world.users.housing_officer, dedupe_key=f"campaign_unit:{row.pk}:answered:unit"
    )
    assert row.inspector.name in told.body
    staff_told = Notification.objects.get(
        recipient=world.users.city_staff, dedupe_key=f"campaign_unit:{row.pk}:answered"
    )
    assert (
        staff_told.title == f"交叉检查结果已提交：{row.unit.name}（检查单位：{row.inspector.name}）"
    )
    # The unit plans measures on it; the inspector reads neither the list nor the measures.
    measure = factories.measure(
        recommendation=rectification,
        actor=world.users.housing_officer,
        due_on=rectification.reply_due_on,
    )
    assert (
        Recommendation.objects.restrict(world.users.housing_officer)
        .filter(pk=rectification.pk)
        .exists()
    )
    assert (
        not Recommendation.objects.restrict(inspector_officer).filter(pk=rectification.pk).exists()
    )
    assert not Measure.objects.restrict(inspector_officer).filter(pk=measure.pk).exists()


def test_a_team_too_long_is_refused_and_nothing_is_saved(world, edu_officer):
    campaign = cross(world)
    row = campaign.units.select_related("inspector").get(unit=world.units.housing)
    with pytest.raises(InvalidInput) as refusal:
        services.answers_submit(
            campaign_unit=row,
            actor=officer_of(world, row.inspector, edu_officer),
            answers=answers(campaign, "问题"),
            team="专" * 501,
        )
    assert "team" in refusal.value.errors
    row.refresh_from_db()
    assert row.team == "" and row.status == CampaignUnit.Status.PENDING


# Who sees what


def test_urging_tells_the_inspectors_which_inspections_they_owe(world, edu_officer):
    campaign = cross(world)
    a, b, c = campaign.units.select_related("unit", "inspector").order_by("unit__path")
    # A is inspected by B, B by C, C by A; now C inspects A and B, and B nobody.
    services.inspector_reassign(campaign_unit=a, actor=world.users.city_staff, inspector=c.unit)
    services.campaign_urge(campaign=campaign, actor=world.users.supervisor)
    urged = {n.recipient: n for n in Notification.objects.filter(kind=Notification.Kind.URGING)}
    officer = {row.unit: officer_of(world, row.unit, edu_officer) for row in (a, b, c)}
    assert set(urged) == {officer[c.unit], officer[a.unit]}
    assert urged[officer[c.unit]].title.startswith("催办：交叉检查")
    assert urged[officer[c.unit]].body.startswith(
        f"本单位尚未提交对{a.unit.name}、{b.unit.name}的检查结果"
    )
    assert urged[officer[a.unit]].body.startswith(f"本单位尚未提交对{c.unit.name}的检查结果")


def test_an_inspector_sees_the_rows_it_inspects_and_nothing_else(world, edu_officer):
    campaign = cross(world)
    housing_row = campaign.units.select_related("inspector").get(unit=world.units.housing)
    inspector = officer_of(world, housing_row.inspector, edu_officer)
    services.answers_save(campaign_unit=housing_row, actor=inspector, answers=answers(campaign))
    own_unit = inspector.org_unit
    visible = set(CampaignUnit.objects.restrict(inspector).values_list("pk", flat=True))
    expected = set(campaign.units.filter(unit=own_unit).values_list("pk", flat=True)) | {
        housing_row.pk
    }
    assert visible == expected
    assert Campaign.objects.restrict(inspector).filter(pk=campaign.pk).exists()
    assert set(
        CampaignAnswer.objects.restrict(inspector).values_list("campaign_unit", flat=True)
    ) == {housing_row.pk}
    # The inspected unit's officer sees its row and answers, but may not answer.
    housing_officer = world.users.housing_officer
    assert CampaignUnit.objects.restrict(housing_officer).filter(pk=housing_row.pk).exists()
    assert (
        CampaignAnswer.objects.restrict(housing_officer).filter(campaign_unit=housing_row).count()
        == 2
    )


def test_an_unrelated_officer_sees_nothing_and_a_draft_nobody(world):
    stranger = factories.user(
        Role.UNIT_OFFICER, factories.org_child(world.units.county, "朝阳区财政局"), "stranger"
    )
    stranger = User.objects.get(pk=stranger.pk)
    campaign = draft(
        world.users.city_staff,
        units=[world.units.housing, world.units.health],
        mode=CROSS,
    )
    assert not Campaign.objects.restrict(world.users.housing_officer).filter(pk=campaign.pk)
    services.campaign_launch(campaign=campaign, actor=world.users.city_staff)
    for model in (Campaign, CampaignUnit, CampaignAnswer, SpotCheckFinding):
        assert not model.objects.restrict(stranger).exists(), model


# Reassigning an inspector


def test_staff_reassign_an_inspector_who_is_told(world, edu_officer):
    campaign = cross(world)
    row = campaign.units.select_related("inspector").get(unit=world.units.housing)
    new = next(
        unit for unit in (world.units.health, world.units.education) if unit.pk != row.inspector_id
    )
    assert "reassign" in services.available_actions(world.users.city_staff, row)
    services.inspector_reassign(campaign_unit=row, actor=world.users.city_staff, inspector=new)
    row.refresh_from_db()
    assert row.inspector == new
    told = Notification.objects.get(
        recipient=officer_of(world, new, edu_officer),
        dedupe_key=f"campaign_unit:{row.pk}:inspector:{new.pk}:inspects:{row.pk}",
    )
    assert world.units.housing.name in told.title


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("supervisor", PermissionRefused),
        ("housing_officer", PermissionRefused),
        ("health_officer", PermissionRefused),
        ("county_staff", PermissionRefused),  # the housing bureau is not in its jurisdiction
        ("group_staff", PermissionRefused),
    ],
)
def test_only_staff_in_scope_reassign(world, who, error):
    campaign = cross(world)
    row = campaign.units.get(unit=world.units.housing)
    before = row.inspector_id
    with pytest.raises(error):
        services.inspector_reassign(
            campaign_unit=row, actor=getattr(world.users, who), inspector=world.units.education
        )
    assert CampaignUnit.objects.get(pk=row.pk).inspector_id == before


def test_reassign_guards(world, edu_officer):
    campaign = cross(world)
    staff = world.users.city_staff
    row = campaign.units.select_related("inspector").get(unit=world.units.housing)
    before = row.inspector_id
    for unit, error, field in [
        (world.units.housing, InvalidInput, "inspector"),  # itself
        (world.units.station, InvalidInput, "inspector"),  # below it
        (world.units.city, InvalidInput, "inspector"),  # a commission (and above it)
        (world.units.group, InvalidInput, "inspector"),  # a dispatched group
        (world.units.water, PermissionRefused, None),  # another city's
        (row.inspector, InvalidInput, "inspector"),  # already its inspector
    ]:
        with pytest.raises(error) as refusal:
            services.inspector_reassign(campaign_unit=row, actor=staff, inspector=unit)
        if field:
            assert field in refusal.value.errors
        assert CampaignUnit.objects.get(pk=row.pk).inspector_id == before
    # An answered unit keeps its inspector.
    services.answers_submit(
        campaign_unit=row,
        actor=officer_of(world, row.inspector, edu_officer),
        answers=answers(campaign),
    )
    other = world.units.education if before != world.units.education.pk else world.units.health
    with pytest.raises(TransitionRefused):
        services.inspector_reassign(campaign_unit=row, actor=staff, inspector=other)
    assert "reassign" not in services.available_actions(staff, row)


def test_a_draft_is_paired_by_hand_and_the_rotation_pairs_the_rest(world, edu_officer):
    staff = world.users.city_staff
    units = [world.units.housing, world.units.health, world.units.education]
    campaign = draft(staff, units=units, mode=CROSS)
    rows = {row.unit: row for row in campaign.units.select_related("unit")}
    # By hand: the education bureau inspects the housing bureau. Nobody is told yet.
    services.inspector_reassign(
        campaign_unit=rows[world.units.housing], actor=staff, inspector=world.units.education
    )
    assert "reassign" in services.available_actions(staff, rows[world.units.health])
    assert not Notification.objects.exists()
    # Editing the draft keeps the pair of a unit still chosen.
    services.campaign_update(
        campaign=campaign,
        actor=staff,
        title="交叉检查（修订）",
        answer_due_on=due(),
        items=checklist(),
        units=units,
    )
    services.campaign_launch(campaign=campaign, actor=staff)
    pairs = dict(campaign.units.values_list("unit", "inspector"))
    assert pairs[world.units.housing.pk] == world.units.education.pk
    # The rotation (unit i by unit i+1, in tree order) pairs the two others.
    order = list(campaign.units.order_by("unit__path").values_list("unit", flat=True))
    for index, unit in enumerate(order):
        if unit != world.units.housing.pk:
            assert pairs[unit] == order[(index + 1) % 3]
    told = Notification.objects.get(
        recipient=edu_officer, dedupe_key__endswith=f"inspects:{rows[world.units.housing].pk}"
    )
    assert world.units.housing.name in told.title


def test_a_draft_turned_into_a_self_inspection_loses_its_pairs(world):
    staff = world.users.city_staff
    units = [world.units.housing, world.units.health]
    campaign = draft(staff, units=units, mode=CROSS)
    row = campaign.units.get(unit=world.units.housing)
    services.inspector_reassign(campaign_unit=row, actor=staff, inspector=world.units.education)
    services.campaign_update(
        campaign=campaign,
        actor=staff,
        title="自查",
        answer_due_on=due(),
        items=checklist(),
        units=units,
        mode=Campaign.Mode.SELF,
    )
    assert not campaign.units.exclude(inspector=None).exists()
    with pytest.raises(TransitionRefused):
        services.inspector_reassign(campaign_unit=row, actor=staff, inspector=world.units.education)


def test_a_self_inspection_or_closed_campaign_has_no_reassignment(world):
    staff = world.users.city_staff
    selfish = services.campaign_launch(
        campaign=draft(staff, units=[world.units.housing, world.units.health]), actor=staff
    )
    row = selfish.units.get(unit=world.units.housing)
    with pytest.raises(TransitionRefused):
        services.inspector_reassign(campaign_unit=row, actor=staff, inspector=world.units.education)
    assert "reassign" not in services.available_actions(staff, row)
    campaign = cross(world)
    services.campaign_close(campaign=campaign, actor=staff)
    row = campaign.units.get(unit=world.units.health)
    with pytest.raises(TransitionRefused) as refusal:
        services.inspector_reassign(campaign_unit=row, actor=staff, inspector=world.units.housing)
    assert refusal.value.status_code == 409


# Spot checks


def answered_row(world, edu_officer, *found):
    campaign = cross(world)
    row = campaign.units.select_related("inspector").get(unit=world.units.housing)
    services.answers_submit(
        campaign_unit=row,
        actor=officer_of(world, row.inspector, edu_officer),
        answers=answers(campaign, *found),
    )
    row.refresh_from_db()
    return campaign, row


def test_a_missed_spot_check_adds_an_item_and_is_notified_to_the_inspector(world, edu_officer):
    campaign, row = answered_row(world, edu_officer, "评标专家由局长指定")
    item = campaign.items.order_by("number").last()
    spot = services.spot_check_record(
        campaign_unit=row,
        actor=world.users.city_staff,
        item=item,
        finding="招标文件量身定制",
        missed=True,
    )
    assert [i.content for i in row.rectification.items.order_by("number")] == [
        "评标专家由局长指定",
        "招标文件量身定制",
    ]
    assert spot.rectification_item.number == 2 and spot.item == item
    inspector_officer = officer_of(world, row.inspector, edu_officer)
    assert Notification.objects.filter(
        recipient=inspector_officer, dedupe_key=f"spot_check:{spot.pk}:inspector"
    ).exists()
    assert Notification.objects.filter(
        recipient=world.users.housing_officer, dedupe_key=f"spot_check:{spot.pk}:unit"
    ).exists()
    # The inspector reads the finding it missed (the 通报), never the list the item is on.
    assert SpotCheckFinding.objects.restrict(inspector_officer).filter(pk=spot.pk).exists()
    assert (
        not RecommendationItem.objects.restrict(inspector_officer)
        .filter(pk=spot.rectification_item_id)
        .exists()
    )


def test_a_spot_check_on_a_unit_that_found_nothing_makes_its_list(world, edu_officer):
    _campaign, row = answered_row(world, edu_officer)
    assert row.rectification is None
    spot = services.spot_check_record(
        campaign_unit=row,
        actor=world.users.city_staff,
        finding="合同变更未经集体研究",
        missed=False,
    )
    row.refresh_from_db()
    assert row.rectification.title.startswith("交叉检查整改清单")
    assert [i.content for i in row.rectification.items.all()] == ["合同变更未经集体研究"]
    assert spot.rectification_item.recommendation == row.rectification
    # Not missed: the inspector is not notified and does not read it.
    inspector_officer = officer_of(world, row.inspector, edu_officer)
    assert not Notification.objects.filter(dedupe_key=f"spot_check:{spot.pk}:inspector").exists()
    assert not SpotCheckFinding.objects.restrict(inspector_officer).filter(pk=spot.pk).exists()
    assert (
        SpotCheckFinding.objects.restrict(world.users.housing_officer).filter(pk=spot.pk).exists()
    )


def test_spot_check_refusals_save_nothing(world, edu_officer):
    campaign, row = answered_row(world, edu_officer, "问题一")
    staff = world.users.city_staff
    pending = campaign.units.exclude(pk=row.pk).first()
    items_before = RecommendationItem.objects.count()
    cases = [
        ({"campaign_unit": row, "actor": world.users.housing_officer}, PermissionRefused),
        ({"campaign_unit": row, "actor": world.users.supervisor}, PermissionRefused),
        ({"campaign_unit": row, "actor": world.users.county_staff}, PermissionRefused),
        ({"campaign_unit": pending, "actor": staff}, TransitionRefused),
        ({"campaign_unit": row, "actor": staff, "finding": "  "}, InvalidInput),
        ({"campaign_unit": row, "actor": staff, "finding": "专" * 1001}, InvalidInput),
    ]
    for fields, error in cases:
        with pytest.raises(error):
            services.spot_check_record(**{"finding": "问题", "missed": True, **fields})
    other = draft(staff, units=[world.units.housing])
    with pytest.raises(InvalidInput) as refusal:
        services.spot_check_record(
            campaign_unit=row, actor=staff, finding="问题", missed=True, item=other.items.first()
        )
    assert "item" in refusal.value.errors
    # A list already replied on takes no more items: the whole spot check is refused.
    rectification = row.rectification
    factories.measure(
        recommendation=rectification, actor=world.users.housing_officer, is_standing=True
    )
    recommendation_services.recommendation_start_rectification(
        recommendation=rectification, actor=world.users.housing_officer
    )
    recommendation_services.recommendation_submit_reply(
        recommendation=rectification, actor=world.users.housing_officer, content="整改报告"
    )
    with pytest.raises(TransitionRefused):
        services.spot_check_record(campaign_unit=row, actor=staff, finding="问题", missed=True)
    assert not SpotCheckFinding.objects.exists()
    assert RecommendationItem.objects.count() == items_before
    assert not Notification.objects.filter(dedupe_key__startswith="spot_check:").exists()


def test_a_self_inspection_is_not_spot_checked(world):
    staff = world.users.city_staff
    campaign = services.campaign_launch(
        campaign=draft(staff, units=[world.units.housing]), actor=staff
    )
    row = campaign.units.get()
    services.answers_submit(
        campaign_unit=row, actor=world.users.housing_officer, answers=answers(campaign)
    )
    with pytest.raises(TransitionRefused):
        services.spot_check_record(campaign_unit=row, actor=staff, finding="问题", missed=True)
    assert "spot_check" not in services.available_actions(staff, row)


def test_a_closed_campaign_is_still_spot_checked(world, edu_officer):
    campaign, row = answered_row(world, edu_officer)
    services.campaign_close(campaign=campaign, actor=world.users.city_staff)
    row = CampaignUnit.objects.get(pk=row.pk)
    assert "spot_check" in services.available_actions(world.users.city_staff, row)
    services.spot_check_record(
        campaign_unit=row, actor=world.users.city_staff, finding="问题", missed=True
    )
    assert SpotCheckFinding.objects.filter(campaign_unit=row).count() == 1


# Figures


def test_figures_per_inspector_in_one_query(world, edu_officer):
    campaign = cross(world)
    rows = list(campaign.units.select_related("unit", "inspector"))
    for row in rows:
        found = ["问题一", "问题二"] if row.unit == world.units.housing else []
        services.answers_submit(
            campaign_unit=row,
            actor=officer_of(world, row.inspector, edu_officer),
            answers=answers(campaign, *found),
        )
    housing_row = next(row for row in rows if row.unit == world.units.housing)
    staff = world.users.city_staff
    for missed in (True, True, False):
        services.spot_check_record(
            campaign_unit=CampaignUnit.objects.get(pk=housing_row.pk),
            actor=staff,
            finding="抽查发现",
            missed=missed,
        )
    with CaptureQueriesContext(connection) as queries:
        figures = {row["inspector"]: row for row in progress.per_inspector(campaign)}
    assert len(queries) == 1
    assert set(figures) == {row.inspector_id for row in rows}
    for row in rows:
        line = figures[row.inspector_id]
        assert line["inspected"] == 1
        assert line["inspector__name"] == row.inspector.name
        if row.unit == world.units.housing:
            assert (line["found"], line["spot_checked"], line["missed"]) == (2, 3, 2)
        else:
            assert (line["found"], line["spot_checked"], line["missed"]) == (0, 0, 0)


def test_figures_per_inspector_cost_one_query_whatever_the_units(world):
    parent = OrgUnit.objects.get(pk=world.units.county.pk)
    for index in range(6):
        factories.org_child(parent, f"朝阳区第{index:02d}金融单位", sector="finance")
        parent = OrgUnit.objects.get(pk=world.units.county.pk)
    staff = User.objects.get(pk=world.users.county_staff.pk)
    campaign = services.campaign_launch(
        campaign=draft(staff, sector="finance", mode=CROSS), actor=staff
    )
    with CaptureQueriesContext(connection) as queries:
        lines = list(progress.per_inspector(campaign))
    assert len(queries) == 1 and len(lines) == 6
    assert all(line["inspected"] == 1 and line["missed"] == 0 for line in lines)


def test_editing_a_draft_keeps_its_mode_unless_told(world):
    staff = world.users.city_staff
    campaign = draft(staff, units=[world.units.housing, world.units.health], mode=CROSS)

    def update(**more):
        return services.campaign_update(
            campaign=campaign,
            actor=staff,
            title="改后的标题",
            answer_due_on=campaign.answer_due_on,
            items=[services.ChecklistLine("risk_point", None, "检查")],
            units=[world.units.housing, world.units.health],
            **more,
        )

    assert update().mode == CROSS
    assert Campaign.objects.get(pk=campaign.pk).mode == CROSS
    assert update(mode=Campaign.Mode.SELF).mode == Campaign.Mode.SELF
    with pytest.raises(InvalidInput):
        update(mode="x")
    assert Campaign.objects.get(pk=campaign.pk).mode == Campaign.Mode.SELF
