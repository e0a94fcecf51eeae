"""A measure's department is optional, as the API and the service had it; no SQL (``blank``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reforms", "0026_follow_up_rebound_of_a_standing_measure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="measure",
            name="department",
            field=models.CharField(blank=True, max_length=100, verbose_name="owning department"),
        ),
    ]
