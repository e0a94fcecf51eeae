"""The forms of the analysis pages: the selection (criteria or case numbers) and the findings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from cases.forms import UnitChoiceField, units_in_jurisdiction
from core.domain import max_length_of
from core.forms import DateInput, ModelForm

from .analysis import CRITERIA_FIELDS, FINDINGS_FIELDS, split_numbers
from .models import CrossCaseAnalysis


class AnalysisForm(ModelForm):
    case_numbers = forms.CharField(
        label=_("Case numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For a selection by hand: the case numbers, separated by spaces, commas or 、."
        ),
        max_length=20_000,
    )

    class Meta:
        model = CrossCaseAnalysis
        fields = ("title", "unit", "mode", *CRITERIA_FIELDS)
        field_classes = {"unit": UnitChoiceField, "case_unit": UnitChoiceField}
        widgets = {
            "mode": forms.RadioSelect,
            "opened_from": DateInput,
            "opened_to": DateInput,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["unit"].queryset = OrgUnit.objects.restrict(user)
        self.fields["case_unit"].queryset = units_in_jurisdiction(user)
        if not self.instance.pk:
            self.initial.setdefault("unit", user.org_unit_id)
            self.initial.setdefault("mode", CrossCaseAnalysis.Mode.CRITERIA)
        elif self.instance.by_hand:
            numbers = self.instance.cases.order_by("number").values_list("number", flat=True)
            self.initial.setdefault("case_numbers", "\n".join(numbers))

    def clean_case_numbers(self):
        return split_numbers(self.cleaned_data.get("case_numbers", ""))


class FindingsForm(ModelForm):
    class Meta:
        model = CrossCaseAnalysis
        fields = FINDINGS_FIELDS
        widgets = {
            name: forms.Textarea(
                attrs={"rows": 6, "maxlength": max_length_of(CrossCaseAnalysis, name)}
            )
            for name in FINDINGS_FIELDS
        }


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
