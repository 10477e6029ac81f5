"""Problem → Solution: the forward pass, the chain rule on the graph and the SGD updates, as Steps.

Every renderer and the checker read the same `Step` records. Values come from the compiled graph
(engine/compile.py); formulas come from the graph's local derivatives, along its one reverse sweep.
Working is built only for the update steps that will be shown; all other updates run the compiled
code alone. The modules, by job:
  plan.py          epochs, batches, update counts, which updates are worked (the CLI reads it too)
  records.py       Step, Epoch, Worked, Solution, NumericError
  context.py       the problem's graph, compiled code and everything the working shares
  ids.py           step ids          steps.py   one Step: substitution, leaves, dependencies
  chain.py         how each gradient is written   closed_forms.py   gradients in the problem's names
  notes.py         rule notes and conventions
  working.py       one example's forward and backward Steps
  updates.py       the batch's sums and the SGD updates
  run.py           the training loop, `solve` and `solve_by_hand` (the working of sheets)
"""

from .context import build
from .plan import Plan
from .records import Epoch, NumericError, Solution, Step, Value, Worked
from .run import solve, solve_by_hand
from .updates import ETA

__all__ = [
    "ETA",
    "Epoch",
    "NumericError",
    "Plan",
    "Solution",
    "Step",
    "Value",
    "Worked",
    "build",
    "solve",
    "solve_by_hand",
]
