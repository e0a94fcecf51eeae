import datetime
from decimal import Decimal

import pytest

from cases.models import Case
from tests import factories
from tests.accounts.conftest import assert_refused_by_database_and_validation

OPENED = datetime.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"closed_on": OPENED - datetime.timedelta(days=1)},
            "A case cannot be closed before it was opened.",
        ),
        (
            {"status": Case.Status.CLOSED, "closed_on": None},
            "A closed case needs its closing date.",
        ),
    ],
    ids=["closed_before_opened", "closed_without_date"],
)
def test_the_database_refuses_an_impossible_case(housing_case, fields, message):
    for name, value in fields.items():
        setattr(housing_case, name, value)

    assert_refused_by_database_and_validation(housing_case, message)

    housing_case.refresh_from_db()
    assert housing_case.status == Case.Status.OPENED
    assert housing_case.amount == 0
    assert housing_case.closed_on is None


def test_a_case_closed_on_the_day_it_opened_with_its_amount_is_fine(world):
    the_case = factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
        amount=Decimal("1250000.00"),
        status=Case.Status.CLOSED,
        opened_on=OPENED,
        closed_on=OPENED,
    )

    the_case.validate_constraints()
    assert Case.objects.get(pk=the_case.pk).closed_on == OPENED
