"""Forms of the negative-list pages. They only collect input: the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scoping import subtree_q
from cases.forms import UnitChoiceField, units_in_jurisdiction
from cases.models import Case, ProcessStage
from core.domain import max_length_of, max_value_of
from core.forms import DateInput, Form
from reforms.models import Measure

from .models import NegativeList, NegativeListCheck, NegativeListEntry


class NegativeListForm(Form):
    """A draft's unit (when it is created), tier and title; once it exists, the cases it was drawn
    from (for those who read cases: the unit's cases in their jurisdiction) and the rectification
    measure it fulfils (the unit's measures)."""

    unit = UnitChoiceField(label=_("Case unit"), queryset=None)
    tier = forms.ChoiceField(label=_("Tier"), choices=NegativeList.Tier.choices)
    title = forms.CharField(label=_("Title"), max_length=max_length_of(NegativeList, "title"))
    source_cases = forms.ModelMultipleChoiceField(
        label=_("Source cases"),
        queryset=Case.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("The unit's cases the list was drawn from."),
    )
    measure = forms.ModelChoiceField(
        label=_("Rectification measure"),
        queryset=Measure.objects.none(),
        required=False,
        help_text=_("The rectification measure this list fulfils."),
    )

    def __init__(self, *args, user, negative_list: NegativeList | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if negative_list is None:
            self.fields["unit"].queryset = units_in_jurisdiction(user).order_by("path")
            self.initial.setdefault("unit", user.org_unit_id)
            del self.fields["source_cases"], self.fields["measure"]
            return
        del self.fields["unit"]
        unit = negative_list.unit
        self.fields["measure"].queryset = Measure.objects.restrict(user).filter(unit=unit)
        if user.has_perm("cases.view_case"):
            self.fields["source_cases"].queryset = (
                Case.objects.restrict(user).filter(subtree_q("case_unit", unit.path))
            ).order_by("-opened_on", "-pk")
        else:
            del self.fields["source_cases"]


class EntryForm(Form):
    risk_point = forms.CharField(
        label=pgettext_lazy("negative list", "Power-use risk point"),
        required=False,
        max_length=max_length_of(NegativeListEntry, "risk_point"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    requirement = forms.CharField(
        label=_("Requirement"),
        max_length=max_length_of(NegativeListEntry, "requirement"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=NegativeListEntry.Kind.choices,
        initial=NegativeListEntry.Kind.PROHIBITIVE,
    )
    process_stage = forms.ModelChoiceField(
        label=_("Process stage"), queryset=ProcessStage.objects.all(), required=False
    )


class CheckForm(Form):
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput)
    finding = forms.CharField(
        label=_("Finding"),
        max_length=max_length_of(NegativeListCheck, "finding"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    breaches = forms.IntegerField(
        label=_("Breaches found"),
        min_value=0,
        max_value=max_value_of(NegativeListCheck, "breaches"),
        initial=0,
        help_text=_("How many breaches of the list were found."),
    )
