"""Forms of the measure pages. They only collect input: the services decide and refuse."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.domain import max_length_of, max_value_of
from core.forms import DateInput, Form, ModelForm
from core.uploads import EVIDENCE_TYPES, megabytes

from .models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpMeasure,
    Measure,
    MeasureTransition,
    ProgressReport,
    RuleChange,
)
from .services import (
    ACTIVITY_WRITABLE_FIELDS,
    CLOSING_KINDS,
    MEASURE_EDITABLE_FIELDS,
    RULE_CHANGE_WRITABLE_FIELDS,
)


def evidence_limit_text() -> str:
    """The upload limit as people read it, e.g. "Up to 20 MB per file." (translated)."""
    return _("Up to %(size)s MB per file.") % {"size": megabytes(settings.EVIDENCE_MAX_BYTES)}


class MeasurePlanForm(ModelForm):
    """A new measure under an item (its dates are fixed once planned)."""

    class Meta:
        model = Measure
        fields = [
            "content",
            "standard",
            "department",
            "owner_name",
            "leader_name",
            "due_on",
            "is_standing",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "standard": forms.Textarea(attrs={"rows": 2}),
            "due_on": DateInput,
        }
        labels = {"due_on": _("Due date")}
        help_texts = {"due_on": _("None for a standing measure: it has no deadline.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service decides whether a date is needed (not for a standing measure): the browser
        # must not insist on one. app.js marks it required while 长期坚持 is unticked, and
        # disables it once ticked.
        due_on = self.fields["due_on"]
        due_on.required = False
        due_on.widget.attrs["data-required-unless"] = self["is_standing"].auto_id


class MeasureEditForm(ModelForm):
    """What may still change once a measure is planned: its wording and who owns it."""

    class Meta:
        model = Measure
        fields = MEASURE_EDITABLE_FIELDS
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "standard": forms.Textarea(attrs={"rows": 2}),
        }


# The browser's file picker offers the accepted types first; the server still checks the content.
EVIDENCE_ACCEPT = ",".join(sorted(ext for kind in EVIDENCE_TYPES for ext in kind.extensions))


def evidence_file_field(*, required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=_("Evidence file"),
        required=required,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


class ProgressForm(Form):
    content = forms.CharField(
        label=_("Progress"),
        max_length=max_length_of(ProgressReport, "content"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    percent_complete = forms.IntegerField(label=_("Percent complete"), min_value=0, max_value=100)
    file = evidence_file_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = evidence_limit_text()


class EvidenceForm(Form):
    file = evidence_file_field()
    description = forms.CharField(
        label=_("Description"), max_length=max_length_of(Evidence, "description"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = evidence_limit_text()


class NoteForm(Form):
    """Request sign-off, sign off, or approve an extension: an optional note."""

    # Recorded as the transition's reason, or an extension's decision note (the same limit).
    note = forms.CharField(
        label=_("Note"), required=False, max_length=max_length_of(MeasureTransition, "reason")
    )


class SignOffForm(Form):
    """销号 with the verification opinion (核查意见), which the service requires: whoever signs a
    measure off answers for it, and the opinion is what the history and the ledger show of it."""

    note = forms.CharField(
        label=_("Verification opinion"),
        max_length=max_length_of(MeasureTransition, "reason"),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _(
                    "e.g. Checked the new rules and the training sign-in sheets: the completion "
                    "standard is met; signed off."
                ),
            }
        ),
        help_text=_("What you checked and whether the completion standard is met."),
    )


class ReturnForm(Form):
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=[("", "---------"), *MeasureTransition.ReturnReason.choices]
    )
    reason = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=max_length_of(MeasureTransition, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “Other”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service insists on an explanation for 其他; app.js lets the browser ask for it too.
        self.fields["reason"].widget.attrs["data-required-if"] = (
            f"{self['reason_code'].auto_id}={MeasureTransition.ReturnReason.OTHER}"
        )


class ExtensionForm(Form):
    requested_due_on = forms.DateField(label=_("New due date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=max_length_of(ExtensionRequest, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(Form):
    note = forms.CharField(
        label=_("Why refused"),
        max_length=max_length_of(ExtensionRequest, "decision_note"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Follow-up reviews (回头看), scheduled and recorded on the recommendation's page.


class FollowUpScheduleForm(Form):
    scheduled_on = forms.DateField(label=_("Review date"), widget=DateInput)


class FollowUpRecordForm(Form):
    conducted_on = forms.DateField(
        label=_("Reviewed on"),
        required=False,
        widget=DateInput,
        help_text=_("Today when empty."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUp.Outcome.choices)
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=max_length_of(FollowUp, "findings"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowUpChooseForm(Form):
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        required=False,
        min_value=1,
        help_text=_("A random sample of this many signed-off measures; all of them when empty."),
    )


class FollowUpMarkForm(Form):
    """One reviewed measure: held, or rebounded with findings and a new due date (reopened)."""

    verdict = forms.ChoiceField(label=_("Verdict"), choices=FollowUpMeasure.Verdict.choices)
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=max_length_of(FollowUpMeasure, "findings"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_due_on = forms.DateField(
        label=_("Due date for the rework"),
        required=False,
        widget=DateInput,
        help_text=_("For a rebound: the measure is reopened with this due date."),
    )

    def __init__(self, *args, standing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if standing:  # reopened without a deadline (services.measure_reopen)
            del self.fields["new_due_on"]


class FollowUpConcludeForm(Form):
    """How a review ends: a public notice (通报) or an admonition talk (约谈), as an activity."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(kind.value, kind.label) for kind in CLOSING_KINDS]
    )
    title = forms.CharField(label=_("Title"), max_length=max_length_of(Activity, "title"))
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    participant_count = forms.IntegerField(
        label=_("People"),
        min_value=1,
        max_value=max_value_of(Activity, "participant_count"),
        help_text=_("Participants, people talked to or rotated (人次)."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=max_length_of(Activity, "notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RuleChangeForm(ModelForm):
    """A rule change (立改废释) recorded from a measure's or a recommendation's page."""

    prefix = "rule"

    class Meta:
        model = RuleChange
        fields = list(RULE_CHANGE_WRITABLE_FIELDS)
        widgets = {"effective_on": DateInput}


class ActivityForm(ModelForm):
    """An activity (警示教育, 专题民主生活会, 谈心谈话, 轮岗交流) with its date and head count."""

    prefix = "activity"

    class Meta:
        model = Activity
        fields = list(ACTIVITY_WRITABLE_FIELDS)
        widgets = {"held_on": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant_count"].min_value = 1
        self.fields["participant_count"].widget.attrs["min"] = 1
