"""An optimizer other than plain SGD across a run: its state (the buffers each parameter carries from
one update to the next) and each update, by numbers alone or worked in Steps.

Every quantity the rule computes is a Step of its own (docs/reference/step-ids.md): the gradient the rule
uses `g_w5` (∂E/∂w5, plus λ·w5 with coupled weight decay), the buffers after the update `m_w5+`,
`v_w5+`, `G_w5+`, the bias-corrected `m_hat_w5`, `v_hat_w5`, the step taken `step_w5` and the new
parameter `w5+`. Both ways use the table's number rule, so a run gives the same numbers whichever
updates it shows.
"""

from __future__ import annotations

from fractions import Fraction

from ..engine.expr import Call, Deriv, Expr, Sym, Updated
from ..engine.optimizers import SYMBOLS, Settings, describe, float_constants
from ..errors import InputError
from .context import Context
from .ids import quantity
from .records import Step, Value
from .steps import formula_leaves, substitute
from .updates import ETA, reduce

DECAY = Sym("lambda")
Leaf = tuple[str | None, Value]  # the id of the step that computes a leaf (None: given), its value


def state_expr(n: str, name: str) -> Expr:
    """The Expr of a name in the optimizer table's formulas, for parameter `name` (check's slips
    rebuild a step under another rule with it)."""
    fixed: dict[str, Expr] = {"w": Sym(name), "g": Sym(f"g_{name}"), "eta": ETA, "lambda": DECAY}
    if n in fixed:
        return fixed[n]
    if n == "w+":
        return Updated(name)
    if n in SYMBOLS:
        return Sym(n)
    if n.endswith("+"):
        return Updated(f"{n[:-1]}_{name}")
    return Sym(f"{n}_{name}")


class Optimizing:
    def __init__(self, ctx: Context, settings: Settings, learning_rate: Fraction) -> None:
        self.ctx, self.settings, self.rule = ctx, settings, settings.optimizer
        self.learning_rate = learning_rate
        self.k = float_constants(settings, learning_rate)
        self.at = [self.rule.quantities.index(b) for b in self.rule.buffers]
        self.state = [(0.0,) * len(self.rule.buffers) for _ in ctx.graph.trainable]
        self.decay = self.k["weight_decay"] if settings.coupled else 0.0  # added to the gradient
        self.worked = 0  # the last update worked in Steps (its buffers are steps the next one uses)
        self.noted = False
        self._names_free()

    def _names_free(self) -> None:
        """The state's names must not be names of the model (`m_w5` would mean two things)."""
        taken = self.ctx.graph.nodes
        for name in self.ctx.graph.trainable:
            for q in ("g", *self.rule.quantities):
                if f"{q}_{name}" in taken:
                    raise InputError(
                        f"training.optimizer: '{q}_{name}' is the name the working gives the "
                        f"optimizer's {q} of {name}, and the model uses it too; rename it"
                    )

    def numbers(self, j: int, t: int, w: float, grad: float) -> tuple[float, tuple[float, ...]]:
        """The gradient used (weight decay added when coupled) and the rule's values for trainable
        parameter j in update t; the state moves on."""
        g = grad + self.decay * w if self.decay else grad
        values = self.rule.numbers(self.k, t, w, g, self.state[j])
        self.state[j] = tuple([values[i] for i in self.at])
        return g, values

    def fast(self, t: int, params: list[float], train: list[int], grads: list[float]) -> None:
        """Update t by numbers alone (grads: the batch's gradient of each trainable parameter)."""
        # `numbers` inlined: this loop is the whole cost of a long run
        rule, k, decay, at, state = self.rule.numbers, self.k, self.decay, self.at, self.state
        for j, (i, grad) in enumerate(zip(train, grads, strict=True)):
            w = params[i]
            values = rule(k, t, w, grad + decay * w, state[j])
            state[j] = tuple([values[a] for a in at])
            params[i] = values[-1]

    def worked_steps(
        self, t: int, shown_params: dict[str, Value], grads: list[dict[str, float]]
    ) -> tuple[list[Step], list[float]]:
        """Update t in Steps, each parameter's quantities in the rule's order; and the new values."""
        out: list[Step] = []
        new: list[float] = []
        for j, name in enumerate(self.ctx.graph.trainable):
            before = self.state[j]
            grad = reduce([gr[name] for gr in grads], self.ctx.mean)
            g, values = self.numbers(j, t, float(shown_params[name]), grad)
            out += self._parameter(t, name, shown_params[name], (grad, g), before, values)
            new.append(values[-1])
        self.worked = t
        return out, new

    def _parameter(
        self,
        t: int,
        name: str,
        w: Value,
        grads: tuple[float, float],
        before: tuple[float, ...],
        values: tuple[float, ...],
    ) -> list[Step]:
        """The steps of one parameter's update: g (with coupled decay), each quantity, then w⁺."""
        ids, loss = self.ctx.ids, self.ctx.graph.loss
        leaves: dict[Expr, Leaf] = {
            Sym(name): (ids.leaf(Sym(name), t, None), w),
            Deriv(loss, name): (ids.leaf(Deriv(loss, name), t, None), grads[0]),
            ETA: (None, self.learning_rate),
            DECAY: (None, self.settings.weight_decay),
        }
        leaves.update({Sym(k): (None, v) for k, v in self.settings.symbols.items()})
        previous = t > 1 and self.worked == t - 1
        for b, v in zip(self.rule.buffers, before, strict=True):
            leaves[Sym(f"{b}_{name}")] = (ids(f"{b}_{name}+", t - 1) if previous else None, v)
        g: Expr = Sym(f"g_{name}")  # the gradient the rule uses, named as in the papers' g_t
        used: Expr = Deriv(loss, name)
        if self.settings.coupled:
            used = Call("add", (used, Call("mul", (DECAY, Sym(name)))))
        made: list[tuple[str, Expr, Expr, float]] = [(ids(f"g_{name}", t), g, used, grads[1])]
        formulas = self.rule.formulas(t, lambda n: state_expr(n, name))
        for q, v in zip((*self.rule.quantities, "w+"), values, strict=True):
            target = state_expr(q + "+" if q in self.rule.buffers else q, name)
            made.append((ids(quantity(target), t), target, formulas[q], v))
        out = []
        for sid, target, formula, value in made:
            leaves[target] = (sid, value)
            out.append(self._step(sid, target, formula, value, t, leaves))
        return out

    def _step(
        self, sid: str, target: Expr, formula: Expr, value: float, t: int, leaves: dict[Expr, Leaf]
    ) -> Step:
        """One Step of the working, its note the optimizer's rule the first time one is shown."""
        used = tuple((leaf, *leaves[leaf]) for leaf in formula_leaves(formula))
        note = ""
        if not self.noted:
            note = describe(self.settings)
            self.ctx.notes.conventions.setdefault(note)
            self.noted = True
        return Step(
            sid,
            "update",
            target,
            formula,
            substitute(formula, lambda e: leaves[e][1] if e in leaves else None, False),
            value,
            depends_on=tuple(dict.fromkeys(i for _, i, _ in used if i)),
            update=t,
            note=note,
            leaves=used,
        )
