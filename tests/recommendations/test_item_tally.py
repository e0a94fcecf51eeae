"""The letters' items counted by recipient unit, drafts apart (``recommendations.ItemTally``):
kept by the database's triggers through every write path of items and letters, equal to a
recount after a random series of them, read by 成效统计, and checked every night.
"""

import datetime
import random

import pytest
from django.db import connection, transaction
from django.db.models import F, Max, Sum
from rest_framework.test import APIClient

from cases.models import Case
from notifications.models import Notification
from recommendations import services
from recommendations.models import ItemTally, Recommendation, RecommendationItem
from recommendations.tally import ITEMS
from reforms import tasks
from tests import factories

D = datetime.date


def assert_no_drift(after=()):
    assert ITEMS.drift() == [], after


class Operations:
    """Each write path of an item or a letter, applied to a random letter it suits."""

    def __init__(self, world, rng: random.Random):
        self.world, self.rng = world, rng
        self.staff = world.users.city_staff
        self.units = [world.units.housing, world.units.station]
        self.cases = {
            unit.pk: factories.case(
                case_unit=unit, commission=world.units.city, created_by=self.staff
            )
            for unit in self.units
        }

    def letters(self, *statuses):
        letters = Recommendation.objects.order_by("pk")
        return list(letters.filter(status__in=statuses) if statuses else letters)

    def draft(self):
        return self.rng.choice(self.letters(Recommendation.Status.DRAFT) or [self.write_a_draft()])

    def write_a_draft(self):
        unit = self.rng.choice(self.units)
        return factories.draft_recommendation(
            staff=self.staff, the_case=self.cases[unit.pk], items=self.rng.randint(0, 3)
        )

    def add_an_item(self):
        self.add_an_item_to(self.draft())

    def add_an_item_to(self, letter):
        services.recommendation_item_add(
            recommendation=letter,
            actor=self.staff,
            content="另一项建议",
            problems=[factories.problem(letter.cases.first())],
        )

    def remove_an_item(self):
        items = list(
            RecommendationItem.objects.filter(recommendation__status="draft").order_by("pk")
        )
        if items:
            services.recommendation_item_remove(item=self.rng.choice(items), actor=self.staff)

    def add_items_in_bulk(self):
        letter = self.rng.choice(self.letters())
        last = letter.items.aggregate(last=Max("number"))["last"] or 0
        RecommendationItem.objects.bulk_create(
            RecommendationItem(recommendation=letter, number=last + n, content="批量写入的建议")
            for n in range(1, self.rng.randint(2, 5))
        )

    def move_an_item_to_another_letter(self):
        letters = self.letters()
        items = list(RecommendationItem.objects.order_by("pk"))
        if not items or len(letters) < 2:
            return
        item = self.rng.choice(items)
        other = self.rng.choice(
            [letter for letter in letters if letter.pk != item.recommendation_id]
        )
        last = other.items.aggregate(last=Max("number"))["last"] or 0
        RecommendationItem.objects.filter(pk=item.pk).update(recommendation=other, number=last + 1)

    def issue(self):
        issuable = [
            letter
            for letter in self.letters(Recommendation.Status.DRAFT)
            if letter.items.exists() and not letter.items.filter(problems__isnull=True).exists()
        ]
        letter = self.rng.choice(issuable) if issuable else self.write_a_draft()
        if not letter.items.exists():
            self.add_an_item_to(letter)
        services.recommendation_issue(
            recommendation=letter, actor=self.staff, issued_on=D(2026, 5, 4)
        )

    def readdress_in_the_service(self):
        letter = self.draft()
        other = next(unit for unit in self.units if unit.pk != letter.recipient_unit_id)
        services.recommendation_update(
            recommendation=letter,
            actor=self.staff,
            title=letter.title,
            issuer=letter.issuer,
            recipient_unit=other,
            # With the cases of the problems its items cite (an item moved in bulk brings its own).
            cases={
                *letter.cases.all(),
                *Case.objects.filter(problems__recommendation_items__recommendation=letter),
            },
            reply_due_on=letter.reply_due_on,
            kind=letter.kind,
        )

    def readdress_in_bulk(self):
        unit = self.rng.choice(self.units)
        Recommendation.objects.exclude(recipient_unit=unit).filter(
            pk__in=[letter.pk for letter in self.letters()[::2]]
        ).update(recipient_unit=unit)

    def back_to_draft_in_bulk(self):
        sent = self.letters(Recommendation.Status.ISSUED)
        if sent:
            Recommendation.objects.filter(pk=self.rng.choice(sent).pk).update(status="draft")

    def delete_a_draft(self):
        services.recommendation_delete(recommendation=self.draft(), actor=self.staff)

    def delete_a_letter_before_its_items(self):
        """Raw SQL in that order (the foreign key is checked at commit): the letter's trigger
        takes its items away, and theirs then find no letter."""
        never_sent = Recommendation.objects.filter(status="draft", transitions__isnull=True)
        letter = self.rng.choice(list(never_sent.order_by("pk")) or [self.write_a_draft()])
        items = "SELECT id FROM recommendations_recommendationitem WHERE recommendation_id = %s"
        with connection.cursor() as cursor:
            for statement in (
                "DELETE FROM recommendations_recommendation_cases WHERE recommendation_id = %s",
                "DELETE FROM recommendations_recommendation WHERE id = %s",
                f"DELETE FROM recommendations_recommendationitem_problems "
                f"WHERE recommendationitem_id IN ({items})",
                f"DELETE FROM recommendations_recommendationitem WHERE id IN ({items})",
            ):
                cursor.execute(statement, [letter.pk])

    def all(self):
        return [
            self.write_a_draft,
            self.add_an_item,
            self.add_an_item,
            self.remove_an_item,
            self.add_items_in_bulk,
            self.move_an_item_to_another_letter,
            self.issue,
            self.readdress_in_the_service,
            self.readdress_in_bulk,
            self.back_to_draft_in_bulk,
            self.delete_a_draft,
            self.delete_a_letter_before_its_items,
        ]


@pytest.fixture
def operations(world):
    return Operations(world, random.Random(0))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tally_equals_a_recount_after_random_writes_by_every_path(world, seed):
    operations = Operations(world, random.Random(seed))
    # Every path three times, in a random order, the tally checked after each write.
    steps = list(enumerate(operations.all())) * 3
    operations.rng.shuffle(steps)
    for done, (_number, step) in enumerate(steps):
        with transaction.atomic():
            step()
        assert_no_drift(after=[number for number, _step in steps[: done + 1]])

    # The readers, with a draft and a letter sent to each unit at least.
    for unit in operations.units:
        the_case = operations.cases[unit.pk]
        factories.draft_recommendation(staff=operations.staff, the_case=the_case, items=2)
        factories.issued_recommendation(staff=operations.staff, the_case=the_case, items=2)
    assert_no_drift()
    assert {key[1] for key in ITEMS.kept()} == {True, False}
    # Each reader's sum is the number of items it may see: drafts are not a unit officer's.
    for user in (world.users.supervisor, world.users.city_staff, world.users.housing_officer):
        kept = ItemTally.objects.restrict(user).aggregate(n=Sum("n"))["n"] or 0
        assert kept == RecommendationItem.objects.restrict(user).count(), user


def test_a_rolled_back_write_leaves_the_tally_as_it_was(operations):
    operations.write_a_draft()
    before = ITEMS.kept()
    with pytest.raises(RuntimeError), transaction.atomic():
        operations.add_items_in_bulk()
        operations.issue()
        raise RuntimeError("broken off")
    assert ITEMS.kept() == before
    assert_no_drift()


def test_statistics_read_the_items_from_the_tally_and_equal_a_count(
    world, operations, django_assert_num_queries
):
    for step in (operations.write_a_draft, operations.write_a_draft, operations.issue):
        step()
    supervisor = world.users.supervisor
    client = APIClient()
    client.force_authenticate(supervisor)
    housing = world.units.housing
    scopes = {
        "": RecommendationItem.objects.restrict(supervisor),
        f"unit={housing.pk}": RecommendationItem.objects.filter(
            recommendation__recipient_unit__path__startswith=housing.path
        ),
        "sector=construction": RecommendationItem.objects.filter(
            recommendation__recipient_unit__sector="construction"
        ),
        # A period is counted from the items: the tally keeps no dates.
        "period_after=2026-05-01&period_before=2026-05-31": RecommendationItem.objects.filter(
            recommendation__issued_on__range=(D(2026, 5, 1), D(2026, 5, 31))
        ),
    }
    for query, items in scopes.items():
        answer = client.get(f"/api/v1/statistics/?{query}")
        assert answer.status_code == 200, answer.content
        assert answer.json()["items"]["total"] == items.count() > 0, query


def test_the_nightly_job_reports_drift_to_the_system_administrators_and_mends_it(world, operations):
    operations.write_a_draft()
    operations.add_items_in_bulk()
    ItemTally.objects.update(n=F("n") + 2)  # as a broken trigger would

    result = tasks.roll_tally()

    assert result["item_drift"] >= 1
    told = Notification.objects.get(dedupe_key=f"item-tally-drift:{result['as_of']}")
    assert told.recipient == world.users.system_admin
    assert_no_drift()


def test_the_nightly_job_is_silent_when_the_tally_is_right(world, operations):
    operations.write_a_draft()
    assert tasks.roll_tally()["item_drift"] == 0
    assert not Notification.objects.filter(dedupe_key__startswith="item-tally-drift:").exists()
