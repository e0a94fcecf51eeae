"""Shared by the domain tests: refusals read in English, so assertions name the exact message."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def assert_refused_by_database_and_validation(instance, message):
    """The row breaks a constraint: ``validate_constraints`` names it; the database refuses it."""
    with pytest.raises(ValidationError) as refusal:
        instance.validate_constraints()
    assert message in refusal.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()
