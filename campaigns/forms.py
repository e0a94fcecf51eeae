"""Forms of the campaign pages. They only collect input: the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from cases.models import Problem, ProcessStage
from core.domain import max_length_of
from core.forms import DateInput, Form

from .models import Campaign, CampaignAnswer, CampaignItem


class CampaignForm(Form):
    title = forms.CharField(label=_("Title"), max_length=max_length_of(Campaign, "title"))
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=max_length_of(Campaign, "instructions"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sector = forms.ChoiceField(
        label=_("Every unit of the sector"),
        choices=[("", _("None: the chosen units")), *Sector.choices],
        required=False,
        help_text=_("The sector's units in your jurisdiction, resolved when launched."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Or the chosen units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    answer_due_on = forms.DateField(label=_("Answers due on"), widget=DateInput)
    source_recommendation = forms.IntegerField(required=False, widget=forms.HiddenInput)
    source_analysis = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = OrgUnit.objects.restrict(user).filter(
            kind=OrgUnit.Kind.UNIT
        )


class ChecklistItemForm(Form):
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Problem.Category.choices], required=False
    )
    process_stage = forms.ModelChoiceField(
        label=_("Process stage"), queryset=ProcessStage.objects.all(), required=False
    )
    text = forms.CharField(
        label=_("What to check"),
        required=False,
        max_length=max_length_of(CampaignItem, "text"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ChecklistFormSet = forms.formset_factory(ChecklistItemForm, extra=3, max_num=50)


class AnswerItemForm(Form):
    found = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("", _("Not answered yet")), ("no", _("Not found")), ("yes", _("Found"))],
        required=False,
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(
        label=_("What was found"),
        required=False,
        max_length=max_length_of(CampaignAnswer, "finding"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
