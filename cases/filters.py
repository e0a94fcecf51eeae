"""The one filter set for cases: the list page and the REST API both filter through it."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import OrgSubtreeFilter, period_filters
from accounts.models import Sector
from core.filters import IdChoiceFilter, IdFilter, RecordIdField
from core.forms import DateInput, YesNoFilter

from .forms import UnitChoiceField
from .models import Case, Problem, ProcessStage, Subject, TypicalCase, TypicalReason, ViolationType

DEFAULT_ORDERING = "-opened_on"


def with_top_leader_flag(queryset):
    """Annotate each case with ``has_top_leader`` (one subquery, no extra query per row)."""
    return queryset.annotate(
        has_top_leader=Exists(Subject.objects.filter(case=OuterRef("pk"), is_top_leader=True))
    )


def with_typical_flag(queryset):
    """Annotate each case with ``is_typical``: chosen as a typical case, in force (one subquery)."""
    return queryset.annotate(
        is_typical=Exists(TypicalCase.objects.current().filter(case=OuterRef("pk")))
    )


class UnitIdField(RecordIdField, UnitChoiceField):
    """A unit by its id (the list rule of ``accounts.filters``), indented by depth in a select."""


class UnitFilter(OrgSubtreeFilter):
    """A unit in jurisdiction and the units under it (a bureau and its stations)."""

    field_class = UnitIdField


class CaseOrderingFilter(django_filters.OrderingFilter):
    """Sort by the chosen column, newest first by default; the primary key breaks ties."""

    def filter(self, qs, value):
        params = [param for param in (value or []) if param] or [DEFAULT_ORDERING]
        ordering = [self.get_ordering_value(param) for param in params]
        tie_breaker = "-pk" if ordering[-1].startswith("-") else "pk"
        return qs.order_by(*ordering, tie_breaker)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Part of a case number or title, or a subject's full name."),
    )
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices)
    unit = UnitFilter(label=_("Unit"), help_text=_("The unit and every unit under it."))
    # Through the reverse relation: cases sit below recommendations and do not import them.
    recommendation = IdFilter(
        field_name="recommendations", label=_("Recommendation"), help_text=_("Cases it cites.")
    )
    opened_after = django_filters.DateFilter(
        label=_("Opened on or after"),
        field_name="opened_on",
        lookup_expr="gte",
        widget=DateInput,
    )
    opened_before = django_filters.DateFilter(
        label=_("Opened on or before"),
        field_name="opened_on",
        lookup_expr="lte",
        widget=DateInput,
    )
    # 成效统计's period: cases by the day they were opened (立案).
    period_after, period_before = period_filters("opened_on", widget=DateInput)
    top_leader = YesNoFilter(
        label=_("Top leader involved"),
        method="involving",
    )
    violation_type = IdChoiceFilter(
        label=_("Violation type"),
        queryset=ViolationType.objects.all(),
        method="of_violation_type",
    )
    # 典型案例: the selection in force, why it was chosen and for whom (``cases.typical``).
    typical = YesNoFilter(label=_("Typical case"), method="of_typical")
    typical_reason = django_filters.ChoiceFilter(
        label=_("Chosen as typical for"), choices=TypicalReason.choices, method="of_typical_list"
    )
    audience_sector = django_filters.ChoiceFilter(
        label=_("Warning education for sector"), choices=Sector.choices, method="of_typical_list"
    )
    audience_level = django_filters.ChoiceFilter(
        label=_("Warning education for cadres"),
        choices=Case.Level.choices,
        method="of_typical_list",
    )
    ordering = CaseOrderingFilter(
        label=_("Sort by"),
        fields=(("opened_on", "opened_on"), ("number", "number")),
        field_labels={
            "opened_on": _("Opened on (oldest first)"),
            "-opened_on": _("Opened on (newest first)"),
            "number": _("Case number (ascending)"),
            "-number": _("Case number (descending)"),
        },
    )

    class Meta:
        model = Case
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Names and summaries are sealed (core/encryption): a name matches whole, through its
        # blind index. A subquery instead of a join keeps each case once, whatever its subjects.
        named = Subject.objects.named(value).values("case")
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(pk__in=named)
        )

    def involving(self, queryset, name, value):
        leaders = Subject.objects.filter(case=OuterRef("pk"), is_top_leader=True)
        return queryset.filter(Exists(leaders) if value else ~Exists(leaders))

    def of_violation_type(self, queryset, name, violation_type):
        return queryset.filter(
            pk__in=Case.violation_types.through.objects.filter(violationtype=violation_type).values(
                "case"
            )
        )

    def of_typical(self, queryset, name, value):
        typical = Case.objects.typical().values("pk")
        return queryset.filter(pk__in=typical) if value else queryset.exclude(pk__in=typical)

    # Each filter's list of codes on the selection (a JSON list: the code, quoted, is one element).
    TYPICAL_LISTS = {
        "typical_reason": "reasons",
        "audience_sector": "audience_sectors",
        "audience_level": "audience_levels",
    }

    def of_typical_list(self, queryset, name, value):
        chosen = TypicalCase.objects.current().filter(
            **{f"{self.TYPICAL_LISTS[name]}__icontains": f'"{value}"'}
        )
        return queryset.filter(pk__in=chosen.values("case"))

    @property
    def ordering_value(self) -> str:
        """The ordering in force (the default when none or an unknown one was asked for)."""
        if not self.is_bound or self.errors.get("ordering"):
            return DEFAULT_ORDERING
        chosen = [param for param in self.form.cleaned_data.get("ordering") or [] if param]
        return chosen[0] if chosen else DEFAULT_ORDERING


class ProblemFilter(django_filters.FilterSet):
    """Problems of the cases in jurisdiction (the REST API's problem list)."""

    q = django_filters.CharFilter(
        field_name="description", lookup_expr="icontains", label=_("Search")
    )
    case = IdChoiceFilter(
        queryset=lambda request: (
            Case.objects.restrict(request.user) if request else Case.objects.none()
        ),
        label=_("Case"),
    )
    category = django_filters.ChoiceFilter(choices=Problem.Category.choices, label=_("Category"))
    process_stage = IdChoiceFilter(queryset=ProcessStage.objects.all(), label=_("Process stage"))
    # The problem's own unit, not its case's (``Problem.objects.restrict`` scopes by the case).
    unit = UnitFilter(
        label=_("Unit"), unit_lookup="unit", help_text=_("The unit and every unit under it.")
    )
    recommendation = IdFilter(
        field_name="recommendation_items__recommendation",
        distinct=True,
        label=_("Recommendation"),
        help_text=_("Problems its items answer."),
    )
    sector = django_filters.ChoiceFilter(
        field_name="unit__sector", choices=Sector.choices, label=_("Sector")
    )
    # 成效统计's period: problems by the day they were recorded (Beijing time).
    period_after, period_before = period_filters("created_at", lookup="date")

    class Meta:
        model = Problem
        fields = []
