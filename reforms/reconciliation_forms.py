"""Forms of the reconciliation pages (对账销号). They only collect input: the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Sector
from core.domain import max_length_of, shanghai_today
from core.forms import DateInput, Form
from recommendations.models import Recommendation

from .models import ReconciliationRow
from .reconciliation import default_answer_due_on


class OpenRoundForm(Form):
    """A round for one recommendation (chosen on its page) or a unit and its subunits."""

    recommendation = forms.ModelChoiceField(
        queryset=Recommendation.objects.none(), required=False, widget=forms.HiddenInput
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (with its subunits)"), queryset=OrgUnit.objects.none(), required=False
    )
    sector = forms.ChoiceField(
        label=_("Only the units of this sector"),
        choices=[("", _("All sectors")), *Sector.choices],
        required=False,
        help_text=_("Reconcile the units of one sector within the chosen unit's subtree."),
    )
    as_of = forms.DateField(label=_("As of"), widget=DateInput)
    answer_due_on = forms.DateField(label=_("Answers due on"), widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("as_of", shanghai_today())
        initial.setdefault("answer_due_on", default_answer_due_on(initial["as_of"]))
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].queryset = Recommendation.objects.restrict(user)
        self.fields["unit"].queryset = OrgUnit.objects.restrict(user).exclude(
            kind=OrgUnit.Kind.GROUP
        )


class AnswerForm(Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=ReconciliationRow.Answer.choices)
    note = forms.CharField(
        label=_("Latest state, or the reason for a dispute"),
        required=False,
        max_length=max_length_of(ReconciliationRow, "answer_note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConfirmForm(Form):
    confirmation = forms.ChoiceField(
        label=_("Confirmation"), choices=ReconciliationRow.Confirmation.choices
    )
    note = forms.CharField(
        label=_("Note (the reason, when returned)"),
        required=False,
        max_length=max_length_of(ReconciliationRow, "confirmation_note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
