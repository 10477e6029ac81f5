"""What the optimizer slips need to know about a Solution's optimizer, and their rules: which steps
are its buffers and quantities, its constants, and each slip as a formula or leaf rule that changes
only the optimizer's steps (update phase), so a slip of Adam is never named in a forward pass."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction

from ...engine.expr import Call, Expr, Num, Sym, Updated
from ...engine.optimizers import OPTIMIZERS, Optimizer, Settings
from ...solution import ETA, Solution, Step
from ...solution.optimize import state_expr
from ..recompute import FormulaRule, LeafRule
from .optimizer_rewrite import Rewrite, rewrite


class OptimizerFacts:
    """A Solution's optimizer as the slips see it."""

    def __init__(self, sol: Solution) -> None:
        training = sol.problem.training
        self.settings = training.optimizer if training else Settings()
        rule = self.settings.optimizer
        trainable = sol.graph.trainable
        self.kind = self.settings.kind
        self.form = rule.summary
        self.gradients = {f"g_{p}" for p in trainable}
        self.buffers = {f"{b}_{p}" for b in rule.buffers for p in trainable}
        self.quantity: dict[Expr, tuple[str, str]] = {}  # a step's target ↦ (quantity, parameter)
        for p in trainable:
            self.quantity[Updated(p)] = ("w+", p)
            for q in rule.quantities:
                self.quantity[state_expr(q + "+" if q in rule.buffers else q, p)] = (q, p)
        self.constants: dict[Expr, Fraction] = {Sym(k): v for k, v in self.settings.symbols.items()}
        if training is not None:
            self.constants[ETA] = training.learning_rate
        self.other_forms = [
            o for (kind, form), o in OPTIMIZERS.items() if kind == self.kind and form != self.settings.form
        ]

    def explains(self, slip: str) -> bool:
        """The optimizer's table entry lists the slip among those its rule can explain."""
        return slip in self.settings.optimizer.slips

    def in_updates(self, r: Rewrite) -> FormulaRule:
        """The rewrite applied to the optimizer's steps."""

        def formula(s: Step) -> Expr:
            return rewrite(s.formula, r) if s.phase == "update" else s.formula

        return formula

    def in_buffers(self, change: Callable[[Expr], Expr]) -> FormulaRule:
        """A change of the buffers' own updates (m⁺, v⁺, G⁺, the velocity)."""

        def formula(s: Step) -> Expr:
            t = s.target
            if s.phase == "update" and isinstance(t, Updated) and t.name in self.buffers:
                return change(s.formula)
            return s.formula

        return formula

    def restarted(self) -> LeafRule:
        """Every buffer taken as 0 before the update, as if the run started again."""

        def leaf(s: Step, x: Expr, v: float) -> float:
            return 0.0 if s.phase == "update" and isinstance(x, Sym) and x.name in self.buffers else v

        return leaf

    def other_form(self, other: Optimizer) -> FormulaRule:
        """Each step worked by the other form's rule for the same quantity (momentum's textbook
        v ← μ·v − η·g, w⁺ = w + v for PyTorch's v ← μ·v + g, w⁺ = w − η·v, or back)."""

        def formula(s: Step) -> Expr:
            found = self.quantity.get(s.target) if s.phase == "update" else None
            if found is None:
                return s.formula
            q, p = found
            own = {leaf: leaf for leaf, _, _ in s.leaves}  # the step's own leaf objects (see recompute)

            def x(n: str) -> Expr:
                e = state_expr(n, p)
                if e in own:
                    return own[e]
                return Num(self.constants[e]) if e in self.constants else e

            new = other.formulas(s.update, x).get(q)
            if new is None or any(e not in own for e in _leaves(new)):
                return s.formula  # the other rule needs a number this step does not have
            return new

        return formula


def no_learning_rate(s: Step, x: Expr, v: float) -> float:
    """η taken as 1 in the optimizer's steps: the learning rate forgotten."""
    return 1.0 if x == ETA and s.phase == "update" else v


def _leaves(e: Expr) -> Iterator[Expr]:
    if isinstance(e, Call):
        for a in e.args:
            yield from _leaves(a)
    elif not isinstance(e, Num):
        yield e
