"""Jurisdiction: the one place that decides which rows a user may see.

A user belongs to one org node; their jurisdiction is that node's subtree (a dispatched group also
covers the subtrees of the units it is posted to). Every model's manager is built on
``ScopedQuerySet`` and declares how it reaches its org unit; views, the API, the admin, exports and
jobs all call ``Model.objects.restrict(user)`` and nothing else.
"""

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q

from .roles import officer_of_a_unit, reads_cases


def jurisdiction_paths(user) -> list[str]:
    """Tree paths (materialised, django-treebeard) of the subtrees the user covers."""
    cached = getattr(user, "_jurisdiction_paths", None)
    if cached is not None:
        return cached
    node = user.org_unit
    paths = [] if node is None else [node.path, *node.posted_to.values_list("path", flat=True)]
    user._jurisdiction_paths = paths
    return paths


def subtree_q(unit_lookup: str, path: str) -> Q:
    """A filter keeping rows whose org unit (reached through ``unit_lookup``) is at or under
    the tree node at ``path``. An empty ``unit_lookup`` filters org units themselves."""
    path_field = f"{unit_lookup}__path" if unit_lookup else "path"
    return Q(**{f"{path_field}__startswith": path})


def jurisdiction_q(user, unit_lookup: str) -> Q:
    """A filter keeping rows whose org unit (reached through ``unit_lookup``) is in jurisdiction.

    An empty ``unit_lookup`` filters org units themselves.
    """
    paths = jurisdiction_paths(user)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (subtree_q(unit_lookup, path) for path in paths))


class ScopedQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a user may see.

    Subclasses set ``unit_lookup`` (the path from the model to its ``OrgUnit``) and, if unit
    officers may see the rows at all, ``officer_visible``: a filter applied on top of their
    jurisdiction (``Q()`` for every row of their unit). A model whose officers reach rows by
    another road too (a cross-inspection's inspector unit) overrides ``officer_rows``. Case
    readers (staff and supervisors) see everything in their jurisdiction; the separated admins
    see no case content.
    """

    unit_lookup: str = ""
    officer_visible: Q | None = None

    def restrict(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self.all()
        if reads_cases(user):
            return self.filter(jurisdiction_q(user, self.unit_lookup))
        if officer_of_a_unit(user) and self.officer_visible is not None:
            return self.filter(self.officer_rows(user))
        return self.none()

    def officer_rows(self, user) -> Q:
        """The rows a unit's officer sees: their units' rows that are ``officer_visible``."""
        return jurisdiction_q(user, self.unit_lookup) & self.officer_visible
