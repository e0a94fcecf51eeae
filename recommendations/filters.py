"""Filters of the recommendation list: status, kind, recipient unit (subtree) and text."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgSubtreeFilter, period_filters
from accounts.models import OrgUnit, Sector
from core.filters import IdChoiceFilter

from .models import Evaluation, EvaluationSession, Recommendation, RecommendationItem


def recipient_units(request):
    """Units in the user's jurisdiction (choices of the recipient filter)."""
    if request is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.restrict(request.user).filter(kind=OrgUnit.Kind.UNIT)


class RecommendationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Title, document number or addressee")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Recommendation.Status.choices, empty_label=_("All statuses")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Recommendation.Kind.choices, empty_label=_("All kinds")
    )
    # The unit and the units below it (a bureau and its stations).
    unit = OrgSubtreeFilter(
        label=_("Recipient unit"), queryset=recipient_units, empty_label=_("All units")
    )
    sector = django_filters.ChoiceFilter(
        field_name="recipient_unit__sector", choices=Sector.choices, label=_("Sector")
    )
    # 成效统计's period: letters by their date of issue (发文日期); drafts have none.
    period_after, period_before = period_filters("issued_on")

    class Meta:
        model = Recommendation
        fields = ["q", "status", "kind", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(doc_number__icontains=value)
            | Q(recipient_name__icontains=value)
            | Q(recipient_unit__name__icontains=value)
        )


def _visible_recommendations(request):
    if request is None:
        return Recommendation.objects.none()
    return Recommendation.objects.restrict(request.user)


class EvaluationFilter(django_filters.FilterSet):
    """Evaluations in jurisdiction (the REST API's list)."""

    recommendation = IdChoiceFilter(queryset=_visible_recommendations, label=_("Recommendation"))
    rating = django_filters.ChoiceFilter(choices=Evaluation.Rating.choices, label=_("Rating"))
    method = django_filters.ChoiceFilter(choices=Evaluation.Method.choices, label=_("Method"))

    class Meta:
        model = Evaluation
        fields = []


class EvaluationSessionFilter(django_filters.FilterSet):
    """On-site evaluation sessions in jurisdiction (the REST API's list)."""

    recommendation = IdChoiceFilter(queryset=_visible_recommendations, label=_("Recommendation"))
    status = django_filters.ChoiceFilter(
        choices=EvaluationSession.Status.choices, label=_("Status")
    )
    unit = OrgSubtreeFilter(label=_("Recipient unit"), unit_lookup="recommendation__recipient_unit")

    class Meta:
        model = EvaluationSession
        fields = []


class RecommendationItemFilter(django_filters.FilterSet):
    """Items of the letters in jurisdiction, filtered as their letter is (成效统计's list)."""

    unit = OrgSubtreeFilter(label=_("Recipient unit"), unit_lookup="recommendation__recipient_unit")
    sector = django_filters.ChoiceFilter(
        field_name="recommendation__recipient_unit__sector",
        choices=Sector.choices,
        label=_("Sector"),
    )
    recommendation = IdChoiceFilter(queryset=_visible_recommendations, label=_("Recommendation"))
    # An item belongs to the period of its letter's issue.
    period_after, period_before = period_filters("recommendation__issued_on")

    class Meta:
        model = RecommendationItem
        fields = []
