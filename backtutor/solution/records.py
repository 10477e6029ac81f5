"""What a worked solution is made of: Steps, the loss per epoch, each worked example's numbers, and the
Solution that holds them. Every renderer and the checker read these records, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from ..display import Displayed
from ..engine.expr import Expr
from ..engine.graph import Graph
from ..errors import InputError
from ..problem.load import Problem
from .plan import Plan

Value = Fraction | float  # given numbers stay exact (Fraction) so they print as the file wrote them
ValueOf = Callable[[Expr], Value | None]  # a formula leaf's number; None for a call with no known value


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the working: a quantity, its formula, the numbers substituted and the value."""

    id: str
    phase: str  # "forward", "backward" or "update"
    target: Expr  # the quantity: Sym("net_h1"), Deriv("E", "w5"), Updated("w5")
    formula: Expr
    substitution: Expr | None  # the formula with numbers in; None when there is nothing to substitute
    value: float
    depends_on: tuple[str, ...] = ()
    update: int = 1
    example: int | None = None  # position in the batch; None for batch-level steps
    closed_form: Expr | None = None  # gradients of parameters: the derivative in the problem's names
    note: str = ""  # a rule shown the first time it is used
    # each leaf of the formula, the id of the step that computes it (None: given), and its value;
    # what `check` needs to recompute the step from a student's own earlier numbers
    leaves: tuple[tuple[Expr, str | None, Value], ...] = ()


@dataclass(frozen=True, slots=True)
class Epoch:
    """The loss over the data set and the parameters after an epoch (or an update) of training."""

    epoch: int  # 0: before training
    loss: float  # loss over the whole data set, reduced as the problem says
    params: tuple[float, ...]  # graph.params order
    update: int = 0  # updates done when it was recorded


@dataclass(frozen=True, slots=True)
class Worked:
    """The numbers of one worked example at one update: what renderers and the checker read
    instead of rebuilding them from the Steps."""

    update: int
    example: int | None  # position in the batch, None when the batch is one example
    index: int  # 0-based position in the data set
    values: dict[str, Value]  # every node (inputs, targets, parameters, computed values)
    gradients: dict[str, float]  # ∂loss/∂node for every node on a path to the loss (the loss: 1)


class NumericError(InputError):
    """A value that cannot be computed (log of a negative number, overflow, a diverging run)."""


@dataclass(frozen=True, repr=False)  # a notebook shows it (Displayed); repr() is a one-line summary
class Solution(Displayed):
    """A worked problem: its steps, the training history and the plan; what renderers and the checker read."""

    problem: Problem
    graph: Graph
    steps: tuple[Step, ...]
    history: tuple[Epoch, ...]  # epoch 0, then each epoch (every k-th on runs over MAX_HISTORY epochs)
    plan: Plan  # epochs, batches and update counts of the run
    shown: tuple[int, ...]  # update steps whose working is in `steps`
    conventions: tuple[str, ...]
    worked: tuple[Worked, ...] = ()  # per worked update and example, in working order
    # update t ↦ every parameter's value during update t (before it), for each worked update
    parameters_during: dict[int, dict[str, Value]] = field(default_factory=dict)
    # before training, then after every update, when an epoch has several (Plan.tracks_updates)
    update_history: tuple[Epoch, ...] = ()

    def __repr__(self) -> str:  # the dataclass's would print every step
        title = self.problem.title or self.problem.path
        updates = f"{self.updates} update{'s' if self.updates != 1 else ''}"
        return f"<Solution of {title!r}: {len(self.steps)} steps, {updates}>"

    @property
    def updates(self) -> int:
        """Update steps in the whole run."""
        return self.plan.updates

    @property
    def updates_per_epoch(self) -> int:
        return self.plan.updates_per_epoch

    def values(self, t: int = 1, k: int | None = None) -> dict[str, Value]:
        """Every node's value in worked update t, example k (None: the only one, or the first)."""
        return self._worked(t, k).values

    def gradients(self, t: int = 1, k: int | None = None) -> dict[str, float]:
        """∂loss/∂node in worked update t, example k (None: the only one, or the first)."""
        return self._worked(t, k).gradients

    def _worked(self, t: int, k: int | None) -> Worked:
        for w in self.worked:
            if w.update == t and (k is None or w.example == k):
                return w
        raise KeyError(f"update {t}" + (f", example {k}" if k is not None else "") + " was not worked")

    def step(self, step_id: str) -> Step:
        return self._index()[step_id]

    def _index(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}

    def working_for(self, *step_ids: str) -> list[Step]:
        """The steps that lead to these quantities, in working order."""
        index = self._index()
        for step_id in step_ids:
            if step_id not in index:
                raise KeyError(step_id)
        needed: set[str] = set()
        todo = list(step_ids)
        while todo:
            s = todo.pop()
            if s in needed or s not in index:
                continue
            needed.add(s)
            todo.extend(index[s].depends_on)
        return [s for s in self.steps if s.id in needed]

    @property
    def final(self) -> dict[str, float]:
        return dict(zip(self.graph.params, self.history[-1].params, strict=True))
