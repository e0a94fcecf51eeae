"""Pages of long lists that read only their own rows (a deferred join).

``Paginator(queryset)[bottom:top]`` asks the database for whole rows of the filtered, ordered set,
with their joins, and PostgreSQL cannot tell that only the page's rows are needed before it has
sorted them all: on a province's million measures it read and sorted every row the filter kept
(tens of thousands) with every column, by a sequential scan. ``DeferredJoinPaginator`` asks first
for the page's ids alone — ``ORDER BY … LIMIT`` over what an index holds, no row read — and then
for those rows by primary key, in one statement::

    SELECT … FROM measure JOIN … WHERE … AND measure.id IN (
        SELECT id FROM measure JOIN … WHERE … ORDER BY due_on, id LIMIT 25 OFFSET …
    ) ORDER BY due_on, id

The number of queries is the same. The count stays exact (docs/architecture.md, "Lists at
province scale", says why). Every list pages so — the pages through ``core.pages.paginate``, the
API through ``core.api.Pagination`` — except a queryset whose rows are not its records one for
one (``DISTINCT``, grouping, ``values()``, a set operation), which is sliced as usual.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet

# The most queries a list page or endpoint runs, whatever its number of rows: what every request
# pays (the session, the user with their unit, their second factor, their unread notifications),
# then the list's count, its page's ids and rows, and the few lookups its filters and columns need.
# The tests hold the lists to it; the benchmark's smoke run holds them to it at volume.
LIST_QUERY_BUDGET = 10


def page_rows(object_list, bottom: int, top: int):
    """``object_list[bottom:top]``, by the ids of those rows first when it is a queryset of
    records."""
    if not _one_row_a_record(object_list):
        return object_list[bottom:top]
    ids = object_list.values("pk")[bottom:top]
    return object_list.filter(pk__in=ids)


def _one_row_a_record(object_list) -> bool:
    if not isinstance(object_list, QuerySet):
        return False
    query = object_list.query
    return not (query.distinct or query.combinator or query.values_select or query.group_by)


class DeferredJoinPaginator(Paginator):
    """Django's paginator, whose page reads its rows by the ids of the page (``page_rows``)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)
