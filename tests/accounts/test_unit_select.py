"""A unit select written in Python (``accounts.filters.UnitSelect``) is Django's select, byte for
byte: the same options, escaped the same way, the chosen one selected."""

import pytest
from django import forms

from accounts.filters import UnitSelect

CHOICES = [("", "请选择"), (1, "第1市 <纪委> & 监委"), (2, "第2市"), (10, "县")]


@pytest.mark.parametrize("value", [None, "", "1", 2, "10", "99"])
def test_the_unit_select_writes_what_djangos_select_writes(value):
    attrs = {"class": "form-select", "id": "id_unit", "required": False, "disabled": True}

    written = UnitSelect(choices=CHOICES).render("unit", value, attrs)

    assert written == forms.Select(choices=CHOICES).render("unit", value, attrs)
    assert "&lt;纪委&gt; &amp; 监委" in written
