"""The problems counted by their case's unit, their own unit, category and process stage
(``ProblemTally``, kept by the triggers of migration ``0011``), checked against the problems.

The nightly ``reforms.tasks.roll_tally`` calls ``check``: a drift (there should be none) is
repaired at once and reported to the system administrators.
"""

from django.db.models import Count

from core import tallies

from .models import Problem, ProblemTally

KEY = ("case_unit", "unit", "category", "process_stage")


def recount() -> dict[tuple, int]:
    """``{(case unit, unit, category, stage): problems}`` counted from the problems."""
    rows = (
        Problem.objects.order_by()
        .values_list("case__case_unit", "unit", "category", "process_stage")
        .annotate(n=Count("pk"))
    )
    return {tuple(row[:-1]): row[-1] for row in rows}


def kept() -> dict[tuple, int]:
    """The same as the tally holds it (empty rows left out)."""
    return tallies.kept(ProblemTally, KEY)


def drift(expected: dict, held: dict) -> list[dict]:
    """Each key whose kept count differs from the problems."""
    return tallies.drift(expected, held, KEY)


def check() -> list[dict]:
    """Compare the tally with a recount while problem and case writes wait; repair what
    differs."""
    return tallies.check(ProblemTally, KEY, recount, ("cases_problem", "cases_case"))
