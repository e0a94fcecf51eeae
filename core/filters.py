"""The one rule of every list's id filters, for the pages and the API alike.

An id filter takes a whole number a database key can hold (1 to 2⁶³−1, stated in the API schema;
anything else is a 400 on the field). An id that names no record the user may see — another
jurisdiction's, or none at all — selects no rows: the list answers empty, as it would if it filtered
on the row's own column, and never tells whether a record outside the user's jurisdiction exists.
The API's generated filter sets (``filterset_fields``) filter their relations by the same rule.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_filters.filters import FilterMethod
from django_filters.filterset import remote_queryset
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from core.forms import YesNoFilter

MAX_ID = 2**63 - 1
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class NoRecord:
    """The cleaned value of an id that names no record the user may choose (kept as ``pk``)."""

    def __init__(self, pk: int):
        self.pk = pk

    def __str__(self):
        return str(self.pk)


def chosen_record(value):
    """A filter's cleaned value as a record: None for nothing chosen or an id of no record."""
    return None if isinstance(value, NoRecord) else value


class RecordIdField(django_filters.fields.ModelChoiceField):
    """A record of the field's queryset by its id; a well-formed id outside it is a ``NoRecord``."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = forms.IntegerField(min_value=1, max_value=MAX_ID).clean(value)
        try:
            return super().to_python(key)
        except ValidationError:
            return NoRecord(key)


@extend_schema_field(ID_SCHEMA)
class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A record chosen by its id among the filter's queryset (the module's rule)."""

    field_class = RecordIdField

    def filter(self, qs, value):
        if isinstance(value, NoRecord):
            return qs.none()
        return super().filter(qs, value)

    def _set_method(self, value):
        # django-filter replaces ``filter`` by a call of the filter set's ``method``: that call
        # too must select nothing for an id of no record.
        self._method = value
        self.__dict__.pop("filter", None)
        if value is not None:
            self.filter = NothingForNoRecord(self)

    method = property(lambda self: self._method, _set_method)


class NothingForNoRecord(FilterMethod):
    def __call__(self, qs, value):
        return qs.none() if isinstance(value, NoRecord) else super().__call__(qs, value)


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """A record's id reached through a relation the filter set cannot import (a reverse one):
    a row's id that names nothing the user sees matches no row by itself."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)

    def get_max_validator(self):
        return None  # the field's own max_value bounds it


BY_ID = {
    "filter_class": IdChoiceFilter,
    "extra": lambda field: {"queryset": remote_queryset(field)},
}


class FilterSet(django_filters.rest_framework.FilterSet):
    """The base of the API's generated filter sets: a relation is filtered by the id rule, a
    yes/no field by ``YesNoFilter`` (django-filter's reads any other value as "either")."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: BY_ID,
        models.OneToOneField: BY_ID,
        models.BooleanField: {"filter_class": YesNoFilter},
    }


class FilterBackend(DjangoFilterBackend):
    """django-filter with this module's filter sets, and every query parameter of a list given at
    most once: a repeated one is refused (400) rather than read as its last value (django-filter's
    and DRF's way), which would answer a list other than the one the client asked for."""

    filterset_base = FilterSet

    def filter_queryset(self, request, queryset, view):
        repeated = [name for name, values in request.query_params.lists() if len(values) > 1]
        if repeated:
            once = _("Give this parameter once.")
            raise exceptions.ValidationError({name: [once] for name in repeated})
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_blank_values(request.query_params, filterset_class.base_filters)
        return super().filter_queryset(request, queryset, view)


def refuse_blank_values(params, filters: dict) -> None:
    """An API filter given empty is refused (400) unless it takes free text or a blank choice:
    the schema types it a date, a number, a yes or no or a choice, and "" is none of them.
    (A page's form sends its blanks, and its filter sets read them as "any".)"""
    blank = [
        name
        for name, value in params.items()
        if value == "" and name in filters and not _takes_blank(filters[name])
    ]
    if blank:
        refusal = _("Give a value, or leave the parameter out.")
        raise exceptions.ValidationError({name: [refusal] for name in blank})


def _takes_blank(filter_) -> bool:
    if isinstance(filter_, django_filters.CharFilter | django_filters.OrderingFilter):
        return True
    choices = filter_.extra.get("choices")
    return not callable(choices) and any(value == "" for value, _label in choices or ())
