"""A unit select written in Python (``accounts.filters.UnitSelect``) is Django's select, byte for
byte: the same options, escaped the same way, the chosen one selected."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.filters import UnitSelect
from accounts.models import OrgUnit

CHOICES = [("", "请选择"), (1, "第1市 <纪委> & 监委"), (2, "第2市"), (10, "县")]


@pytest.mark.parametrize("value", [None, "", "1", 2, "10", "99"])
def test_the_unit_select_writes_what_djangos_select_writes(value):
    attrs = {"class": "form-select", "id": "id_unit", "required": False, "disabled": True}

    written = UnitSelect(choices=CHOICES).render("unit", value, attrs)

    assert written == forms.Select(choices=CHOICES).render("unit", value, attrs)
    assert "&lt;纪委&gt; &amp; 监委" in written


@pytest.mark.parametrize("chosen", [None, "city"])
def test_a_select_of_units_reads_ids_and_names_and_writes_the_same(world, chosen):
    """Over a model choice field, the options are read as (id, name) pairs in one query."""
    units = world.units
    units.city.name = "第1市 <纪委> & 监委"
    units.city.save()
    value = getattr(units, chosen).pk if chosen else None
    field = forms.ModelChoiceField(OrgUnit.objects.order_by("path"), widget=UnitSelect)
    django_field = forms.ModelChoiceField(OrgUnit.objects.order_by("path"))
    attrs = {"class": "form-select", "id": "id_unit"}

    with CaptureQueriesContext(connection) as queries:
        written = field.widget.render("unit", value, attrs)

    assert written == django_field.widget.render("unit", value, attrs)
    assert len(queries) == 1
    assert "&lt;纪委&gt; &amp; 监委" in written
    assert written.count("<option") == OrgUnit.objects.count() + 1
