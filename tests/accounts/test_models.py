import pytest
from django.core.exceptions import ValidationError

from accounts.models import OrgUnit, User
from accounts.roles import Role

from .conftest import assert_refused_by_database_and_validation


@pytest.mark.parametrize("role", Role.values)
def test_a_user_with_a_role_must_belong_to_an_org_unit(db, role):
    homeless = User(username="homeless", role=role, org_unit=None)

    assert_refused_by_database_and_validation(
        homeless, "A user with a role must belong to an organisation unit."
    )
    assert not User.objects.filter(username="homeless").exists()


def test_a_user_without_a_role_needs_no_org_unit(db):
    root = User(username="root", is_superuser=True, role="", org_unit=None)

    root.validate_constraints()
    root.save()

    assert User.objects.get(username="root").org_unit is None


def test_a_case_unit_officer_must_belong_to_a_unit_not_a_commission(world):
    officer = User(username="misplaced", role=Role.UNIT_OFFICER, org_unit=world.units.city)

    with pytest.raises(ValidationError) as refusal:
        officer.full_clean()

    assert refusal.value.message_dict["org_unit"] == ["A case-unit officer must belong to a unit."]


def test_only_commissions_and_groups_carry_a_document_abbreviation(world):
    housing = world.units.housing
    housing.doc_abbr = "长住"

    with pytest.raises(ValidationError) as refusal:
        housing.clean()

    assert refusal.value.message_dict["doc_abbr"] == [
        "Only a commission or dispatched group issues documents."
    ]
    world.units.group.clean()  # 长纪卫 on a dispatched group is fine


def test_a_dispatched_groups_jurisdiction_covers_the_units_it_is_posted_to(world):
    units, users = world.units, world.users

    assert users.group_staff.jurisdiction_paths == [units.group.path, units.health.path]
    assert users.city_staff.jurisdiction_paths == [units.city.path]
    assert OrgUnit.objects.get(pk=units.station.pk).path.startswith(units.housing.path)
