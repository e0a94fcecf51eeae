import datetime

import pytest
from django.db.models import Q

from recommendations.models import Evaluation, Recommendation, RecommendationItem
from tests.accounts.conftest import assert_refused_by_database_and_validation

ISSUED_ON = datetime.date(2026, 1, 5)


def numbered(source, **fields):
    """An unsaved recommendation like ``source``, issued with a document number."""
    values = {
        "kind": source.kind,
        "title": "另一份建议书",
        "issuer": source.issuer,
        "recipient_unit": source.recipient_unit,
        "status": Recommendation.Status.ISSUED,
        "doc_year": 2026,
        "doc_serial": 1,
        "issued_on": ISSUED_ON,
        "reply_due_on": datetime.date(2026, 3, 31),
        "created_by": source.created_by,
    }
    return Recommendation(**values | fields)


@pytest.fixture
def issued(recommendation_in):
    return recommendation_in(Recommendation.Status.ISSUED)


def test_a_document_number_is_used_once_per_issuer_kind_and_year(issued):
    assert (issued.doc_year, issued.doc_serial) == (2026, 1)

    assert_refused_by_database_and_validation(
        numbered(issued), "This document number is already used by the issuer this year."
    )


@pytest.mark.parametrize(
    "other",
    [
        {"kind": Recommendation.Kind.NOTICE},
        {
            "doc_year": 2027,
            "issued_on": datetime.date(2027, 1, 4),
            "reply_due_on": datetime.date(2027, 3, 31),
        },
        {"doc_serial": 2},
        {"status": Recommendation.Status.DRAFT, "doc_year": None, "doc_serial": None},
    ],
    ids=["other_kind", "other_year", "next_serial", "unnumbered_draft"],
)
def test_the_same_serial_is_free_for_another_kind_or_year(issued, other):
    sibling = numbered(issued, **other)

    sibling.validate_constraints()
    sibling.save()

    assert Recommendation.objects.count() == 2


def test_a_second_issuer_numbers_from_one_too(issued, world):
    sibling = numbered(issued, issuer=world.units.group)

    sibling.validate_constraints()
    sibling.save()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        *(
            (
                {missing: None},
                "An issued recommendation needs its document number, issue date and "
                "reply deadline.",
            )
            for missing in ("doc_year", "doc_serial", "issued_on", "reply_due_on")
        ),
        ({"reply_due_on": ISSUED_ON}, "The reply deadline must be after the issue date."),
        (
            {"reply_due_on": ISSUED_ON - datetime.timedelta(days=1)},
            "The reply deadline must be after the issue date.",
        ),
        ({"doc_serial": 0}, "The document serial starts at 1."),
    ],
    ids=[
        "issued_without_year",
        "issued_without_serial",
        "issued_without_date",
        "issued_without_deadline",
        "reply_due_on_issue_day",
        "reply_due_before_issue",
        "serial_zero",
    ],
)
def test_the_database_refuses_an_impossible_recommendation(issued, fields, message):
    for name, value in fields.items():
        setattr(issued, name, value)

    assert_refused_by_database_and_validation(issued, message)

    issued.refresh_from_db()
    assert (issued.doc_serial, issued.issued_on) == (1, ISSUED_ON)


def test_a_draft_needs_no_number_nor_dates(recommendation_in):
    draft = recommendation_in(Recommendation.Status.DRAFT)
    draft.reply_due_on = None

    draft.validate_constraints()
    draft.save()
    assert draft.doc_number == ""


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (1, "Item numbers are unique within a recommendation."),
        (0, "Item numbers start at 1."),
    ],
    ids=["duplicate_number", "number_zero"],
)
def test_the_database_refuses_a_misnumbered_item(issued, number, message):
    item = RecommendationItem(recommendation=issued, number=number, content="重复的事项")

    assert_refused_by_database_and_validation(item, message)
    assert list(issued.items.values_list("number", flat=True)) == [1]


def test_item_numbers_restart_in_each_recommendation(issued, recommendation_in):
    other = recommendation_in(Recommendation.Status.DRAFT, items=2)

    assert list(other.items.values_list("number", flat=True)) == [1, 2]
    assert list(issued.items.values_list("number", flat=True)) == [1]


def test_the_database_refuses_a_score_above_100(recommendation_in, world):
    closed = recommendation_in(Recommendation.Status.CLOSED)
    evaluation = Evaluation(
        recommendation=closed,
        method=Evaluation.Method.WRITTEN,
        score=101,
        rating=Evaluation.Rating.EXCELLENT,
        evaluated_by=world.users.city_staff,
        evaluated_on=datetime.date(2026, 9, 1),
    )

    assert_refused_by_database_and_validation(evaluation, "The score is between 0 and 100.")

    evaluation.score = 100
    evaluation.validate_constraints()
    evaluation.save()
    assert Evaluation.objects.get().score == 100


def test_the_document_number_reads_as_printed(world):
    formatted = Recommendation.format_doc_number(
        issuer=world.units.county, kind=Recommendation.Kind.NOTICE, year=2021, serial=3
    )

    assert formatted == "朝纪改〔2021〕3号"


def test_the_late_replies_index_covers_the_letters_awaiting_a_reply():
    index = next(
        index
        for index in Recommendation._meta.indexes
        if index.name == "recommendation_awaiting_reply"
    )
    assert index.condition == Q(status__in=list(Recommendation.AWAITING_REPLY))
