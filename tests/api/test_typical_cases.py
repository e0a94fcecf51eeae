"""Typical cases (典型案例) over the API: the rules, scope, audit and error shape of the pages."""

import datetime

import pytest

from audit.models import AuditEntry
from cases import typical
from cases.models import Case
from core.paging import LIST_QUERY_BUDGET
from tests import factories

pytestmark = pytest.mark.django_db

CLOSED = {"status": Case.Status.CLOSED, "closed_on": datetime.date(2025, 9, 1)}
BODY = {"reasons": ["sector_fit", "warning"], "audience_levels": ["section"], "note": "工程前期"}


@pytest.fixture
def closed_case(world):
    return factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
        **CLOSED,
    )


def mark_url(case):
    return f"/api/v1/cases/{case.pk}/mark-typical/"


def unmark_url(case):
    return f"/api/v1/cases/{case.pk}/unmark-typical/"


def test_staff_mark_and_the_case_reads_its_selection(world, closed_case, api_as):
    answer = api_as("staff").post(mark_url(closed_case), BODY, format="json")
    assert answer.status_code == 200, answer.content
    selection = answer.json()["typical"]
    assert selection["reasons"] == ["sector_fit", "warning"]
    assert selection["audience_levels"] == ["section"]
    assert selection["marked_by"] == world.users.city_staff.pk
    entry = AuditEntry.objects.get(object_type="cases.typicalcase")
    assert entry.user_id == world.users.city_staff.pk
    assert api_as("supervisor").get(f"/api/v1/cases/{closed_case.pk}/").json()["typical"]


def test_the_case_list_filters_typical_cases(world, closed_case, api_as):
    other = factories.case(
        case_unit=world.units.housing,
        commission=world.units.city,
        created_by=world.users.city_staff,
        **CLOSED,
    )
    typical.case_mark_typical(case=closed_case, actor=world.users.city_staff, reasons=["warning"])
    client = api_as("staff")

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/cases/", params).json()["results"]}

    assert ids(typical="true") == {closed_case.pk}
    assert ids(typical="false") == {other.pk}
    assert ids(typical_reason="warning") == {closed_case.pk}
    assert ids(typical_reason="typicality") == set()
    assert client.get(f"/api/v1/cases/{other.pk}/").json()["typical"] is None


def test_withdrawing_takes_the_selection_away(world, closed_case, api_as):
    client = api_as("staff")
    client.post(mark_url(closed_case), BODY, format="json")
    answer = client.post(unmark_url(closed_case), {"reason": "已不具代表性"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["typical"] is None


def test_a_missing_reason_is_a_400_in_the_error_shape(closed_case, api_as):
    answer = api_as("staff").post(mark_url(closed_case), {"reasons": []}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"code", "detail", "errors"} and "reasons" in body["errors"]


def test_an_open_case_is_a_409_with_the_reason_in_chinese(world, housing_case, api_as):
    answer = api_as("staff").post(mark_url(housing_case), BODY, format="json")
    assert answer.status_code == 409
    assert answer.json() == {
        "code": "invalid_state",
        "detail": "只有已结案的案件才能选为典型案例。",
        "errors": {},
    }


def test_withdrawing_a_case_not_chosen_is_a_409(closed_case, api_as):
    answer = api_as("staff").post(unmark_url(closed_case), {"reason": "撤"}, format="json")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "该案件不是典型案例。"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 403),
        ("county_staff", 404),
        ("other_staff", 404),
        ("officer", 403),
        ("system_admin", 403),
        ("audit_admin", 403),
    ],
)
def test_others_are_refused_and_nothing_changes(world, closed_case, api_as, role, status):
    client = api_as(role)
    assert client.post(mark_url(closed_case), BODY, format="json").status_code == status
    assert not Case.objects.typical().exists()
    typical.case_mark_typical(case=closed_case, actor=world.users.city_staff, reasons=["warning"])
    answer = client.post(unmark_url(closed_case), {"reason": "撤"}, format="json")
    assert answer.status_code == status
    assert set(answer.json()) == {"code", "detail", "errors"}
    assert Case.objects.typical().exists()


def test_the_list_costs_the_same_with_typical_cases(
    world, closed_case, api_as, django_assert_max_num_queries
):
    for _number in range(4):
        case = factories.case(
            case_unit=world.units.housing,
            commission=world.units.city,
            created_by=world.users.city_staff,
            **CLOSED,
        )
        typical.case_mark_typical(case=case, actor=world.users.city_staff, reasons=["warning"])
    client = api_as("staff")
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        answer = client.get("/api/v1/cases/", {"typical": "true"})
    assert answer.json()["count"] == 4
