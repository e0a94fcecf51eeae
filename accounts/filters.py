"""Filter sets of the org tree (used by the REST API)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import OrgUnit, Sector


@extend_schema_field(OpenApiTypes.INT)
class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A record chosen by its id (documented as an integer in the API schema)."""


def _units(request):
    return OrgUnit.objects.restrict(request.user) if request else OrgUnit.objects.none()


class OrgUnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=OrgUnit.Kind.choices, label=_("Kind"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("Sector"))
    under = IdChoiceFilter(
        queryset=_units, method="filter_under", label=_("Unit (with its subunits)")
    )

    class Meta:
        model = OrgUnit
        fields = []

    def filter_under(self, queryset, name, unit):
        return queryset.filter(path__startswith=unit.path)
