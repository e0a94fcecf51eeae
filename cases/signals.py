"""What the cases app tells the floors above it, without knowing them.

``problems_recorded(sender=Problem, problems=[…], created=bool)`` is sent by
``services.ProblemList.save`` (and so ``problem_add``) and ``services.problem_update`` once the
problems are saved, inside their transaction: rectification (``reforms.rebounds``) compares them
with the problems signed-off measures addressed (整改反弹).
"""

from django.dispatch import Signal

problems_recorded = Signal()
