"""Simplified Chinese is the default language and its catalogue is complete."""

import datetime

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from core.domain import TransitionRefused
from reforms import services
from reforms.models import Measure

from .. import factories


def test_the_catalogue_translates_every_message():
    with open(settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po", "rb") as po:
        catalog = read_po(po)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_labels_and_choices_are_chinese_by_default():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override(settings.LANGUAGE_CODE):
        assert Measure._meta.get_field("due_on").verbose_name == "当前时限"
        assert Measure.Status.AWAITING_SIGNOFF.label == "待销号"
    with translation.override("en"):
        assert Measure.Status.AWAITING_SIGNOFF.label == "Awaiting sign-off"


def test_a_refused_transition_speaks_chinese(world, housing_case):
    staff, officer = world.users.city_staff, world.users.housing_officer
    recommendation = factories.issued_recommendation(staff=staff, the_case=housing_case)
    measure = factories.measure(recommendation=recommendation, actor=officer)

    with translation.override("zh-hans"), pytest.raises(TransitionRefused) as refused:
        services.extension_request_submit(
            measure=measure, actor=officer, requested_due_on=datetime.date(2026, 1, 1), reason="x"
        )
    assert str(refused.value) == "申请延期的日期须晚于当前时限。"
