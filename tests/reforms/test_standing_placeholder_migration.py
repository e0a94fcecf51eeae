"""Migration ``reforms.0028``: a standing measure planned with a date of its own, or one an old
extension moved, stores its letter's reply deadline afterwards, as one planned today does."""

import datetime
import importlib

from django.apps import apps

from reforms.models import Measure
from tests import factories

from .conftest import DUE_ON

migration = importlib.import_module(
    "reforms.migrations.0028_standing_measures_keep_the_placeholder"
)


def test_standing_measures_take_the_placeholder_and_dated_ones_keep_their_dates(
    world, letter, django_assert_max_num_queries
):
    officer = world.users.housing_officer
    dated = factories.measure(recommendation=letter, actor=officer)
    own_date, extended = (
        factories.measure(recommendation=letter, actor=officer, is_standing=True) for _ in "ab"
    )
    # As such rows were stored before the rule: a date of the unit's own, an approved extension.
    Measure.objects.filter(pk=own_date.pk).update(
        original_due_on=datetime.date(2026, 3, 1), due_on=datetime.date(2026, 3, 1)
    )
    Measure.objects.filter(pk=extended.pk).update(due_on=datetime.date(2027, 6, 30))

    with django_assert_max_num_queries(1):  # one statement, whatever the number of rows
        migration.keep_the_placeholder(apps, None)

    rows = Measure.objects.values_list("pk", "original_due_on", "due_on")
    placeholder = (letter.reply_due_on, letter.reply_due_on)
    assert {pk: (original, due) for pk, original, due in rows} == {
        dated.pk: (DUE_ON, DUE_ON),
        own_date.pk: placeholder,
        extended.pk: placeholder,
    }
