"""The one filterset for measures: the measure list, the dashboard's drill-downs and the API.

Colours, overdue and aging all come from ``MeasureQuerySet`` (``overdue()``, ``due_soon()``,
``open()``): this module only combines them, it never restates the rule.
"""

import datetime
import functools

import django_filters
from django import forms
from django.db.models import Case, DateField, F, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from accounts.filters import OrgSubtreeFilter, period_filters
from accounts.models import Sector
from core.domain import SHANGHAI, shanghai_today
from core.filters import FilterSet, IdChoiceFilter, IdFilter
from core.forms import DateInput, YesNoFilter
from recommendations.models import Recommendation

from . import tally
from .models import (
    AGING_BUCKETS,
    DUE_DATE_ORDER,
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpMeasure,
    Measure,
    ProgressReport,
    ReboundFlag,
    ReconciliationRow,
    RuleChange,
    Signal,
    WorkGroup,
)

OVERDUE_CHOICES = [
    ("current", _("Overdue (current due date)")),
    ("original", _("Overdue (original due date)")),
]

AGING_CHOICES = [
    ("1-7", _("1–7 days overdue")),
    ("8-30", _("8–30 days overdue")),
    ("31-90", _("31–90 days overdue")),
    ("90+", _("More than 90 days overdue")),
]


def _due(lookup: str):
    """A due-date filter: a standing measure's date is a placeholder no page shows, never due."""

    def filter_due(queryset, name, value):
        return queryset.filter(is_standing=False, **{f"due_on__{lookup}": value})

    return filter_due


ORDERING_CHOICES = [
    ("due_on", _("Due date, earliest first")),
    ("-due_on", _("Due date, latest first")),
    ("-days_overdue", _("Most days overdue first")),
    ("days_overdue", _("Fewest days overdue first")),
    ("unit", _("Unit")),
    ("-unit", _("Unit, reversed")),
]


def _recommendations(request):
    if not request:
        return Recommendation.objects.none()
    return Recommendation.objects.restrict(request.user).exclude(doc_number="")


class MeasureFilter(django_filters.FilterSet):
    """Filters for ``Measure`` querysets already restricted to the user (pass ``request``)."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    unit = OrgSubtreeFilter(label=_("Unit (with its subunits)"))
    sector = django_filters.ChoiceFilter(
        field_name="unit__sector", choices=Sector.choices, label=_("Sector")
    )
    status = django_filters.ChoiceFilter(choices=Measure.Status.choices, label=_("Status"))
    is_open = YesNoFilter(
        method="filter_open",
        label=_("Open (not signed off)"),
    )
    signal = django_filters.ChoiceFilter(
        choices=Signal.choices, method="filter_signal", label=_("Colour")
    )
    overdue = django_filters.ChoiceFilter(
        choices=OVERDUE_CHOICES, method="filter_overdue", label=_("Overdue")
    )
    aging = django_filters.ChoiceFilter(
        choices=AGING_CHOICES, method="filter_aging", label=_("Days overdue")
    )
    # The officer's home links each of its groups to its list (``WorkGroup``).
    group = django_filters.ChoiceFilter(
        choices=WorkGroup.choices, method="filter_group", label=_("To do")
    )
    # Reached from a recommendation's page, never picked from a list (a province has tens of
    # thousands): a hidden field, shown on the page as a removable chip.
    recommendation = IdChoiceFilter(
        field_name="item__recommendation",
        queryset=_recommendations,
        label=_("Recommendation"),
        widget=forms.HiddenInput,
    )
    due_after = django_filters.DateFilter(
        method=_due("gte"), label=_("Due on or after"), widget=DateInput
    )
    due_before = django_filters.DateFilter(
        method=_due("lte"), label=_("Due on or before"), widget=DateInput
    )
    signed_off_after = django_filters.DateFilter(
        field_name="signed_off_on",
        lookup_expr="gte",
        label=_("Signed off on or after"),
        widget=DateInput,
    )
    signed_off_before = django_filters.DateFilter(
        field_name="signed_off_on",
        lookup_expr="lte",
        label=_("Signed off on or before"),
        widget=DateInput,
    )
    is_standing = YesNoFilter(
        label=_("Standing"),
    )
    # Reopened by a follow-up review (整改反弹): the rebounds the dashboard and statistics count.
    reopened = YesNoFilter(
        method="filter_reopened",
        label=_("Reopened after a rebound"),
    )
    # 成效统计's period: a measure belongs to the period its letter was issued in. Reached from
    # the statistics page, never typed in here: hidden, like ``recommendation``.
    period_after, period_before = period_filters(
        "item__recommendation__issued_on", widget=forms.HiddenInput
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES, method="filter_ordering", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Measure
        fields = []

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or shanghai_today()

    # Each method receives the queryset narrowed so far and returns it narrowed further.

    def filter_q(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(content__icontains=word)
                | Q(standard__icontains=word)
                | Q(owner_name__icontains=word)
                | Q(leader_name__icontains=word)
                | Q(department__icontains=word)
            )
        return queryset

    def filter_reopened(self, queryset, name, value):
        return queryset.reopened() if value else queryset.filter(reopen_count=0)

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.filter(status=Measure.Status.SIGNED_OFF)

    def filter_signal(self, queryset, name, value):
        if value == Signal.RED:
            return queryset.overdue(today=self.today)
        if value == Signal.YELLOW:
            return queryset.due_soon(today=self.today)
        if value == Signal.BLUE:
            return queryset.open().filter(is_standing=True)
        return queryset.green(today=self.today)

    def filter_group(self, queryset, name, value):
        return queryset.in_work_group(value, today=self.today)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(today=self.today, against_original=value == "original")

    def filter_aging(self, queryset, name, value):
        first, last = AGING_BUCKETS[value]
        queryset = queryset.overdue(today=self.today).filter(
            due_on__lte=self.today - datetime.timedelta(days=first)
        )
        if last is not None:
            queryset = queryset.filter(due_on__gte=self.today - datetime.timedelta(days=last))
        return queryset

    def filter_ordering(self, queryset, name, value):
        reversed_ = value.startswith("-")
        key = value.removeprefix("-")
        if key == "days_overdue":
            # The due date of overdue measures (per ``overdue()``), empty for the others: most
            # days overdue is the earliest date.
            late = Measure.objects.overdue(today=self.today).values("pk")
            queryset = queryset.annotate(
                overdue_since=Case(When(pk__in=late, then=F("due_on")), default=Value(None))
            )
            since = F("overdue_since")
            first = since.asc(nulls_last=True) if reversed_ else since.desc(nulls_first=True)
            return queryset.order_by(first, *DUE_DATE_ORDER)
        if key == "unit":
            unit = F("unit__name")
            return queryset.order_by(unit.desc() if reversed_ else unit.asc(), *DUE_DATE_ORDER)
        return queryset.by_due_date(latest_first=reversed_)

    @property
    def qs(self):
        """Nothing when a filter is invalid (e.g. a unit outside the jurisdiction), never all.

        Its ``count()`` is summed from the tally when it can be (``reforms.tally.list_count``
        says when): the paginators count the list on every page."""
        if not hasattr(self, "_qs"):
            queryset = self.queryset.all().by_due_date()
            if self.is_bound:
                queryset = self.filter_queryset(queryset) if self.is_valid() else queryset.none()
            if self.request is not None and (not self.is_bound or self.is_valid()):
                queryset.kept_count = functools.partial(
                    tally.list_count, self.queryset, self.request.user, self.today, self.chosen()
                )
            self._qs = queryset
        return self._qs

    def chosen(self) -> dict:
        """The filters given a value, by name (cleaned); none when unbound."""
        if not self.is_bound:
            return {}
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES
        }


# The records around measures, filtered in the REST API lists. Units filter by subtree, like
# ``MeasureFilter.unit``.


def _measures(request):
    return Measure.objects.restrict(request.user) if request else Measure.objects.none()


def _all_recommendations(request):
    return (
        Recommendation.objects.restrict(request.user) if request else Recommendation.objects.none()
    )


class _MeasureChildFilter(django_filters.FilterSet):
    measure = IdChoiceFilter(queryset=_measures, label=_("Measure"))
    unit = OrgSubtreeFilter(label=_("Unit (with its subunits)"))


class ProgressReportFilter(_MeasureChildFilter):
    class Meta:
        model = ProgressReport
        fields = []


class EvidenceFilter(_MeasureChildFilter):
    class Meta:
        model = Evidence
        fields = []


class ExtensionRequestFilter(_MeasureChildFilter):
    status = django_filters.ChoiceFilter(choices=ExtensionRequest.Status.choices, label=_("Status"))
    recommendation = IdChoiceFilter(
        field_name="measure__item__recommendation",
        queryset=_all_recommendations,
        label=_("Recommendation"),
    )
    sector = django_filters.ChoiceFilter(
        field_name="measure__unit__sector", choices=Sector.choices, label=_("Sector")
    )
    # 成效统计's period: requests by the day they were made (Beijing time).
    period_after, period_before = period_filters("requested_at", lookup="date")

    class Meta:
        model = ExtensionRequest
        fields = []


class _UnitRecordFilter(django_filters.FilterSet):
    unit = OrgSubtreeFilter(label=_("Unit (with its subunits)"))
    recommendation = IdChoiceFilter(queryset=_all_recommendations, label=_("Recommendation"))
    sector = django_filters.ChoiceFilter(
        field_name="unit__sector", choices=Sector.choices, label=_("Sector")
    )


def _rule_change_day():
    """The day a rule change counts on: its effective date, or the day it was recorded."""
    return Coalesce(
        "effective_on", TruncDate("created_at", tzinfo=SHANGHAI), output_field=DateField()
    )


class RuleChangeFilter(_UnitRecordFilter):
    kind = django_filters.ChoiceFilter(choices=RuleChange.Kind.choices, label=_("Kind"))
    # 成效统计's period: rule changes by their effective date, or the day recorded when none.
    period_after = django_filters.DateFilter(method="effective_from", label=_("Period from"))
    period_before = django_filters.DateFilter(method="effective_to", label=_("Period to"))

    class Meta:
        model = RuleChange
        fields = []

    def effective_from(self, queryset, name, value):
        return queryset.filter(GreaterThanOrEqual(_rule_change_day(), value))

    def effective_to(self, queryset, name, value):
        return queryset.filter(LessThanOrEqual(_rule_change_day(), value))


class ActivityFilter(_UnitRecordFilter):
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label=_("Kind"))
    held_after = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("Held on or after")
    )
    held_before = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("Held on or before")
    )
    # 成效统计's period: activities by the day they were held.
    period_after, period_before = period_filters("held_on")

    class Meta:
        model = Activity
        fields = []


class FollowUpFilter(django_filters.FilterSet):
    recommendation = IdChoiceFilter(queryset=_all_recommendations, label=_("Recommendation"))
    outcome = django_filters.ChoiceFilter(choices=FollowUp.Outcome.choices, label=_("Outcome"))
    conducted = YesNoFilter(
        field_name="conducted_on", lookup_expr="isnull", exclude=True, label=_("Conducted")
    )

    class Meta:
        model = FollowUp
        fields = []


class FollowUpMeasureFilter(django_filters.FilterSet):
    follow_up = IdFilter(field_name="follow_up_id", label=_("Follow-up review"))
    verdict = django_filters.ChoiceFilter(
        choices=FollowUpMeasure.Verdict.choices, label=_("Verdict")
    )

    class Meta:
        model = FollowUpMeasure
        fields = []


class ReboundFlagFilter(django_filters.FilterSet):
    """Possible rebounds (整改反弹) by the new problem's unit (with its subunits) or its case's
    sector; in 成效统计's period by the day flagged."""

    unit = OrgSubtreeFilter(label=_("Unit (with its subunits)"))
    sector = django_filters.ChoiceFilter(
        field_name="problem__case__sector", choices=Sector.choices, label=_("Sector")
    )
    recommendation = IdChoiceFilter(
        field_name="measure__item__recommendation",
        queryset=_all_recommendations,
        label=_("Recommendation"),
    )
    match = django_filters.ChoiceFilter(choices=ReboundFlag.Match.choices, label=_("Matched by"))
    period_after, period_before = period_filters("flagged_at", lookup="date")

    class Meta:
        model = ReboundFlag
        fields = []


class ReconciliationRowFilter(FilterSet):
    """A round's rows: its page filters by status and answer, the API by round as well (an id of
    no round in sight selects nothing, as every id filter: ``core.filters``)."""

    class Meta:
        model = ReconciliationRow
        fields = ["round", "status", "answer", "confirmation"]
