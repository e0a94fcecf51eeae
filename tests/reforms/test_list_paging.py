"""A page read by its ids first (``core.paging``) holds the rows a plain slice would, in order.

On the benchmark's generated data (``benchmarks.scale``), on SQLite as on PostgreSQL: every
ordering of the measure list, filtered and not, and the case and letter lists, page by page, the
last one short; and the selections it leaves to a plain slice.
"""

import pytest
from django.core.paginator import Paginator
from django.db.models import Count

from accounts.models import OrgUnit, User
from accounts.roles import Role
from benchmarks.scale import Generator
from cases.filters import CaseFilter, with_top_leader_flag, with_typical_flag
from cases.models import Case
from core.paging import DeferredJoinPaginator, page_rows
from recommendations.models import Recommendation
from reforms.filters import ORDERING_CHOICES, MeasureFilter
from reforms.models import Measure
from tests.conftest import built_once


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker, tmp_path_factory):
    with built_once(django_db_blocker, tmp_path_factory):
        Generator(300, seed=5).generate()
        yield OrgUnit.objects.filter(depth=1, kind="commission").order_by("pk").last()


@pytest.fixture
def supervisor(province, db):
    return User.objects.filter(role=Role.SUPERVISOR, org_unit=province).first()


class Request:
    def __init__(self, user):
        self.user = user


def pages(paginator_class, queryset, per_page=25):
    paginator = paginator_class(queryset, per_page, orphans=3)
    return paginator.count, [
        [getattr(row, "pk", row) for row in paginator.page(number)]
        for number in paginator.page_range
    ]


@pytest.mark.parametrize("ordering", [value for value, _label in ORDERING_CHOICES])
@pytest.mark.parametrize("overdue", ["", "current"])
def test_every_page_holds_the_rows_of_a_plain_slice(supervisor, province, ordering, overdue):
    measures = Measure.objects.restrict(supervisor).select_related("unit", "item__recommendation")
    data = {"ordering": ordering, "overdue": overdue}
    filtered = MeasureFilter(data, queryset=measures, request=Request(supervisor)).qs

    count, deferred = pages(DeferredJoinPaginator, filtered)

    assert (count, deferred) == pages(Paginator, filtered)
    assert count > 25 and len(deferred) > 1
    assert sum(map(len, deferred)) == count


def test_the_api_list_pages_as_before(client, supervisor):
    client.force_login(supervisor)
    first = client.get("/api/v1/measures/?overdue=current&page_size=7").json()
    second = client.get("/api/v1/measures/?overdue=current&page_size=7&page=2").json()

    expected = list(
        Measure.objects.restrict(supervisor)
        .overdue()
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)[:14]
    )
    assert [row["id"] for row in first["results"] + second["results"]] == expected
    assert first["count"] == Measure.objects.restrict(supervisor).overdue().count()
    assert set(first) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("ordering", ["", "opened_on", "-number"])
def test_the_case_list_pages_as_a_plain_slice(supervisor, ordering):
    cases = with_typical_flag(with_top_leader_flag(Case.objects.restrict(supervisor)))
    filtered = CaseFilter({"ordering": ordering}, queryset=cases, request=Request(supervisor)).qs

    count, deferred = pages(DeferredJoinPaginator, filtered, per_page=3)

    assert (count, deferred) == pages(Paginator, filtered, per_page=3)
    assert len(deferred) > 1


def test_the_letter_list_pages_as_a_plain_slice(supervisor):
    letters = (
        Recommendation.objects.restrict(supervisor).with_item_count().order_by("-created_at", "-pk")
    )

    count, deferred = pages(DeferredJoinPaginator, letters, per_page=3)

    assert (count, deferred) == pages(Paginator, letters, per_page=3)
    assert len(deferred) > 1


def selections_sliced_as_usual():
    return {
        "grouped values": Measure.objects.values("unit").annotate(n=Count("pk")).order_by("unit"),
        "grouped records": Measure.objects.annotate(n=Count("progress_reports")).order_by("pk"),
        "distinct": Measure.objects.filter(progress_reports__isnull=False)
        .distinct()
        .order_by("pk"),
        "union": Measure.objects.filter(is_standing=True)
        .order_by()
        .union(Measure.objects.filter(pk__lt=50).order_by())
        .order_by("pk"),
        "a list": list(range(100)),
    }


@pytest.mark.parametrize("name", list(selections_sliced_as_usual()))
def test_selections_whose_rows_are_not_records_one_for_one_are_sliced(province, db, name):
    selection = selections_sliced_as_usual()[name]
    plain = list(selection[2:5])

    assert list(page_rows(selection, 2, 5)) == plain
    assert len(plain) == 3
