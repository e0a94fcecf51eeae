"""Filter sets of the org tree: a unit with its subtree, and the unit selects of the lists."""

import functools
import html

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, Subquery
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.forms.widgets import ChoiceWidget
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.filters import IdChoiceFilter, NoRecord

from .models import OrgUnit, Sector
from .scoping import subtree_q

# A unit select lists the units down to this many levels under the user's own: a province holds
# ~5,000 units, and a select of all of them is 300 KB and half a second of rendering on every list
# page. A deeper unit is still accepted from the query string (the field's queryset is the whole
# jurisdiction), and shown once chosen.
UNIT_SELECT_DEPTH = 2


class OfferedUnits(ModelChoiceIterator):
    """A unit select's options: ``offered`` rather than the whole queryset the field accepts."""

    def __init__(self, offered, field):
        super().__init__(field)
        self.queryset = offered


class UnitSelect(forms.Select):
    """A select of units written in one pass over their ids and names.

    A unit select offers hundreds of units (about 700 on a province's list filtered by a city:
    two levels, and the chosen city's subtree). Django builds a model instance and a template
    context for each option, which took most of the measure list page's time; the options here
    are read as ``(id, name)`` pairs from the field's queryset (a unit's label is its name).
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = super(ChoiceWidget, self).get_context(name, value, attrs)["widget"]
        chosen = set(self.format_value(value))
        # html.escape() and a join, not format_html() per option: a third of the time. Django's
        # escape() adds a check for lazy strings and a SafeString to each call (700 names: 1.1 ms
        # against 0.24).
        options = "".join(
            f'\n  <option value="{html.escape(str(key))}"'
            f"{' selected' if str(key) in chosen else ''}>{html.escape(str(label))}</option>\n"
            for key, label in self.pairs()
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe(options),  # every value and label is escaped above
        )

    def pairs(self):
        """``(value, label)`` of each option, the empty one first when the field has it."""
        if not isinstance(self.choices, ModelChoiceIterator):
            yield from self.choices
            return
        if self.choices.field.empty_label is not None:
            yield "", self.choices.field.empty_label
        yield from self.choices.queryset.values_list("pk", "name")


def limit_unit_choices(field, top: OrgUnit | None, chosen=None) -> None:
    """Offer ``field`` (a model choice field of units) only the top levels of its queryset, and
    the ``chosen`` unit (an id) with the units under it.

    Set as the field's iterator, so the limit survives the copy each form makes of its fields.
    """
    if top is None:
        return
    shown = Q(depth__lte=top.depth + UNIT_SELECT_DEPTH)
    if chosen and str(chosen).isdigit():
        chosen_path = OrgUnit.objects.filter(pk=chosen).values("path")
        shown |= Q(pk=chosen) | Q(path__startswith=Subquery(chosen_path))
    field.iterator = functools.partial(OfferedUnits, field.queryset.filter(shown).order_by("path"))
    field.widget.choices = field.choices


def units_in_jurisdiction(request):
    """The org units the requesting user may pick (none without a request)."""
    return OrgUnit.objects.restrict(request.user) if request else OrgUnit.objects.none()


class OrgSubtreeFilter(IdChoiceFilter):
    """An org unit chosen by id; keeps the rows of that unit and of every unit under it.

    The rows reach their unit through ``unit_lookup`` (e.g. ``"measure__unit"``); left out, it is
    the filtered queryset's own ``unit_lookup`` (the one ``restrict()`` scopes by). The choices
    default to the units in the user's jurisdiction.
    """

    def __init__(self, *args, unit_lookup: str | None = None, **kwargs):
        kwargs.setdefault("queryset", units_in_jurisdiction)
        kwargs.setdefault("widget", UnitSelect)
        super().__init__(*args, **kwargs)
        self.unit_lookup = unit_lookup

    def lookup_for(self, queryset) -> str:
        if self.unit_lookup is not None:
            return self.unit_lookup
        try:
            return queryset.unit_lookup
        except AttributeError:
            raise ImproperlyConfigured(
                f"{type(self).__name__} {self.field_name!r}: pass unit_lookup=, "
                f"{queryset.model.__name__} querysets have no unit_lookup."
            ) from None

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES or isinstance(value, NoRecord):
            return super().filter(qs, value)
        return qs.filter(subtree_q(self.lookup_for(qs), value.path))

    @property
    def field(self):
        field = super().field
        if not getattr(field, "choices_limited", False):
            request = self.get_request()
            chosen = (self.parent.data or {}).get(self.field_name) if self.parent else None
            limit_unit_choices(
                field, getattr(getattr(request, "user", None), "org_unit", None), chosen
            )
            field.choices_limited = True
        return field


class OrgUnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrgUnit.Kind.choices, label=_("Kind"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"))
    under = OrgSubtreeFilter(label=_("Unit (with its subunits)"))

    class Meta:
        model = OrgUnit
        fields = []


def period_filters(field_name: str, *, lookup: str = "", widget=None):
    """``period_after`` and ``period_before``: the period of 成效统计 (from, to; both included),
    on the date that counts for the filtered model (``field_name``, e.g. ``"opened_on"``).

    Every list the statistics count declares the pair under the same two names, each on its own
    date, so a figure and the list it links to select one period the same way
    (``oversight.statistics`` says which date counts for each figure). ``lookup`` reaches a date
    inside a timestamp (``"date"``: the Beijing date of ``created_at``).
    """
    prefix = f"{lookup}__" if lookup else ""
    common = {"field_name": field_name}
    if widget is not None:
        common["widget"] = widget
    return (
        django_filters.DateFilter(lookup_expr=f"{prefix}gte", label=_("Period from"), **common),
        django_filters.DateFilter(lookup_expr=f"{prefix}lte", label=_("Period to"), **common),
    )
