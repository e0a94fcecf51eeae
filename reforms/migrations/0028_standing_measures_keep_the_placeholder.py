"""A standing measure stores its letter's reply deadline (or its issue date) as the date no page
shows, whatever date it was planned with (``reforms.services.standing_placeholder``): a date sent
beside 长期坚持 by a spreadsheet or an API client, or moved by an extension approved before standing
measures refused them, went on ordering it among the standing measures of every list."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def keep_the_placeholder(apps, schema_editor):
    Measure = apps.get_model("reforms", "Measure")
    Recommendation = apps.get_model("recommendations", "Recommendation")
    placeholder = Subquery(
        Recommendation.objects.filter(items=OuterRef("item_id"))
        .annotate(day=Greatest(Coalesce("reply_due_on", "issued_on"), "issued_on"))
        .values("day")
    )
    elsewhere = (
        Measure.objects.filter(is_standing=True)
        .annotate(placeholder=placeholder)
        .exclude(due_on=F("placeholder"), original_due_on=F("placeholder"))
    )
    Measure.objects.filter(pk__in=elsewhere.values("pk")).update(
        original_due_on=placeholder, due_on=placeholder
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0011_recommendation_list_orders"),
        ("reforms", "0027_measure_department_optional"),
    ]

    operations = [
        # The dates set aside were never shown: there is nothing to restore.
        migrations.RunPython(keep_the_placeholder, migrations.RunPython.noop, elidable=True),
    ]
