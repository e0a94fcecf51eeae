"""The one filter set for cross-case analyses (the REST API's list)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgSubtreeFilter

from .models import CrossCaseAnalysis


class CrossCaseAnalysisFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("The title or the findings.")
    )
    mode = django_filters.ChoiceFilter(label=_("Selection"), choices=CrossCaseAnalysis.Mode.choices)
    unit = OrgSubtreeFilter(label=_("Unit"), help_text=_("The unit and every unit under it."))
    created_after = django_filters.DateFilter(
        label=_("Created on or after"), field_name="created_at", lookup_expr="date__gte"
    )
    created_before = django_filters.DateFilter(
        label=_("Created on or before"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = CrossCaseAnalysis
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(common_patterns__icontains=value)
            | Q(institutional_gaps__icontains=value)
            | Q(countermeasures__icontains=value)
        )
