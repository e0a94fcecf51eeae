"""Forms of the evaluation session pages (现场答辩式评查). They only collect input; the services
(``recommendations.evaluation``) decide and record."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.domain import max_length_of, shanghai_today
from core.forms import DateInput, Form

from .models import EvaluationSession, EvaluationTemplate, IndicatorScore


class OpenSessionForm(Form):
    template = forms.ModelChoiceField(
        label=_("Evaluation template"), queryset=EvaluationTemplate.objects.none()
    )
    scheduled_on = forms.DateField(label=_("Date of the session"), widget=DateInput)
    place = forms.CharField(
        label=_("Place"), required=False, max_length=max_length_of(EvaluationSession, "place")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("scheduled_on", shanghai_today())
        super().__init__(*args, **kwargs)
        templates = EvaluationTemplate.objects.filter(is_active=True, indicators__isnull=False)
        self.fields["template"].queryset = templates.distinct().order_by("name")
        first = self.fields["template"].queryset.first()
        if first is not None:
            self.fields["template"].initial = first.pk


class AddMemberForm(Form):
    user = forms.ModelChoiceField(
        label=_("Evaluator"),
        queryset=User.objects.none(),
        help_text=_("Discipline staff or a supervisor whose jurisdiction covers the unit."),
    )

    def __init__(self, *args, eligible=None, **kwargs):
        super().__init__(*args, **kwargs)
        if eligible is not None:
            self.fields["user"].queryset = eligible
        self.fields["user"].label_from_instance = lambda user: (
            f"{user} · {user.get_role_display()} · {user.org_unit}"
        )


class HearingForm(Form):
    reporter = forms.CharField(
        label=_("Reported by"),
        max_length=max_length_of(EvaluationSession, "reporter"),
        help_text=_("The unit head who reports in person, with their position."),
    )
    report = forms.CharField(
        label=_("The unit head's report"),
        max_length=max_length_of(EvaluationSession, "report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Problems signed off, rules improved, what is still open."),
    )
    questions = forms.CharField(
        label=_("The panel's questions"),
        required=False,
        max_length=max_length_of(EvaluationSession, "questions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Each question and the answer given."),
    )


class NoInputForm(Form):
    pass


class ConcludeForm(Form):
    conclusion = forms.CharField(
        label=_("The panel's conclusion"),
        required=False,
        max_length=max_length_of(EvaluationSession, "conclusion"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("评效果、点不足、明方向: what worked, what falls short, what to do next."),
    )


class CancelForm(Form):
    reason = forms.CharField(
        label=_("Why the session is cancelled"),
        max_length=max_length_of(EvaluationSession, "cancel_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScoresForm(Form):
    """One score and one comment per indicator of the session's template."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        comment_limit = max_length_of(IndicatorScore, "comment")
        for indicator in self.indicators:
            self.fields[f"score_{indicator.pk}"] = forms.DecimalField(
                label=indicator.name,
                min_value=0,
                max_value=indicator.max_score,
                decimal_places=1,
                max_digits=5,
                widget=forms.NumberInput(
                    attrs={"step": "0.1", "class": "form-control", "inputmode": "decimal"}
                ),
            )
            self.fields[f"comment_{indicator.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=comment_limit,
                widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
            )

    def rows(self):
        """(indicator, score field, comment field) for the template's table."""
        return [
            (indicator, self[f"score_{indicator.pk}"], self[f"comment_{indicator.pk}"])
            for indicator in self.indicators
        ]

    def scores(self) -> dict:
        return {i.pk: self.cleaned_data[f"score_{i.pk}"] for i in self.indicators}

    def comments(self) -> dict:
        return {i.pk: self.cleaned_data[f"comment_{i.pk}"] for i in self.indicators}
