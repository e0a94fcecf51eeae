"""Forms of the case pages; every choice of a unit or a case is cut to the user's jurisdiction."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.filters import limit_unit_choices
from accounts.models import OrgUnit, Sector
from core.domain import max_length_of
from core.forms import DateInput, Form, ModelForm

from .models import Case, CaseAnalysis, Problem, Subject, TypicalCase, TypicalReason
from .services import ANALYSIS_FIELDS, CASE_WRITABLE_FIELDS, PROBLEM_FIELDS, SUBJECT_FIELDS

IDEOGRAPHIC_SPACE = "\u3000"


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit, indented by its depth in the tree so the hierarchy reads in a plain select."""

    def label_from_instance(self, obj):
        return IDEOGRAPHIC_SPACE * (obj.depth - 1) + obj.name


def commissions_in_jurisdiction(user):
    return OrgUnit.objects.restrict(user).filter(
        kind__in=[OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP]
    )


def units_in_jurisdiction(user):
    return OrgUnit.objects.restrict(user).filter(kind=OrgUnit.Kind.UNIT)


class CaseForm(ModelForm):
    """The case itself; linked cases may only be chosen among the cases the user can see."""

    class Meta:
        model = Case
        fields = CASE_WRITABLE_FIELDS  # what the service writes, no more
        field_classes = {"commission": UnitChoiceField, "case_unit": UnitChoiceField}
        widgets = {
            "opened_on": DateInput,
            "closed_on": DateInput,
            "violation_types": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "linked_cases": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A unit already on the case stays choosable even if the user does not cover it.
        current = OrgUnit.objects.filter(pk=self.instance.commission_id)
        self.fields["commission"].queryset = commissions_in_jurisdiction(user) | current
        self.fields["case_unit"].queryset = units_in_jurisdiction(user)
        linkable = Case.objects.restrict(user).order_by("-opened_on", "-pk")
        if self.instance.pk:
            linkable = linkable.exclude(pk=self.instance.pk)
            # Only the visible links are shown (and kept by the service when saving).
            self.initial["linked_cases"] = list(
                linkable.filter(linked_cases=self.instance).values_list("pk", flat=True)
            )
        self.fields["linked_cases"].queryset = linkable
        self.fields["linked_cases"].help_text = _(
            "串案窝案: cases handled together as one series. Hold Ctrl (⌘) to choose several."
        )


SubjectFormSet = inlineformset_factory(
    Case,
    Subject,
    form=ModelForm,
    fields=SUBJECT_FIELDS,
    extra=1,
    can_delete=True,
)


class AnalysisForm(ModelForm):
    class Meta:
        model = CaseAnalysis
        fields = ANALYSIS_FIELDS
        widgets = {
            "trajectory": forms.Textarea(attrs={"rows": 4}),
            "root_causes": forms.Textarea(attrs={"rows": 4}),
            "loopholes": forms.Textarea(attrs={"rows": 4}),
            "lessons": forms.Textarea(attrs={"rows": 4}),
            "completed_on": DateInput,
        }


class ProblemForm(ModelForm):
    class Meta:
        model = Problem
        fields = PROBLEM_FIELDS
        field_classes = {"unit": UnitChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.restrict(user) | OrgUnit.objects.filter(
            pk=self.instance.unit_id
        )
        # Offered: two levels under the user's unit, and the case's unit (or the problem's, or
        # the one sent) with its subunits — not a province's 5,000 units on every case page.
        chosen = self.data.get("unit") or self.instance.unit_id or self.initial.get("unit")
        limit_unit_choices(self.fields["unit"], user.org_unit, getattr(chosen, "pk", chosen))


class TypicalMarkForm(Form):
    """Marking a case as typical (典型案例): why (at least one reason) and for whom."""

    reasons = forms.MultipleChoiceField(
        label=_("Reasons"), choices=TypicalReason.choices, widget=forms.CheckboxSelectMultiple
    )
    audience_sectors = forms.MultipleChoiceField(
        label=_("Warning education for sectors"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_levels = forms.MultipleChoiceField(
        label=_("Warning education for cadre levels"),
        choices=Case.Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=max_length_of(TypicalCase, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TypicalUnmarkForm(Form):
    reason = forms.CharField(
        label=_("Why it is no longer a typical case"),
        max_length=max_length_of(TypicalCase, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
