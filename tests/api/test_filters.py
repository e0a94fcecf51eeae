"""Lists filter through the same FilterSets as the pages, and sort."""

import datetime

import pytest
import time_machine

from reforms.models import Measure
from tests import factories

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def measures(world, housing_case):
    """Four housing measures (one in the station below it) and one in the health commission."""
    staff, officer = world.users.city_staff, world.users.housing_officer
    letter = factories.issued_recommendation(staff=staff, the_case=housing_case)
    station_case = factories.case(
        case_unit=world.units.station, commission=world.units.city, created_by=staff
    )
    station_letter = factories.issued_recommendation(staff=staff, the_case=station_case)
    health_case = factories.case(
        case_unit=world.units.health, commission=world.units.city, created_by=staff
    )
    health_letter = factories.issued_recommendation(staff=staff, the_case=health_case)
    station_officer = factories.user("unit_officer", world.units.station)
    health_officer = world.users.health_officer
    return {
        "late": factories.measure(
            recommendation=letter, actor=officer, due_on=datetime.date(2026, 6, 30)
        ),
        "soon": factories.measure(
            recommendation=letter, actor=officer, due_on=datetime.date(2026, 11, 30)
        ),
        "later": factories.measure(
            recommendation=letter, actor=officer, due_on=datetime.date(2027, 3, 31)
        ),
        "station_late": factories.measure(
            recommendation=station_letter,
            actor=station_officer,
            due_on=datetime.date(2026, 9, 30),
        ),
        "health_late": factories.measure(
            recommendation=health_letter, actor=health_officer, due_on=datetime.date(2026, 5, 31)
        ),
    }


def ids(answer):
    assert answer.status_code == 200, answer.content
    return [row["id"] for row in answer.json()["results"]]


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC)):
        yield TODAY


@pytest.mark.usefixtures("today")
class TestMeasureFilters:
    def test_overdue_in_a_unit_subtree_most_late_first(self, world, measures, api_as):
        answer = api_as("staff").get(
            "/api/v1/measures/",
            {"unit": world.units.housing.pk, "overdue": "current", "ordering": "-days_overdue"},
        )
        assert ids(answer) == [measures["late"].pk, measures["station_late"].pk]
        assert answer.json()["results"][0]["signal"] == "red"
        assert (
            answer.json()["results"][0]["days_overdue"] == (TODAY - datetime.date(2026, 6, 30)).days
        )

    def test_due_window_and_signal(self, measures, api_as):
        client = api_as("staff")
        window = {"due_after": "2026-11-01", "due_before": "2026-12-31"}
        assert ids(client.get("/api/v1/measures/", window)) == [measures["soon"].pk]
        assert ids(client.get("/api/v1/measures/", {"signal": "yellow"})) == [measures["soon"].pk]

    def test_a_unit_outside_the_jurisdiction_selects_nothing_not_everything(
        self, world, measures, api_as
    ):
        answer = api_as("housing_officer").get("/api/v1/measures/", {"unit": world.units.health.pk})
        assert answer.status_code == 200
        assert answer.json()["count"] == 0

    def test_the_officer_lists_only_their_units(self, measures, api_as):
        got = set(ids(api_as("officer").get("/api/v1/measures/", {"overdue": "current"})))
        assert got == {measures["late"].pk, measures["station_late"].pk}

    def test_search(self, measures, api_as):
        Measure.objects.filter(pk=measures["later"].pk).update(content="建立评审专家库")
        assert ids(api_as("staff").get("/api/v1/measures/", {"q": "专家库"})) == [
            measures["later"].pk
        ]


def test_recommendations_filter_and_sort(world, housing_case, api_as):
    staff = world.users.city_staff
    first = factories.issued_recommendation(
        staff=staff, the_case=housing_case, issued_on=datetime.date(2026, 1, 5)
    )
    second = factories.issued_recommendation(
        staff=staff, the_case=housing_case, issued_on=datetime.date(2026, 2, 5)
    )
    draft = factories.draft_recommendation(staff=staff, the_case=housing_case)
    client = api_as("staff")
    assert ids(
        client.get("/api/v1/recommendations/", {"ordering": "issued_on", "status": "issued"})
    ) == [
        first.pk,
        second.pk,
    ]
    assert ids(
        client.get("/api/v1/recommendations/", {"ordering": "-issued_on", "status": "issued"})
    ) == [
        second.pk,
        first.pk,
    ]
    assert ids(client.get("/api/v1/recommendations/", {"status": "draft"})) == [draft.pk]
    assert ids(client.get("/api/v1/recommendations/", {"q": "长纪建〔2026〕2号"})) == [second.pk]


def test_cases_filter_by_top_leader_and_refuse_sorting_a_sealed_amount(world, api_as):
    staff = world.users.city_staff
    small = factories.case(
        case_unit=world.units.housing, commission=world.units.city, created_by=staff, amount=10
    )
    big = factories.case(
        case_unit=world.units.education, commission=world.units.city, created_by=staff, amount=99
    )
    big.subjects.create(name="王某", is_top_leader=True)
    client = api_as("staff")
    # Amounts are sealed (core/encryption): the database cannot sort them, the API says so.
    refused = client.get("/api/v1/cases/", {"ordering": "-amount"})
    assert refused.status_code == 400
    assert "ordering" in refused.json()["errors"]
    assert ids(client.get("/api/v1/cases/", {"top_leader": "true"})) == [big.pk]
    assert ids(client.get("/api/v1/cases/", {"unit": world.units.housing.pk})) == [small.pk]


def test_a_page_size_over_the_maximum_is_refused_not_cut(world, api_as):
    for n in range(3):
        world.users.city_staff.notifications.create(title=f"提醒{n}")
    client = api_as("staff")
    answer = client.get("/api/v1/notifications/", {"page_size": 201})
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"page_size": ["每页最多 200 条。"]}
    assert client.get("/api/v1/notifications/", {"page_size": 200}).json()["count"] == 3
    answer = client.get("/api/v1/notifications/", {"page_size": 2, "page": 2})
    assert len(answer.json()["results"]) == 1
    assert client.get("/api/v1/notifications/", {"page": 9}).status_code == 404


@pytest.mark.parametrize("value", [str(2**63), "-1", "1.5", "x"])
def test_a_record_id_no_database_key_can_hold_is_a_400(world, api_as, value):
    for path in ("/api/v1/problems/", "/api/v1/cases/"):
        answer = api_as("staff").get(path, {"recommendation": value})
        assert answer.status_code == 400, (path, value)
        assert "recommendation" in answer.json()["errors"]


# Every list's id filter, with an id of another city's unit (out of the city staff's sight where
# the filter takes a unit) and ids no record holds: an empty list, never a 400 or the lot.
ID_FILTERS = [
    ("/api/v1/cases/", "unit"),
    ("/api/v1/problems/", "case"),
    ("/api/v1/measures/", "unit"),
    ("/api/v1/measures/", "recommendation"),
    ("/api/v1/evidence/", "measure"),
    ("/api/v1/extension-requests/", "recommendation"),
    ("/api/v1/rule-changes/", "recommendation"),
    ("/api/v1/activities/", "recommendation"),
    ("/api/v1/follow-ups/", "recommendation"),
    ("/api/v1/recommendations/", "unit"),
    ("/api/v1/evaluations/", "recommendation"),
    ("/api/v1/org-units/", "under"),
    ("/api/v1/campaigns/", "unit"),
    ("/api/v1/campaign-units/", "campaign"),
    ("/api/v1/spot-check-findings/", "campaign_unit"),
    ("/api/v1/reconciliation-rounds/", "recommendation"),
    ("/api/v1/reconciliation-rows/", "round"),
    ("/api/v1/cases/", "violation_type"),
]


@pytest.mark.parametrize(("path", "name"), ID_FILTERS)
def test_an_id_out_of_sight_selects_nothing(world, housing_case, api_as, path, name):
    factories.issued_recommendation(staff=world.users.city_staff, the_case=housing_case)
    client = api_as("staff")
    assert client.get(path).status_code == 200
    out_of_sight = [world.units.other_city.pk] if name in ("unit", "under") else []
    for value in [*out_of_sight, 10**9, 2**63 - 1]:
        answer = client.get(path, {name: value})
        assert answer.status_code == 200, (path, name, value, answer.json())
        assert answer.json()["count"] == 0, (path, name, value)
    for value in ("0", "x", str(2**63)):
        answer = client.get(path, {name: value})
        assert answer.status_code == 400, (path, name, value)
        assert list(answer.json()["errors"]) == [name]


def test_the_schema_states_the_id_range(api_as):
    schema = api_as("staff").get("/api/v1/schema/", {"format": "json"}).json()
    for path, name in ID_FILTERS:
        parameters = schema["paths"][path]["get"]["parameters"]
        (parameter,) = [each for each in parameters if each["name"] == name]
        assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_statistics_of_a_unit_out_of_sight_are_not_found(world, api_as):
    client = api_as("staff")
    assert client.get("/api/v1/statistics/", {"unit": world.units.housing.pk}).status_code == 200
    answer = client.get("/api/v1/statistics/", {"unit": world.units.other_city.pk})
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    both = client.get("/api/v1/statistics/", {"unit": world.units.water.pk, "period_after": "x"})
    assert both.status_code == 400


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/measures/", "due_before"),
        ("/api/v1/measures/", "status"),
        ("/api/v1/cases/", "unit"),
        ("/api/v1/notifications/", "unread"),
        ("/api/v1/statistics/", "period_before"),
    ],
)
def test_a_typed_filter_given_empty_is_refused(world, api_as, path, name):
    answer = api_as("staff").get(path, {name: ""})
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == [name]


def test_free_text_may_be_empty(world, api_as):
    assert api_as("staff").get("/api/v1/cases/", {"q": ""}).status_code == 200
