"""Each action on an analysis for every role, in and out of the jurisdiction."""

import datetime

import pytest

from audit.models import AuditEntry
from core.domain import InvalidInput, PermissionRefused
from crosscase import analysis as services
from crosscase.models import CrossCaseAnalysis

NOT_STAFF = [
    "supervisor",
    "housing_officer",
    "health_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]


def user(world, name):
    return getattr(world.users, name)


def test_staff_create_by_criteria_for_their_commission(world, cases):
    analysis = services.analysis_create(
        actor=world.users.city_staff, title="  工程类案  ", mode="criteria", sector="construction"
    )
    assert analysis.unit == world.units.city
    assert analysis.title == "工程类案"
    assert analysis.created_by == world.users.city_staff
    assert list(analysis.cases.all()) == []
    entry = AuditEntry.objects.get(object_type="crosscase.crosscaseanalysis", object_id=analysis.pk)
    assert entry.action == AuditEntry.Action.CREATE
    # The title speaks of cases: the log does not copy it.
    assert "工程类案" not in str(entry.changes)


@pytest.mark.parametrize("name", NOT_STAFF)
def test_nobody_else_creates(world, cases, name):
    with pytest.raises(PermissionRefused):
        services.analysis_create(actor=user(world, name), title="类案", mode="criteria")
    assert not CrossCaseAnalysis.objects.exists()


def test_a_unit_outside_the_jurisdiction_is_refused(world, cases):
    with pytest.raises(InvalidInput) as refusal:
        services.analysis_create(
            actor=world.users.county_staff, title="类案", mode="criteria", unit=world.units.city
        )
    assert "unit" in refusal.value.errors
    with pytest.raises(InvalidInput) as refusal:
        services.analysis_create(
            actor=world.users.county_staff,
            title="类案",
            mode="criteria",
            case_unit=world.units.housing,
        )
    assert "case_unit" in refusal.value.errors


def test_hand_picked_cases_must_be_seen_by_the_actor_and_not_none(world, cases):
    staff = world.users.city_staff
    with pytest.raises(InvalidInput) as refusal:
        services.analysis_create(actor=staff, title="类案", mode="hand", cases=[cases.jilin])
    assert "cases" in refusal.value.errors
    with pytest.raises(InvalidInput) as refusal:
        services.analysis_create(actor=staff, title="类案", mode="hand", cases=[])
    assert "case_numbers" in refusal.value.errors


def test_case_numbers_are_found_among_the_cases_seen(world, cases):
    staff = world.users.city_staff
    found = services.cases_by_number(
        staff, services.split_numbers("长纪〔2025〕1号、长纪〔2025〕2号\n长纪〔2025〕1号")
    )
    assert found == [cases.roads, cases.bridge]
    with pytest.raises(InvalidInput) as refusal:
        services.cases_by_number(staff, ["长纪〔2025〕1号", "吉纪〔2025〕1号"])
    assert "吉纪〔2025〕1号" in str(refusal.value)


def test_a_period_that_ends_before_it_begins_and_an_empty_title_are_refused(world, cases):
    with pytest.raises(InvalidInput) as refusal:
        services.analysis_create(
            actor=world.users.city_staff,
            title="类案",
            mode="criteria",
            opened_from=datetime.date(2025, 6, 1),
            opened_to=datetime.date(2025, 1, 1),
        )
    assert "期" in str(refusal.value) or "period" in str(refusal.value)
    with pytest.raises(InvalidInput) as refusal:
        services.analysis_create(actor=world.users.city_staff, title=" ", mode="criteria")
    assert "title" in refusal.value.errors


def test_staff_switch_to_hand_picked_and_back_the_other_side_is_cleared(world, cases, by_criteria):
    staff = world.users.city_staff
    services.analysis_update(
        analysis=by_criteria, actor=staff, mode="hand", cases=[cases.roads, cases.bridge]
    )
    by_criteria.refresh_from_db()
    assert by_criteria.sector == "" and by_criteria.opened_from is None
    assert set(by_criteria.cases.all()) == {cases.roads, cases.bridge}
    services.analysis_update(
        analysis=by_criteria, actor=staff, mode="criteria", sector="healthcare"
    )
    by_criteria.refresh_from_db()
    assert by_criteria.sector == "healthcare"
    assert not by_criteria.cases.exists()


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("city_staff", True),
        ("county_staff", False),
        ("group_staff", False),
        ("other_staff", False),
        *((name, False) for name in NOT_STAFF),
    ],
)
def test_update_findings_and_delete_by_role(world, by_criteria, name, allowed):
    actor = user(world, name)
    assert services.available_actions(actor, by_criteria) == (
        frozenset({"edit", "findings", "delete"}) if allowed else frozenset()
    )
    attempts = [
        lambda: services.analysis_update(analysis=by_criteria, actor=actor, title="新标题"),
        lambda: services.analysis_write_findings(
            analysis=by_criteria, actor=actor, common_patterns="共性"
        ),
        lambda: services.analysis_delete(analysis=by_criteria, actor=actor),
    ]
    for attempt in attempts:
        if allowed:
            attempt()
        else:
            with pytest.raises(PermissionRefused):
                attempt()
    assert CrossCaseAnalysis.objects.filter(pk=by_criteria.pk).exists() is not allowed


def test_findings_are_written_trimmed_and_bounded(world, by_criteria):
    staff = world.users.city_staff
    services.analysis_write_findings(
        analysis=by_criteria,
        actor=staff,
        common_patterns=" 一把手插手招投标 ",
        institutional_gaps="评标专家抽取制度缺失",
        countermeasures="建立专家库随机抽取机制",
    )
    by_criteria.refresh_from_db()
    assert by_criteria.common_patterns == "一把手插手招投标"
    assert by_criteria.countermeasures == "建立专家库随机抽取机制"
    with pytest.raises(InvalidInput) as refusal:
        services.analysis_write_findings(
            analysis=by_criteria, actor=staff, institutional_gaps="漏" * 5001
        )
    assert "institutional_gaps" in refusal.value.errors


def test_readers_see_the_analyses_of_their_jurisdiction_only(
    world, by_criteria, other_staff_analysis
):
    seen = {
        name: set(CrossCaseAnalysis.objects.restrict(user(world, name)))
        for name in ("city_staff", "supervisor", "county_staff", "other_staff", *NOT_STAFF)
    }
    assert seen["city_staff"] == seen["supervisor"] == {by_criteria}
    assert seen["other_staff"] == {other_staff_analysis}
    assert seen["county_staff"] == set()
    for name in NOT_STAFF[1:]:
        assert seen[name] == set(), name
