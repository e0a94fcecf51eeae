"""What the cases app tells the floors above it, without knowing them.

``problem_recorded(sender=Problem, problem=…, created=bool)`` is sent by ``services.problem_add``
and ``services.problem_update`` once the problem is saved, inside their transaction: rectification
(``reforms.rebounds``) compares it with the problems signed-off measures addressed (整改反弹).
"""

from django.dispatch import Signal

problem_recorded = Signal()
