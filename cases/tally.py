"""The problems counted by their case's unit, their own unit, category and process stage
(``ProblemTally``, kept by the triggers of migration ``0011``), checked against the problems.

The nightly ``reforms.tasks.roll_tally`` calls ``PROBLEMS.check``: a drift (there should be none)
is repaired at once and reported to the system administrators.
"""

from django.db.models import Count

from core.tallies import Tally

from .models import Problem, ProblemTally


def recount() -> dict[tuple, int]:
    """``{(case unit, unit, category, stage): problems}`` counted from the problems."""
    rows = (
        Problem.objects.order_by()
        .values_list("case__case_unit", "unit", "category", "process_stage")
        .annotate(n=Count("pk"))
    )
    return {tuple(row[:-1]): row[-1] for row in rows}


PROBLEMS = Tally(
    ProblemTally,
    ("case_unit", "unit", "category", "process_stage"),
    recount,
    ("cases_problem", "cases_case"),
)
