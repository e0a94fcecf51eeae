"""Negative-list services (负面清单): every write and transition for each role in and out of
scope, the one published list per unit and tier, and who is told."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from cases.models import Case, ProcessStage
from core.domain import (
    InvalidInput,
    PermissionRefused,
    TransitionRefused,
    max_value_of,
    shanghai_today,
)
from negativelists import services
from negativelists.models import NegativeList, NegativeListCheck, NegativeListEntry
from notifications.models import Notification
from tests import factories

from .conftest import draft, published

pytestmark = pytest.mark.django_db
Status = NegativeList.Status
Tier = NegativeList.Tier
NOT_WRITERS = ["supervisor", "system_admin", "security_admin", "audit_admin"]


def test_the_units_officer_drafts_their_units_list(world):
    negative_list = draft(world.users.housing_officer)
    assert negative_list.status == Status.DRAFT
    assert negative_list.unit == world.units.housing
    assert negative_list.created_by == world.users.housing_officer


def test_staff_draft_a_list_for_a_unit_of_their_jurisdiction(world, housing_case):
    negative_list = draft(
        world.users.city_staff, unit=world.units.housing, source_cases=[housing_case]
    )
    assert negative_list.unit == world.units.housing
    assert list(negative_list.source_cases.all()) == [housing_case]


@pytest.mark.parametrize("name", NOT_WRITERS)
def test_only_officers_and_staff_draft(world, name):
    with pytest.raises(PermissionRefused):
        draft(getattr(world.users, name), unit=world.units.housing)


def test_a_unit_outside_the_scope_is_refused(world):
    with pytest.raises(PermissionRefused):
        draft(world.users.health_officer, unit=world.units.housing)
    with pytest.raises(PermissionRefused):
        draft(world.users.county_staff, unit=world.units.housing)
    with pytest.raises(PermissionRefused):
        draft(world.users.city_staff, unit=world.units.water)
    assert not NegativeList.objects.exists()


def test_a_list_belongs_to_a_unit_not_a_commission(world):
    with pytest.raises(InvalidInput) as refusal:
        draft(world.users.city_staff)  # their own node is the commission
    assert "unit" in refusal.value.errors


def test_the_title_and_tier_are_required(world):
    with pytest.raises(InvalidInput) as refusal:
        draft(world.users.housing_officer, title="  ")
    assert "title" in refusal.value.errors
    with pytest.raises(InvalidInput) as refusal:
        draft(world.users.housing_officer, tier="everyone")
    assert "tier" in refusal.value.errors


def test_source_cases_must_be_in_sight_and_a_measure_the_units(world, housing_case):
    other_case = factories.case(
        case_unit=world.units.water,
        commission=world.units.other_city,
        created_by=world.users.other_staff,
    )
    with pytest.raises(PermissionRefused):
        draft(world.users.city_staff, unit=world.units.housing, source_cases=[other_case])
    with pytest.raises(InvalidInput) as refusal:
        draft(world.users.city_staff, unit=world.units.health, source_cases=[housing_case])
    assert "source_cases" in refusal.value.errors
    # An officer reads no case, so cannot name one either.
    with pytest.raises(PermissionRefused):
        draft(world.users.housing_officer, source_cases=[housing_case])
    letter = factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    measure = factories.measure(recommendation=letter, actor=world.users.housing_officer)
    with pytest.raises(InvalidInput) as refusal:
        draft(world.users.city_staff, unit=world.units.health, measure=measure)
    assert "measure" in refusal.value.errors
    assert draft(world.users.housing_officer, measure=measure).measure == measure


def test_entries_are_numbered_edited_and_deleted_while_draft(world):
    officer = world.users.housing_officer
    negative_list = draft(officer, entries=3)
    first, second, third = negative_list.entries.order_by("number")
    stage = ProcessStage.objects.get(name="招投标")
    services.entry_update(
        entry=second,
        actor=officer,
        requirement="严禁违规打招呼",
        kind=NegativeListEntry.Kind.PREVENTIVE,
        process_stage=stage,
    )
    second.refresh_from_db()
    assert (second.requirement, second.kind, second.process_stage) == (
        "严禁违规打招呼",
        "preventive",
        stage,
    )
    services.entry_delete(entry=first, actor=officer)
    assert list(negative_list.entries.values_list("pk", "number")) == [
        (second.pk, 1),
        (third.pk, 2),
    ]


def test_an_entry_needs_its_requirement_and_a_known_kind(world):
    negative_list = draft(world.users.housing_officer)
    with pytest.raises(InvalidInput) as refusal:
        services.entry_add(
            negative_list=negative_list, actor=world.users.housing_officer, requirement=" "
        )
    assert "requirement" in refusal.value.errors
    with pytest.raises(InvalidInput) as refusal:
        services.entry_add(
            negative_list=negative_list,
            actor=world.users.housing_officer,
            requirement="严禁",
            kind="advisory",
        )
    assert "kind" in refusal.value.errors
    with pytest.raises(InvalidInput):
        services.entry_add(
            negative_list=negative_list,
            actor=world.users.housing_officer,
            requirement="严" * 1001,
        )
    assert not negative_list.entries.exists()


def test_publishing_needs_an_entry(world):
    negative_list = draft(world.users.housing_officer)
    with pytest.raises(TransitionRefused):
        services.list_publish(negative_list=negative_list, actor=world.users.housing_officer)
    negative_list.refresh_from_db()
    assert negative_list.status == Status.DRAFT


def test_publishing_tells_the_staff_whose_jurisdiction_covers_the_unit(world):
    negative_list = published(world.users.housing_officer)
    assert negative_list.status == Status.PUBLISHED
    assert negative_list.published_on == shanghai_today()
    told = set(
        Notification.objects.filter(
            dedupe_key=f"negative_list:{negative_list.pk}:published"
        ).values_list("recipient__username", flat=True)
    )
    # The city's staff cover the housing bureau; the county's, the group's and the other city's
    # do not, and supervisors supervise no list's execution.
    assert told == {"city_staff"}


def test_a_health_list_tells_the_group_posted_to_it_too(world):
    factories.user("unit_officer", world.units.health, "health_officer_2")
    negative_list = published(world.users.health_officer)
    told = set(
        Notification.objects.filter(
            dedupe_key=f"negative_list:{negative_list.pk}:published"
        ).values_list("recipient__username", flat=True)
    )
    assert told == {"city_staff", "group_staff"}


def test_a_revised_list_replaces_the_published_one_of_its_tier(world):
    officer = world.users.housing_officer
    old = published(officer)
    other_tier = published(officer, tier=Tier.LEADERSHIP)
    revised = published(officer, title="住建局党员干部负面清单（修订）")
    old.refresh_from_db()
    other_tier.refresh_from_db()
    assert (old.status, old.withdrawn_on) == (Status.WITHDRAWN, shanghai_today())
    assert revised.status == Status.PUBLISHED
    assert other_tier.status == Status.PUBLISHED  # another tier is another list
    assert NegativeList.objects.published().filter(unit=world.units.housing).count() == 2


def test_the_database_holds_one_published_list_per_unit_and_tier(world):
    published(world.users.housing_officer)
    second = draft(world.users.housing_officer, entries=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        NegativeList.objects.filter(pk=second.pk).update(status=Status.PUBLISHED)


def test_a_published_list_is_no_longer_edited(world):
    officer = world.users.housing_officer
    negative_list = published(officer)
    entry = negative_list.entries.first()
    refusals = [
        lambda: services.list_update(
            negative_list=negative_list, actor=officer, tier=Tier.PARTY_MEMBERS, title="改"
        ),
        lambda: services.entry_add(negative_list=negative_list, actor=officer, requirement="严禁"),
        lambda: services.entry_update(
            entry=entry, actor=officer, requirement="改", kind="preventive"
        ),
        lambda: services.entry_delete(entry=entry, actor=officer),
        lambda: services.list_publish(negative_list=negative_list, actor=officer),
        lambda: services.list_delete(negative_list=negative_list, actor=officer),
    ]
    for refused in refusals:
        with pytest.raises(TransitionRefused):
            refused()
    assert negative_list.entries.count() == 2


def test_withdrawing_a_published_list(world):
    negative_list = published(world.users.housing_officer)
    with pytest.raises(PermissionRefused):
        services.list_withdraw(negative_list=negative_list, actor=world.users.supervisor)
    with pytest.raises(PermissionRefused):
        services.list_withdraw(negative_list=negative_list, actor=world.users.county_staff)
    services.list_withdraw(negative_list=negative_list, actor=world.users.city_staff)
    assert negative_list.status == Status.WITHDRAWN
    with pytest.raises(TransitionRefused):
        services.list_withdraw(negative_list=negative_list, actor=world.users.city_staff)
    with pytest.raises(TransitionRefused):
        services.list_withdraw(
            negative_list=draft(world.users.housing_officer), actor=world.users.city_staff
        )


def test_a_draft_is_deleted_with_its_entries_by_its_writers_only(world, housing_case):
    staff = world.users.city_staff
    negative_list = draft(staff, unit=world.units.housing, entries=2, source_cases=[housing_case])
    for name in ("health_officer", "county_staff", "supervisor"):
        with pytest.raises(PermissionRefused):
            services.list_delete(negative_list=negative_list, actor=getattr(world.users, name))
    services.list_delete(negative_list=negative_list, actor=world.users.housing_officer)
    assert not NegativeList.objects.exists() and not NegativeListEntry.objects.exists()
    # The source cases stay; only the list's links to them go.
    assert Case.objects.filter(pk=housing_case.pk).exists()


def test_others_out_of_scope_may_not_touch_a_draft(world):
    negative_list = draft(world.users.housing_officer, entries=1)
    for name in ("health_officer", "county_staff", "group_staff", "supervisor"):
        user = getattr(world.users, name)
        with pytest.raises(PermissionRefused):
            services.entry_add(negative_list=negative_list, actor=user, requirement="严禁")
        with pytest.raises(PermissionRefused):
            services.list_publish(negative_list=negative_list, actor=user)
    # The city's staff, whose jurisdiction covers the unit, may.
    services.list_publish(negative_list=negative_list, actor=world.users.city_staff)


def test_staff_record_a_check_and_breaches_tell_the_units_officers(world):
    negative_list = published(world.users.housing_officer)
    today = shanghai_today()
    clean = services.check_record(
        negative_list=negative_list,
        actor=world.users.city_staff,
        checked_on=today,
        finding="执行良好",
    )
    assert clean.breaches == 0
    assert not Notification.objects.filter(dedupe_key__startswith="negative_list_check:").exists()
    breached = services.check_record(
        negative_list=negative_list,
        actor=world.users.city_staff,
        checked_on=today,
        finding="发现2起违规插手工程项目问题",
        breaches=2,
    )
    told = Notification.objects.get(dedupe_key=f"negative_list_check:{breached.pk}:breaches")
    assert told.recipient == world.users.housing_officer
    assert "2" in told.body
    assert list(negative_list.checks.all()) == [breached, clean]


def test_breaches_of_a_subunits_list_tell_its_officers_and_those_above(world):
    station_officer = factories.user("unit_officer", world.units.station, "station_officer")
    negative_list = published(station_officer)
    check = services.check_record(
        negative_list=negative_list,
        actor=world.users.city_staff,
        checked_on=shanghai_today(),
        finding="发现违规1起",
        breaches=1,
    )
    told = Notification.objects.filter(dedupe_key=f"negative_list_check:{check.pk}:breaches")
    assert set(told.values_list("recipient__username", flat=True)) == {
        "station_officer",
        "housing_officer",
    }


def test_a_check_is_staffs_on_a_published_list_dated_sensibly(world):
    negative_list = published(world.users.housing_officer)
    today = shanghai_today()
    for name in ("housing_officer", "supervisor", "county_staff"):
        with pytest.raises(PermissionRefused):
            services.check_record(
                negative_list=negative_list,
                actor=getattr(world.users, name),
                checked_on=today,
                finding="检查",
            )
    staff = world.users.city_staff
    with pytest.raises(InvalidInput) as refusal:
        services.check_record(
            negative_list=negative_list,
            actor=staff,
            checked_on=today + datetime.timedelta(days=1),
            finding="检查",
        )
    assert "checked_on" in refusal.value.errors
    with pytest.raises(InvalidInput):
        services.check_record(
            negative_list=negative_list,
            actor=staff,
            checked_on=today - datetime.timedelta(days=1),
            finding="检查",
        )
    with pytest.raises(InvalidInput) as refusal:
        services.check_record(
            negative_list=negative_list, actor=staff, checked_on=today, finding="检查", breaches=-1
        )
    assert "breaches" in refusal.value.errors
    # More than the column holds on any database: refused in words, not a database error.
    too_many = max_value_of(NegativeListCheck, "breaches") + 1
    with pytest.raises(InvalidInput) as refusal:
        services.check_record(
            negative_list=negative_list,
            actor=staff,
            checked_on=today,
            finding="检查",
            breaches=too_many,
        )
    assert "breaches" in refusal.value.errors
    with pytest.raises(InvalidInput):
        services.check_record(
            negative_list=negative_list, actor=staff, checked_on=today, finding=""
        )
    with pytest.raises(TransitionRefused):
        services.check_record(
            negative_list=draft(world.users.housing_officer),
            actor=staff,
            checked_on=today,
            finding="检查",
        )
    assert not NegativeListCheck.objects.exists()


def test_available_actions_follow_the_state_and_the_role(world):
    officer, staff = world.users.housing_officer, world.users.city_staff
    negative_list = draft(officer, entries=1)
    assert services.available_actions(officer, negative_list) == {"edit", "delete", "publish"}
    assert services.available_actions(world.users.supervisor, negative_list) == set()
    services.list_publish(negative_list=negative_list, actor=officer)
    assert services.available_actions(officer, negative_list) == {"withdraw"}
    assert services.available_actions(staff, negative_list) == {"withdraw", "check"}
    assert services.available_actions(world.users.county_staff, negative_list) == set()
    services.list_withdraw(negative_list=negative_list, actor=officer)
    assert services.available_actions(staff, negative_list) == set()


def test_scoping_shows_each_role_its_lists_only(world):
    housing = draft(world.users.housing_officer, entries=1)
    health = draft(world.users.health_officer, entries=1)

    def seen(name, model=NegativeList):
        return set(model.objects.restrict(getattr(world.users, name)).values_list("pk", flat=True))

    assert seen("housing_officer") == {housing.pk}  # drafts included
    assert seen("health_officer") == {health.pk}
    assert seen("city_staff") == seen("supervisor") == {housing.pk, health.pk}
    assert seen("group_staff") == {health.pk}
    assert seen("county_staff") == seen("other_staff") == seen("system_admin") == set()
    entry_lists = set(
        NegativeListEntry.objects.restrict(world.users.health_officer).values_list(
            "negative_list", flat=True
        )
    )
    assert entry_lists == {health.pk}
