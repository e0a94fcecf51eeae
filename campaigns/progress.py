"""A campaign's progress in aggregate queries: per unit (the campaign page, the spreadsheet) and
per campaign (the list, the dashboard). Measures are those planned on the units' self-inspection
lists, read through ``Measure.objects.open()`` / ``overdue()``: the query count does not grow with
the number of units."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from core.domain import shanghai_today
from recommendations.models import Recommendation
from reforms.models import Measure

from .models import CampaignAnswer, CampaignUnit, SpotCheckFinding


def _measure_count(measures, outer: str):
    counted = (
        measures.filter(item__recommendation=OuterRef(outer))
        .order_by()
        .values("item__recommendation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _found_count(outer: str):
    counted = (
        CampaignAnswer.objects.filter(campaign_unit=OuterRef(outer), found=True)
        .order_by()
        .values("campaign_unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_unit_progress(campaign_units):
    """Each campaign unit with ``found_count``, ``open_count`` and ``overdue_count``."""
    return campaign_units.annotate(
        found_count=_found_count("pk"),
        open_count=_measure_count(Measure.objects.open(), "rectification"),
        overdue_count=_measure_count(Measure.objects.overdue(), "rectification"),
    )


def per_inspector(campaign):
    """交叉检查: per inspector unit, the units it inspects (``inspected``), the problems its
    inspections found (``found``), the spot checks' findings on those units (``spot_checked``) and
    those it should have found (``missed``, 应发现未发现). One query, whatever the units."""

    def counted(model, outer: str, **where):
        return Coalesce(
            Subquery(
                model.objects.filter(
                    **{
                        f"{outer}__campaign": campaign,
                        f"{outer}__inspector": OuterRef("inspector"),
                    },
                    **where,
                )
                .order_by()
                .values(f"{outer}__inspector")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    return (
        CampaignUnit.objects.filter(campaign=campaign, inspector__isnull=False)
        .order_by("inspector__path")
        .values("inspector", "inspector__name")
        .annotate(
            inspected=Count("pk"),
            found=counted(CampaignAnswer, "campaign_unit", found=True),
            spot_checked=counted(SpotCheckFinding, "campaign_unit"),
            missed=counted(SpotCheckFinding, "campaign_unit", missed=True),
        )
    )


def with_list_visible(campaign_units, user):
    """Each row with ``list_visible``: whether ``user`` reads the unit's rectification list
    (``Recommendation.objects.restrict``, the one home). An inspector unit's officer (交叉检查)
    does not: the pages, the sheet and the API then show neither the list nor its measures."""
    visible = Recommendation.objects.restrict(user).filter(pk=OuterRef("rectification"))
    return campaign_units.annotate(list_visible=Exists(visible))


def per_campaign(campaigns):
    """Campaigns annotated with their figures (the page's totals, the list and the dashboard):
    targeted, answered, units that found problems, late (not answered past the deadline), urged,
    problems found, measures open and overdue. One query."""
    today = shanghai_today()
    return campaigns.annotate(
        targeted=Count("units", distinct=True),
        answered=Count(
            "units", filter=Q(units__status=CampaignUnit.Status.ANSWERED), distinct=True
        ),
        found_units=Count("units", filter=Q(units__rectification__isnull=False), distinct=True),
        late=Count(
            "units",
            filter=Q(units__status=CampaignUnit.Status.PENDING, answer_due_on__lt=today),
            distinct=True,
        ),
        urged=Count("units", filter=Q(units__urged_count__gt=0), distinct=True),
        found=Count("units__answers", filter=Q(units__answers__found=True), distinct=True),
        open_measures=Count(
            "units__rectification__items__measures",
            filter=Q(units__rectification__items__measures__in=Measure.objects.open()),
            distinct=True,
        ),
        overdue_measures=Count(
            "units__rectification__items__measures",
            filter=Q(units__rectification__items__measures__in=Measure.objects.overdue()),
            distinct=True,
        ),
    )
