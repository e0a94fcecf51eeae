"""The scope of 成效统计, in one place: the statistics API and the statistics page both read it.

A scope is any mix of a unit with its subunits, a sector, one letter and a period (from, to; both
days included). ``StatisticsScope`` is a FilterSet used for its form: it checks each parameter
against the user's jurisdiction (a unit or letter the user cannot see is a ``not_found`` error on
that field — a 404 from the API — never figures of nothing) and renders the page's fields. The
figures themselves are then counted through each list's own FilterSet with these same parameters
(``oversight.statistics``), so every list a figure links to accepts the scope under the same names.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgSubtreeFilter
from accounts.models import OrgUnit, Sector
from core.filters import IdChoiceFilter, NoRecord
from core.forms import DateInput
from recommendations.models import Recommendation

SCOPE_PARAMS = ("unit", "sector", "recommendation", "period_after", "period_before")


def _letters(request):
    if request is None:
        return Recommendation.objects.none()
    return Recommendation.objects.restrict(request.user).select_related("recipient_unit")


class LetterFilter(IdChoiceFilter):
    """One letter by its id; reached from a letter's chain, shown on the page as a chip (a
    province holds tens of thousands of letters: never a select)."""


NOT_FOUND = _("No such record in your jurisdiction")


class ScopeForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, NoRecord):
                self.add_error(name, ValidationError(NOT_FOUND, code="not_found"))
        first, last = data.get("period_after"), data.get("period_before")
        if first and last and first > last:
            self.add_error(
                "period_before",
                ValidationError(_("The end of the period is before its start."), code="order"),
            )
        return data


class StatisticsScope(django_filters.FilterSet):
    """成效统计's scope parameters, validated in the user's jurisdiction (its ``form``)."""

    unit = OrgSubtreeFilter(
        label=_("Unit (with its subunits)"), empty_label=_("Whole jurisdiction")
    )
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"))
    recommendation = LetterFilter(
        queryset=_letters, label=_("Recommendation"), widget=forms.HiddenInput
    )
    period_after = django_filters.DateFilter(label=_("Period from"), widget=DateInput)
    period_before = django_filters.DateFilter(label=_("Period to"), widget=DateInput)

    class Meta:
        # Only the form is used: the scope filters no model of its own.
        model = OrgUnit
        fields = []
        form = ScopeForm

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, queryset=OrgUnit.objects.none(), request=request, **kwargs)

    @property
    def chosen(self) -> dict:
        """The valid scope as the lists' query parameters (ids and ISO dates), blanks left out."""
        if not self.is_bound or not self.is_valid():
            return {}
        params = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            params[name] = getattr(value, "pk", None) or (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
        return params

    @property
    def error_codes(self) -> set[str]:
        """The codes of the scope's errors: ``not_found`` for a unit or letter the user cannot
        see, ``order`` for a period that ends before it starts, the fields' own otherwise."""
        errors = self.form.errors.as_data().values()
        return {error.code for field_errors in errors for error in field_errors}

    @property
    def letter(self) -> Recommendation | None:
        return self.form.cleaned_data.get("recommendation") if self.is_valid() else None
