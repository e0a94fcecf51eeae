"""The bases of every page form: what all forms of the project share.

A select with nothing chosen yet reads "Choose…" (请选择), not Django's "---------": the bases
relabel the blank choice of every single-choice field once the fields are built, so no form
names it field by field. (Filter forms say "All" instead: ``FILTERS_EMPTY_CHOICE_LABEL``.)
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

DJANGO_BLANK = "---------"
CHOOSE = _("Choose…")


def relabel_blank_choices(fields) -> None:
    """Replace Django's dashes by "Choose…" in the blank choice of each single-choice field."""
    for field in fields.values():
        if isinstance(field, forms.ModelMultipleChoiceField):
            continue
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_BLANK:
                field.empty_label = CHOOSE
                field.widget.choices = field.choices
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            choices = list(field.choices)
            if any(value == "" and label == DJANGO_BLANK for value, label in choices):
                field.choices = [
                    (value, CHOOSE if value == "" and label == DJANGO_BLANK else label)
                    for value, label in choices
                ]


class DateInput(forms.DateInput):
    """A date picker (``<input type="date">``), whose value is an ISO date in every language.

    Django writes a date in the language's first input format (zh-hans: 2026/03/01), which the
    browser drops as invalid, showing an empty field: a chosen filter left its list's form and
    the next search lost it. Every date field of a page or a filter uses this widget."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        relabel_blank_choices(self.fields)


class ModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        relabel_blank_choices(self.fields)


def yes_no_filter_select() -> forms.Select:
    """The select of a yes/no filter: All (全部), Yes, No."""
    return forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


class YesNoField(forms.NullBooleanField):
    """Yes ("true"), no ("false") or, left blank, either; any other value is refused, where
    Django's NullBooleanField reads it as blank (so ``?unread=null`` listed everything)."""

    default_error_messages = {"invalid": _('Give "true" or "false".')}

    def __init__(self, **kwargs):
        # A plain select passes the value on as given (NullBooleanSelect turns garbage to None).
        kwargs.setdefault("widget", yes_no_filter_select())
        super().__init__(**kwargs)

    def to_python(self, value):
        answer = super().to_python(value)
        if answer is None and value not in self.empty_values:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return answer


class YesNoFilter(django_filters.BooleanFilter):
    """The yes/no filter of every list (see ``YesNoField``)."""

    field_class = YesNoField
