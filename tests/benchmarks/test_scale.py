"""The benchmark's data generator writes rows by hand (COPY on PostgreSQL): it must keep up with
the schema, or `make bench` breaks where no other test looks."""

from accounts.models import OrgUnit, User
from benchmarks.scale import Generator
from cases.models import Case
from recommendations.models import Recommendation
from reforms.models import Measure, ProgressReport
from reforms.services import standing_placeholder


def test_the_generator_fills_the_current_schema_and_the_app_carries_on_after_it(db):
    counts = Generator(500, seed=7).generate()

    assert counts["measures"] == Measure.objects.count() >= 500
    assert counts["org units"] == OrgUnit.objects.count()
    assert counts["users"] == User.objects.count()
    assert counts["cases"] == Case.objects.count()
    assert counts["recommendations"] == Recommendation.objects.count()
    assert counts["progress reports"] == ProgressReport.objects.count() > 0
    assert Measure.objects.overdue().exists()
    assert not User.objects.filter(must_change_password=True).exists()
    standing = Measure.objects.filter(is_standing=True).select_related("item__recommendation")
    assert standing and all(
        measure.original_due_on
        == measure.due_on
        == standing_placeholder(measure.item.recommendation)
        for measure in standing
    )
    # Sequences were moved past the written ids: the next row the app writes gets a fresh one.
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT).first()
    added = User.objects.create_user("after-scale", role="unit_officer", org_unit=unit)
    assert added.pk > max(User.objects.exclude(pk=added.pk).values_list("pk", flat=True))
