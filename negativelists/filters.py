"""The one filter set for negative lists: the list page, the API's list, and 成效统计's figures
(the scope's unit, sector, letter and period under the names every counted list takes)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgSubtreeFilter, period_filters
from accounts.models import Sector
from core.filters import IdChoiceFilter
from recommendations.models import Recommendation

from .models import NegativeList, NegativeListEntry


def _recommendations(request):
    return (
        Recommendation.objects.restrict(request.user) if request else Recommendation.objects.none()
    )


class NegativeListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Title or requirement")}),
    )
    unit = OrgSubtreeFilter(label=_("Unit (with its subunits)"), empty_label=_("All units"))
    tier = django_filters.ChoiceFilter(
        label=_("Tier"), choices=NegativeList.Tier.choices, empty_label=_("All tiers")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=NegativeList.Status.choices, empty_label=_("All statuses")
    )
    # The rest is reached from 成效统计, never typed in here: hidden.
    sector = django_filters.ChoiceFilter(
        field_name="unit__sector",
        choices=Sector.choices,
        label=_("Sector"),
        widget=forms.HiddenInput,
    )
    # A letter's lists: those written as a measure of its items.
    recommendation = IdChoiceFilter(
        field_name="measure__item__recommendation",
        queryset=_recommendations,
        label=_("Recommendation"),
        widget=forms.HiddenInput,
    )
    # The lists published at some time (in force, or withdrawn since): 成效统计 counts no draft.
    published = django_filters.ChoiceFilter(
        choices=[("yes", _("Published (in force or withdrawn)"))],
        method="published_at_some_time",
        label=_("Published"),
        widget=forms.HiddenInput,
    )
    # 成效统计's period: lists by the day they were published.
    period_after, period_before = period_filters("published_on", widget=forms.HiddenInput)

    class Meta:
        model = NegativeList
        fields = ["q", "unit", "tier", "status"]

    def published_at_some_time(self, queryset, name, value):
        return queryset.filter(published_on__isnull=False)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Exists, not a join: a list whose several entries match is one row.
        entry_matches = NegativeListEntry.objects.filter(
            negative_list=OuterRef("pk"), requirement__icontains=value
        )
        return queryset.filter(Q(title__icontains=value) | Exists(entry_matches))
