"""Sections that higher apps add to a measure's page: reforms imports none of them.

An app registers, from its ``ready()``, a function of the measure and the reader that returns a
``MeasureSection`` (a template and its context) or None when it has nothing to show this reader.
The measure page includes each in the order registered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Measure


@dataclass(frozen=True)
class MeasureSection:
    template: str
    context: dict = field(default_factory=dict)


MeasureSectionSource = Callable[[Measure, object], MeasureSection | None]
_SOURCES: list[MeasureSectionSource] = []


def register_measure_section(source: MeasureSectionSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def measure_sections(measure: Measure, user) -> list[MeasureSection]:
    return [section for source in _SOURCES if (section := source(measure, user)) is not None]
