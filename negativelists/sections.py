"""The negative lists a measure's page shows: those drawn up to fulfil it (the measure
"制定负面清单"), as the reader may see them."""

from django.db.models import Count

from reforms.sections import MeasureSection

from .models import NegativeList


def negative_lists_of_the_measure(measure, user) -> MeasureSection | None:
    lists = list(
        NegativeList.objects.restrict(user)
        .filter(measure=measure)
        .annotate(entry_count=Count("entries"))
        .order_by("-created_at", "-pk")
    )
    if not lists:
        return None
    return MeasureSection("negativelists/_measure_section.html", {"negative_lists": lists})
