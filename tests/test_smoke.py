from reforms.models import Measure

from . import factories


def test_a_measure_can_be_planned_under_an_issued_recommendation(world, housing_case):
    staff, officer = world.users.city_staff, world.users.housing_officer
    recommendation = factories.issued_recommendation(staff=staff, the_case=housing_case, items=2)
    measure = factories.measure(recommendation=recommendation, actor=officer)

    assert recommendation.doc_number == "长纪建〔2026〕1号"
    assert measure.unit == world.units.housing
    assert Measure.objects.restrict(officer).get() == measure
