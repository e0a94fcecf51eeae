"""The one filter set for negative lists (the list page)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgSubtreeFilter

from .models import NegativeList, NegativeListEntry


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

    class Meta:
        model = NegativeList
        fields = ["q", "unit", "tier", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Exists, not a join: a list whose several entries match is one row.
        entry_matches = NegativeListEntry.objects.filter(
            negative_list=OuterRef("pk"), requirement__icontains=value
        )
        return queryset.filter(Q(title__icontains=value) | Exists(entry_matches))
