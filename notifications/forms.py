from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form

from .models import Notification

# What each kind is, said once for the settings page (the kind's name is its label).
KIND_HELP = {
    Notification.Kind.WORKFLOW: _(
        "Letters to acknowledge, acknowledgements, sign-off requests, returns, sign-offs and "
        "extension decisions."
    ),
    Notification.Kind.GREEN: _("A measure's due date is approaching."),
    Notification.Kind.YELLOW: _("A measure's due date is a few days away."),
    Notification.Kind.RED: _("A measure is past its due date."),
    Notification.Kind.URGING: _("An urging notice (督办) about an overdue measure."),
    Notification.Kind.REPORT: _("The weekly overdue report, with its PDF."),
}


class DigestKindsForm(Form):
    """The kinds that also go into the daily digest; the ones left unticked stay in the inbox."""

    digest_kinds = forms.MultipleChoiceField(
        label=_("Also send to the daily digest (email, enterprise messaging)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Notification.Kind.choices)
        self.fields["digest_kinds"].choices = [(kind, labels[kind]) for kind in kinds]
        self.kind_help = [(kind, labels[kind], KIND_HELP[kind]) for kind in kinds]
