"""Campaign services (举一反三): every transition for each role in and out of scope, what launch
resolves, what submit creates (atomically), who is told, and the urging rule."""

import datetime

import pytest

from accounts.models import OrgUnit, User
from campaigns import services
from campaigns.models import Campaign, CampaignAnswer, CampaignItem, CampaignUnit
from core.domain import (
    DomainError,
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    shanghai_today,
)
from notifications.models import Notification
from recommendations.models import Recommendation
from tests import factories

from .conftest import answers, checklist, draft, due, launched

pytestmark = pytest.mark.django_db
NOT_STAFF = ["supervisor", "housing_officer", "system_admin", "security_admin", "audit_admin"]


def unit_of(campaign, unit):
    return CampaignUnit.objects.get(campaign=campaign, unit=unit)


def test_staff_drafts_a_campaign_with_its_checklist(world):
    campaign = draft(world.users.city_staff)
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.unit == world.units.city
    assert [i.number for i in campaign.items.all()] == [1, 2]
    assert campaign.items.first().process_stage.name == "招投标"


@pytest.mark.parametrize("name", NOT_STAFF)
def test_only_staff_draft(world, name):
    with pytest.raises(PermissionRefused):
        draft(getattr(world.users, name))


def test_chosen_units_outside_jurisdiction_are_refused(world):
    with pytest.raises(PermissionRefused):
        draft(world.users.county_staff, units=[world.units.housing])
    with pytest.raises(PermissionRefused):
        draft(world.users.city_staff, units=[world.units.water])


def test_a_checklist_is_required_and_checked(world):
    with pytest.raises(InvalidInput) as refusal:
        draft(world.users.city_staff, items=[])
    assert "items" in refusal.value.errors
    with pytest.raises(InvalidInput):
        draft(world.users.city_staff, items=[services.ChecklistLine("nonsense", None, "x")])
    with pytest.raises(InvalidInput):
        draft(world.users.city_staff, answer_due_on=shanghai_today() - datetime.timedelta(days=1))
    assert not Campaign.objects.exists()


def test_launch_resolves_the_sector_units_in_jurisdiction_exactly(world):
    # Another construction unit under the county, and one of another city.
    county_site = factories.org_child(world.units.county, "朝阳区建设局", sector="construction")
    factories.org_child(world.units.other_city, "吉林市住建局", sector="construction")
    factories.org_child(
        world.units.city, "市纪委驻点组", kind=OrgUnit.Kind.GROUP, sector="construction"
    )
    # Adding units renumbers the tree's paths (ordered by name): read the accounts again.
    city_staff, county_staff = (
        User.objects.get(pk=u.pk) for u in (world.users.city_staff, world.users.county_staff)
    )
    housing, station = (
        OrgUnit.objects.get(pk=u.pk) for u in (world.units.housing, world.units.station)
    )
    campaign = launched(city_staff)
    targeted = set(campaign.units.values_list("unit_id", flat=True))
    assert targeted == {housing.pk, station.pk, county_site.pk}
    county = launched(county_staff)
    assert set(county.units.values_list("unit_id", flat=True)) == {county_site.pk}


def test_launch_tells_every_target_units_officers(world):
    station_officer = factories.user("unit_officer", world.units.station)
    campaign = launched(world.users.city_staff)
    told = set(
        Notification.objects.filter(dedupe_key=f"campaign:{campaign.pk}:launched").values_list(
            "recipient", flat=True
        )
    )
    assert told == {world.users.housing_officer.pk, station_officer.pk}
    assert campaign.status == Campaign.Status.LAUNCHED and campaign.launched_at


@pytest.mark.parametrize("name", [*NOT_STAFF, "other_staff", "county_staff"])
def test_launch_refused_to_others(world, name):
    campaign = draft(world.users.city_staff)
    with pytest.raises(PermissionRefused):
        services.campaign_launch(campaign=campaign, actor=getattr(world.users, name))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_launch_twice_is_refused(world):
    campaign = launched(world.users.city_staff)
    with pytest.raises(TransitionRefused):
        services.campaign_launch(campaign=campaign, actor=world.users.city_staff)


def test_edit_a_draft_only(world):
    campaign = draft(world.users.city_staff)
    services.campaign_update(
        campaign=campaign,
        actor=world.users.city_staff,
        title="改",
        answer_due_on=due(),
        items=checklist(3),
        units=[world.units.health],
    )
    assert campaign.items.count() == 3
    assert list(campaign.units.values_list("unit_id", flat=True)) == [world.units.health.pk]
    services.campaign_launch(campaign=campaign, actor=world.users.city_staff)
    with pytest.raises(TransitionRefused):
        services.campaign_update(
            campaign=campaign,
            actor=world.users.city_staff,
            title="x",
            answer_due_on=due(),
            items=checklist(),
            units=[world.units.health],
        )


def test_officer_saves_then_submits_and_gets_a_self_inspection_list(world):
    campaign = launched(world.users.city_staff)
    row = unit_of(campaign, world.units.housing)
    officer = world.users.housing_officer
    services.answers_save(
        campaign_unit=row, actor=officer, answers=answers(campaign, "招标文件量身定制")[:1]
    )
    with pytest.raises(TransitionRefused) as refusal:
        services.answers_submit(campaign_unit=row, actor=officer)
    assert "2" in str(refusal.value)
    services.answers_submit(
        campaign_unit=row, actor=officer, answers=answers(campaign, "招标文件量身定制")[1:]
    )
    row.refresh_from_db()
    assert row.status == CampaignUnit.Status.ANSWERED and row.answered_by == officer
    letter = row.rectification
    assert letter.kind == Recommendation.Kind.SELF_INSPECTION
    assert letter.status == Recommendation.Status.ACKNOWLEDGED
    assert letter.issuer == world.units.city and letter.recipient_unit == world.units.housing
    assert letter.doc_number == f"长纪查〔{shanghai_today().year}〕1号"
    assert letter.created_by == world.users.city_staff
    assert [i.content for i in letter.items.all()] == ["招标文件量身定制"]
    answer = CampaignAnswer.objects.get(campaign_unit=row, found=True)
    assert answer.rectification_item == letter.items.get()
    assert answer.item.process_stage.name == "招投标"
    told = Notification.objects.get(dedupe_key=f"campaign_unit:{row.pk}:answered")
    assert told.recipient == world.users.city_staff
    # The officer plans a measure on it like on any letter.
    measure = factories.measure(recommendation=letter, actor=officer, due_on=due())
    assert measure.item.campaign_answer == answer
    with pytest.raises(TransitionRefused):
        services.answers_submit(campaign_unit=row, actor=officer)


def test_nothing_found_makes_no_list(world):
    campaign = launched(world.users.city_staff)
    row = unit_of(campaign, world.units.housing)
    services.answers_submit(
        campaign_unit=row, actor=world.users.housing_officer, answers=answers(campaign)
    )
    row.refresh_from_db()
    assert row.status == CampaignUnit.Status.ANSWERED and row.rectification is None
    assert not Recommendation.objects.filter(kind="self_inspection").exists()


def test_found_needs_its_text_and_nothing_is_half_saved(world):
    campaign = launched(world.users.city_staff)
    row = unit_of(campaign, world.units.housing)
    items = list(campaign.items.all())
    lines = [services.AnswerLine(items[0], False), services.AnswerLine(items[1], True, "  ")]
    with pytest.raises(InvalidInput) as refusal:
        services.answers_submit(campaign_unit=row, actor=world.users.housing_officer, answers=lines)
    assert "finding" in refusal.value.errors
    assert not CampaignAnswer.objects.exists()
    row.refresh_from_db()
    assert row.status == CampaignUnit.Status.PENDING


@pytest.mark.parametrize(
    "name",
    ["health_officer", "city_staff", "supervisor", "system_admin", "audit_admin", "other_staff"],
)
def test_only_the_units_officer_answers(world, name):
    campaign = launched(world.users.city_staff)
    row = unit_of(campaign, world.units.housing)
    with pytest.raises(PermissionRefused):
        services.answers_submit(
            campaign_unit=row, actor=getattr(world.users, name), answers=answers(campaign)
        )
    assert not CampaignAnswer.objects.exists()


def test_officers_see_their_unit_only(world):
    campaign = launched(world.users.city_staff, units=[world.units.housing, world.units.health])
    officer = world.users.housing_officer
    assert list(Campaign.objects.restrict(officer)) == [campaign]
    assert [r.unit for r in CampaignUnit.objects.restrict(officer)] == [world.units.housing]
    assert not Campaign.objects.restrict(world.users.other_staff).exists()
    assert not Campaign.objects.restrict(world.users.system_admin).exists()
    # A draft is not shown to the units.
    draft(world.users.city_staff)
    assert Campaign.objects.restrict(officer).count() == 1


def test_the_checklist_and_answers_follow_their_campaign_and_unit(world):
    campaign = launched(world.users.city_staff, units=[world.units.housing, world.units.health])
    for unit, officer in (
        (world.units.housing, world.users.housing_officer),
        (world.units.health, world.users.health_officer),
    ):
        services.answers_save(
            campaign_unit=unit_of(campaign, unit), actor=officer, answers=answers(campaign)
        )
    items = campaign.items.count()
    housing = world.users.housing_officer

    assert CampaignItem.objects.restrict(housing).count() == items
    assert {a.campaign_unit.unit for a in CampaignAnswer.objects.restrict(housing)} == {
        world.units.housing
    }
    assert CampaignAnswer.objects.restrict(world.users.city_staff).count() == 2 * items
    for outsider in (world.users.other_staff, world.users.system_admin):
        assert not CampaignItem.objects.restrict(outsider).exists()
        assert not CampaignAnswer.objects.restrict(outsider).exists()
    # A draft's checklist stays with the staff.
    drafted = draft(world.users.city_staff)
    assert not CampaignItem.objects.restrict(housing).filter(campaign=drafted).exists()
    assert CampaignItem.objects.restrict(world.users.supervisor).filter(campaign=drafted).exists()


def test_urging_tells_exactly_the_unanswered_units_officers_once_a_day(world):
    station_officer = factories.user("unit_officer", world.units.station)
    campaign = launched(world.users.city_staff)
    services.answers_submit(
        campaign_unit=unit_of(campaign, world.units.housing),
        actor=world.users.housing_officer,
        answers=answers(campaign),
    )
    urged = services.campaign_urge(campaign=campaign, actor=world.users.supervisor)
    assert [r.unit for r in urged] == [world.units.station]
    told = Notification.objects.filter(kind=Notification.Kind.URGING)
    assert list(told.values_list("recipient", flat=True)) == [station_officer.pk]
    row = unit_of(campaign, world.units.station)
    assert (row.urged_count, row.last_urged_on) == (1, shanghai_today())
    with pytest.raises(TransitionRefused):
        services.campaign_urge(campaign=campaign, actor=world.users.city_staff)
    assert unit_of(campaign, world.units.station).urged_count == 1


@pytest.mark.parametrize("name", ["housing_officer", "system_admin", "other_staff", "audit_admin"])
def test_urging_refused_to_others(world, name):
    campaign = launched(world.users.city_staff)
    with pytest.raises(PermissionRefused):
        services.campaign_urge(campaign=campaign, actor=getattr(world.users, name))
    assert not CampaignUnit.objects.filter(urged_count__gt=0).exists()


def test_close(world):
    campaign = launched(world.users.city_staff)
    for name in ["supervisor", "housing_officer", "other_staff", "county_staff"]:
        with pytest.raises(DomainError):
            services.campaign_close(campaign=campaign, actor=getattr(world.users, name))
    services.campaign_close(campaign=campaign, actor=world.users.city_staff)
    assert campaign.status == Campaign.Status.CLOSED
    with pytest.raises(TransitionRefused):
        services.answers_submit(
            campaign_unit=unit_of(campaign, world.units.housing),
            actor=world.users.housing_officer,
            answers=answers(campaign),
        )


def test_only_staff_in_scope_delete_and_only_a_draft(world):
    campaign = draft(world.users.city_staff)
    for name in ("supervisor", "other_staff", "county_staff"):
        with pytest.raises(PermissionRefused):
            services.campaign_delete(campaign=campaign, actor=getattr(world.users, name))
    launched_one = launched(world.users.city_staff)
    with pytest.raises(TransitionRefused):
        services.campaign_delete(campaign=launched_one, actor=world.users.city_staff)
    services.campaign_delete(campaign=campaign, actor=world.users.city_staff)
    assert list(Campaign.objects.all()) == [launched_one]


def test_available_actions(world):
    campaign = draft(world.users.city_staff)
    assert services.available_actions(world.users.city_staff, campaign) == {
        "edit",
        "delete",
        "launch",
    }
    assert services.available_actions(world.users.supervisor, campaign) == set()
    services.campaign_launch(campaign=campaign, actor=world.users.city_staff)
    assert services.available_actions(world.users.city_staff, campaign) == {"urge", "close"}
    assert services.available_actions(world.users.supervisor, campaign) == {"urge"}
    row = unit_of(campaign, world.units.housing)
    assert services.available_actions(world.users.housing_officer, row) == {"answer"}
    assert services.available_actions(world.users.health_officer, row) == set()
