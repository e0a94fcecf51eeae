"""Forms of the recommendation pages. They only collect input; the services decide and record."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from cases.models import Case, Problem
from core.domain import max_length_of, shanghai_today
from core.forms import DateInput, Form
from reforms import calendar

from .models import Evaluation, Recommendation, RecommendationItem, RecommendationTransition, Reply

MAX_REPLY_WORKDAYS = 250


class RecommendationForm(Form):
    """A draft, new or edited. The reply deadline is a date, or working days from today."""

    DATE, WORKDAYS = "date", "workdays"

    kind = forms.ChoiceField(label=_("Kind"), choices=Recommendation.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=max_length_of(Recommendation, "title"))
    issuer = forms.ModelChoiceField(label=_("Issuer"), queryset=OrgUnit.objects.none())
    recipient_unit = forms.ModelChoiceField(
        label=_("Recipient unit"), queryset=OrgUnit.objects.none()
    )
    recipient_name = forms.CharField(
        label=_("Addressed to"),
        max_length=max_length_of(Recommendation, "recipient_name"),
        required=False,
        help_text=_("主送, e.g. 中共某某局党组; the recipient unit's name when empty."),
    )
    cases = forms.ModelMultipleChoiceField(
        label=_("Cases"),
        queryset=Case.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The cases this recommendation follows from; items cite their problems."),
    )
    preamble = forms.CharField(
        label=_("Preamble"),
        required=False,
        max_length=max_length_of(Recommendation, "preamble"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    copied_to = forms.CharField(
        label=_("Copied to"),
        required=False,
        max_length=max_length_of(Recommendation, "copied_to"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("抄送: the other bodies that receive a copy, separated by commas or lines."),
    )
    deadline_mode = forms.ChoiceField(
        label=_("Reply deadline given as"),
        choices=[(DATE, _("A date")), (WORKDAYS, _("Working days from today"))],
        initial=DATE,
        widget=forms.RadioSelect,
    )
    reply_due_on = forms.DateField(label=_("Reply due on"), required=False, widget=DateInput)
    reply_workdays = forms.IntegerField(
        label=_("Working days"),
        required=False,
        min_value=1,
        max_value=MAX_REPLY_WORKDAYS,
        help_text=_("Counted on the official calendar: holidays skipped, make-up days counted."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.restrict(user)
        self.fields["issuer"].queryset = units.filter(
            kind__in=[OrgUnit.Kind.COMMISSION, OrgUnit.Kind.GROUP]
        )
        self.fields["recipient_unit"].queryset = units.filter(kind=OrgUnit.Kind.UNIT)
        self.fields["cases"].queryset = Case.objects.restrict(user).order_by("-opened_on", "pk")
        self.unknown_year = None

    def clean(self):
        data = super().clean()
        mode = data.get("deadline_mode")
        if mode == self.DATE:
            due = data.get("reply_due_on")
            if due is None:
                self.add_error("reply_due_on", _("Give the reply deadline."))
            elif due <= shanghai_today():
                self.add_error("reply_due_on", _("The reply deadline must be after today."))
        elif mode == self.WORKDAYS:
            workdays = data.get("reply_workdays")
            if workdays is None:
                if "reply_workdays" not in self.errors:
                    self.add_error("reply_workdays", _("Give the number of working days."))
            else:
                due = calendar.add_workdays(shanghai_today(), workdays)
                data["reply_due_on"] = due
                if not calendar.year_is_known(due.year):
                    self.unknown_year = due.year
        return data


class ItemForm(Form):
    content = forms.CharField(
        label=_("Item"),
        max_length=max_length_of(RecommendationItem, "content"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    problems = forms.ModelMultipleChoiceField(
        label=_("Problems it answers"),
        queryset=Problem.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Problems of this recommendation's cases. Hold Ctrl to choose several."),
    )

    def __init__(self, *args, user, recommendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = (
            Problem.objects.restrict(user)
            .filter(case__in=recommendation.cases.all())
            .select_related("case")
            .order_by("case", "pk")
        )
        self.fields["problems"].label_from_instance = lambda problem: (
            f"{problem.case.number} · {problem.get_category_display()} · {problem.description[:60]}"
        )


class IssueForm(Form):
    issued_on = forms.DateField(
        label=_("Issue date"), required=False, widget=DateInput, help_text=_("Today when empty.")
    )
    doc_serial = forms.IntegerField(
        label=_("Document serial"),
        required=False,
        min_value=1,
        max_value=Recommendation.MAX_DOC_SERIAL,
        help_text=_("The next free number of the year when empty."),
    )


class ReturnReplyForm(Form):
    reason = forms.CharField(
        label=_("Why the reply is returned"),
        max_length=max_length_of(RecommendationTransition, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(Form):
    pass


class EvaluationForm(Form):
    method = forms.ChoiceField(label=_("Method"), choices=Evaluation.Method.choices)
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100)
    rating = forms.ChoiceField(label=_("Rating"), choices=Evaluation.Rating.choices)
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=max_length_of(Evaluation, "comments"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcknowledgeForm(Form):
    pass


class StartRectificationForm(Form):
    pass


class ReplyForm(Form):
    content = forms.CharField(
        label=_("Rectification report"),
        max_length=max_length_of(Reply, "content"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
