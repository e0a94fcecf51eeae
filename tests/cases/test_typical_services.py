"""Typical cases (典型案例): marking and withdrawing, for every role in and out of scope."""

import datetime

import pytest

from audit.models import AuditEntry
from cases import typical
from cases.models import Case, TypicalCase
from core.domain import InvalidInput, PermissionRefused, TransitionRefused
from tests import factories

CLOSED = {"status": Case.Status.CLOSED, "closed_on": datetime.date(2025, 9, 1)}
# Who may mark a case of the housing bureau (handled by the city commission): city staff only.
MAY_MARK = {"city_staff"}
ROLES = [
    "city_staff",
    "county_staff",
    "group_staff",
    "other_staff",
    "supervisor",
    "county_supervisor",
    "housing_officer",
    "health_officer",
    "system_admin",
    "security_admin",
    "audit_admin",
]


@pytest.fixture
def closed_case(world):
    return factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
        **CLOSED,
    )


def mark(case, actor, **fields):
    return typical.case_mark_typical(
        case=case, actor=actor, **{"reasons": ["warning", "sector_fit"]} | fields
    )


@pytest.mark.parametrize("role", ROLES)
def test_mark_allowed_to_staff_in_scope_only(world, closed_case, role):
    actor = getattr(world.users, role)
    if role in MAY_MARK:
        selection = mark(closed_case, actor, audience_sectors=["construction"])
        assert selection.in_force and selection.marked_by == actor
        assert list(Case.objects.typical()) == [closed_case]
    else:
        with pytest.raises(PermissionRefused):
            mark(closed_case, actor)
        assert not TypicalCase.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_unmark_allowed_to_staff_in_scope_only(world, closed_case, role):
    mark(closed_case, world.users.city_staff)
    actor = getattr(world.users, role)
    if role in MAY_MARK:
        selection = typical.case_unmark_typical(case=closed_case, actor=actor, reason="已过时")
        assert not selection.in_force and selection.withdrawn_by == actor
        assert not Case.objects.typical().exists()
    else:
        with pytest.raises(PermissionRefused):
            typical.case_unmark_typical(case=closed_case, actor=actor, reason="已过时")
        assert Case.objects.typical().exists()


def test_county_staff_mark_a_case_of_their_county(world):
    case = factories.case(
        case_unit=world.units.education,
        commission=world.units.county,
        created_by=world.users.county_staff,
        sector="education",
        **CLOSED,
    )
    assert mark(case, world.users.county_staff).in_force
    assert typical.available_actions(world.users.county_staff, case) == {"unmark"}
    assert typical.available_actions(world.users.other_staff, case) == frozenset()


@pytest.mark.parametrize("status", [Case.Status.OPENED, Case.Status.INVESTIGATING])
def test_only_a_closed_case_is_marked(world, housing_case, status):
    housing_case.status = status
    housing_case.save()
    with pytest.raises(TransitionRefused) as refusal:
        mark(housing_case, world.users.city_staff)
    assert refusal.value.code == "invalid_state"
    assert typical.available_actions(world.users.city_staff, housing_case) == frozenset()


def test_a_reason_is_required_and_codes_are_checked(world, closed_case):
    staff = world.users.city_staff
    with pytest.raises(InvalidInput) as refusal:
        mark(closed_case, staff, reasons=[])
    assert "reasons" in refusal.value.errors
    with pytest.raises(InvalidInput) as refusal:
        mark(closed_case, staff, audience_sectors=["mars"])
    assert "audience_sectors" in refusal.value.errors
    with pytest.raises(InvalidInput) as refusal:
        mark(closed_case, staff, audience_levels=["emperor"])
    assert "audience_levels" in refusal.value.errors
    assert not TypicalCase.objects.exists()


def test_codes_are_kept_once_in_the_choices_order(world, closed_case):
    selection = mark(
        closed_case,
        world.users.city_staff,
        reasons=["warning", "typicality", "warning"],
        audience_levels=["section", "county"],
    )
    selection.refresh_from_db()
    assert selection.reasons == ["typicality", "warning"]
    assert selection.audience_levels == ["county", "section"]


def test_marking_twice_is_refused_and_withdrawing_twice_too(world, closed_case):
    staff = world.users.city_staff
    mark(closed_case, staff)
    with pytest.raises(TransitionRefused):
        mark(closed_case, staff)
    typical.case_unmark_typical(case=closed_case, actor=staff, reason="不再适用")
    with pytest.raises(TransitionRefused):
        typical.case_unmark_typical(case=closed_case, actor=staff, reason="不再适用")


def test_withdrawing_needs_a_reason(world, closed_case):
    mark(closed_case, world.users.city_staff)
    with pytest.raises(InvalidInput) as refusal:
        typical.case_unmark_typical(case=closed_case, actor=world.users.city_staff, reason=" ")
    assert "reason" in refusal.value.errors


def test_marking_again_puts_the_same_row_back_in_force(world, closed_case):
    staff = world.users.city_staff
    first = mark(closed_case, staff)
    typical.case_unmark_typical(case=closed_case, actor=staff, reason="不再适用")
    again = mark(closed_case, staff, reasons=["typicality"], note="重新选树")
    assert again.pk == first.pk and again.in_force and again.withdrawn_by is None
    assert again.reasons == ["typicality"]
    assert typical.available_actions(staff, Case.objects.get(pk=closed_case.pk)) == {"unmark"}


def test_each_transition_is_audited_without_the_note(world, closed_case):
    """Outside a request the actor is the system; the page and API tests check the user."""
    staff = world.users.city_staff
    mark(closed_case, staff, note="涉及某某的细节")
    typical.case_unmark_typical(case=closed_case, actor=staff, reason="不再适用")
    entries = AuditEntry.objects.filter(object_type="cases.typicalcase").order_by("pk")
    assert [entry.action for entry in entries] == [
        AuditEntry.Action.CREATE,
        AuditEntry.Action.UPDATE,
    ]
    assert "涉及某某" not in str([entry.changes for entry in entries])


def test_a_typical_case_is_not_reopened_until_withdrawn(world, closed_case):
    from cases import services

    staff = world.users.city_staff
    mark(closed_case, staff)
    with pytest.raises(TransitionRefused) as refusal:
        services.case_update(
            case=closed_case, actor=staff, status=Case.Status.INVESTIGATING, closed_on=None
        )
    assert refusal.value.code == "invalid_state"
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.CLOSED
    services.case_update(case=closed_case, actor=staff, title="改了标题")  # other edits pass
    typical.case_unmark_typical(case=closed_case, actor=staff, reason="需重新调查")
    services.case_update(
        case=closed_case, actor=staff, status=Case.Status.INVESTIGATING, closed_on=None
    )
    assert Case.objects.get(pk=closed_case.pk).status == Case.Status.INVESTIGATING
