"""Forms of the campaign pages. They only collect input: the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from cases.models import Problem, ProcessStage
from core.domain import max_length_of
from core.forms import DateInput, Form

from .models import Campaign, CampaignAnswer, CampaignItem, CampaignUnit, SpotCheckFinding


class CampaignForm(Form):
    title = forms.CharField(label=_("Title"), max_length=max_length_of(Campaign, "title"))
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=max_length_of(Campaign, "instructions"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=Campaign.Mode.choices,
        initial=Campaign.Mode.SELF,
        required=False,  # left out: a self-inspection, as before there were modes
        help_text=_(
            "Cross-inspection: each unit is inspected by another of the units, in turn; that "
            "unit's officer answers for it."
        ),
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


class TeamForm(Form):
    team = forms.CharField(
        label=_("Inspection team"),
        required=False,
        max_length=max_length_of(CampaignUnit, "team"),
        help_text=_("Who inspected: e.g. 纪检专干+业务骨干+财会(审计)专家, with their names."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReassignForm(Form):
    inspector = forms.ModelChoiceField(label=_("Inspected by"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = OrgUnit.objects.restrict(user).filter(
            kind=OrgUnit.Kind.UNIT
        )


class SpotCheckForm(Form):
    campaign_unit = forms.ModelChoiceField(
        label=_("Unit spot-checked"), queryset=CampaignUnit.objects.none()
    )
    item = forms.ModelChoiceField(
        label=_("Checklist item"), queryset=CampaignItem.objects.none(), required=False
    )
    finding = forms.CharField(
        label=_("What the spot check found"),
        max_length=max_length_of(SpotCheckFinding, "finding"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    missed = forms.BooleanField(
        label=_("The cross-inspection should have found it (应发现未发现)"), required=False
    )

    def __init__(self, *args, campaign, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign_unit"].queryset = rows
        self.fields["campaign_unit"].label_from_instance = lambda row: row.unit.name
        self.fields["item"].queryset = campaign.items.all()
