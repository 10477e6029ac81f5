"""One update's working as a script: the steps of the forward pass, the four backprop equations and
the optimizer's update, each as (id, rule, inputs, params, formula, phase), in order. The engine
(run.py) evaluates a script with the rule table; the ids follow the matrix view's (z1, a1, drop1, E,
dE/da2, delta2, dE/dW2, dE/db2, W1+, with the optimizer's quantities as the scalar working names
them: g_W1, v_W1+, m_hat_W1, step_W1) and carry `@t` when the run has several updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.expr import Expr, Sym
from ..engine.formula import text as written
from ..engine.losses import LOSSES
from ..engine.notation import format_number
from ..engine.ops import OPS
from ..engine.optimizers import float_constants
from ..problem.array_records import ArrayLayer, ArrayProblem
from ..problem.penalty import penalty_name
from .records import Phase


@dataclass(frozen=True)
class Line:
    id: str
    rule: str
    inputs: tuple[str, ...]
    params: dict[str, Any]
    formula: str
    phase: Phase


def f_of(f: str, z: str, slope: float) -> str:
    """σ(z1), ReLU(z1), softmax(z2); z1 for the identity."""
    if f == "softmax":
        return f"softmax({z})"
    return OPS[f].text.format(z, p=format_number(slope))


def f_prime(f: str, z: str) -> str:
    """σ′(z1), ReLU′(z1), id′(z1): the local derivative as the working names it."""
    return f"{OPS[f].text.split('(')[0] or 'id'}′({z})"


PREVIOUS = "@prev"  # marks an id of the update before in a script: W1+@prev is W1+@3 in update 4


def shown_id(id: str, t: int, multi: bool, fixed: frozenset[str] = frozenset()) -> str:
    """A script's id as update t's step shows it: z1@t, W1+@(t − 1) for W1+@prev; z1 alone when
    the run has one update, and the `fixed` ids (the given parameters) as they are."""
    if not multi or id in fixed:
        return id
    return id.replace(PREVIOUS, f"@{t - 1}") if id.endswith(PREVIOUS) else f"{id}@{t}"


@dataclass(frozen=True)
class Script:
    """The lines of an update of one problem's run, on a batch of m examples: the first update's
    read the given parameters (W1), every later one's the update before's (W1+@prev, its buffers
    v_W1+@prev). The optimizer's lines take their update number t from the engine."""

    problem: ArrayProblem

    def parameter(self, p: str, first: bool) -> str:
        return p if first else f"{p}+{PREVIOUS}"

    def lines(self, first: bool, m: int) -> list[Line]:
        lines = self._forward(first)
        lines += self._backward(first, m)
        if self.problem.training is not None:
            lines += self._updates(first)
        return lines

    def read_by(self, n: int) -> str:
        """What layer n reads: x, or the layer before's outputs (after its dropout)."""
        if n == 1:
            return "x"
        return f"drop{n - 1}" if self.problem.layers[n - 2].dropout else f"a{n - 1}"

    def _forward(self, first: bool) -> list[Line]:
        pb = self.problem
        lines: list[Line] = []
        for n, layer in enumerate(pb.layers, 1):
            W, read = self.parameter(f"W{n}", first), self.read_by(n)
            inputs = (W, read, self.parameter(f"b{n}", first)) if layer.bias else (W, read)
            bias = f" + b{n}·1ᵀ" if layer.bias else ""
            lines.append(Line(f"z{n}", "linear", inputs, {}, f"z{n} = W{n}·{read}{bias}", "forward"))
            own = _activation(layer)
            a = f_of(layer.activation, f"z{n}", layer.slope)
            lines.append(Line(f"a{n}", "activate", (f"z{n}",), own, f"a{n} = {a}", "forward"))
            if layer.dropout:
                p = format_number(layer.dropout)
                lines.append(
                    Line(
                        f"drop{n}", "dropout", (f"a{n}", f"m{n}"), {"rate": layer.dropout},
                        f"drop{n} = m{n} ⊙ a{n}/(1 − {p})", "forward",
                    )
                )  # fmt: skip
        L, loss = len(pb.layers), pb.loss
        inputs = (f"a{L}", "t")
        if pb.penalty is not None:
            P = penalty_name(loss)
            over = tuple(self.parameter(q, first) for q in pb.penalty.over)
            lines.append(Line(P, "penalty", over, _penalty(pb), f"{P} = {_penalty_text(pb)}", "forward"))
            inputs += (P,)
        mean = pb.reduction == "mean"
        params = {"kind": pb.loss_kind, "reduction": pb.reduction}
        text = f"{loss} = {'mean' if mean else 'sum'} over the batch of each example's {pb.loss_kind}"
        lines.append(Line(loss, "loss", inputs, params, text, "forward"))
        return lines

    def _backward(self, first: bool, m: int) -> list[Line]:
        pb = self.problem
        L, loss = len(pb.layers), pb.loss
        last = pb.layers[-1]
        lines: list[Line] = []
        if last.activation == "softmax" and LOSSES[pb.loss_kind].distribution:
            lines.append(
                Line(f"delta{L}", "softmax_cross_entropy", (f"a{L}", "t"), {},
                     f"delta{L} = a{L} − t (softmax with cross-entropy)", "backward")
            )  # fmt: skip
        else:
            grad = f"d{loss}/da{L}"
            lines.append(
                Line(grad, "loss_gradient", (f"a{L}", "t"), {"kind": pb.loss_kind},
                     f"d{loss}/da{L} = ∇a{L} {loss}, each example's", "backward")
            )  # fmt: skip
            lines.append(
                Line(f"delta{L}", "delta_out", (grad, f"z{L}"), _activation(last),
                     f"delta{L} = d{loss}/da{L} ⊙ {f_prime(last.activation, f'z{L}')}", "backward")
            )  # fmt: skip
        for n in range(L, 0, -1):
            lines += self._gradients(first, m, n)
            if n > 1:
                lines.append(self._delta_below(first, n))
        return lines

    def _gradients(self, first: bool, m: int, n: int) -> list[Line]:
        """dE/dW{n} = scale·delta{n}·a{n−1}ᵀ and dE/db{n} = scale·delta{n}·1, the penalty's added."""
        pb, loss = self.problem, self.problem.loss
        mean = pb.reduction == "mean"
        factor = f"(1/{m})·" if mean and m > 1 else ""
        read = self.read_by(n)
        wanted: list[tuple[str, str, tuple[str, ...], str]] = [
            (f"W{n}", "weight_gradient", (f"delta{n}", read), f"{factor}delta{n}·{read}ᵀ")
        ]
        if pb.layers[n - 1].bias:
            wanted.append((f"b{n}", "bias_gradient", (f"delta{n}",), f"{factor}delta{n}·1"))
        lines: list[Line] = []
        for p, rule, inputs, text in wanted:
            params: dict[str, Any] = {"scale": 1 / m if mean else 1.0}
            if pb.penalty is not None and p in pb.penalty.over:
                inputs += (self.parameter(p, first),)
                params |= _penalty(pb)
                text += f" + d{penalty_name(loss)}/d{p}"
            lines.append(Line(f"d{loss}/d{p}", rule, inputs, params, f"d{loss}/d{p} = {text}", "backward"))
        return lines

    def _delta_below(self, first: bool, n: int) -> Line:
        """delta{n−1} = (W{n}ᵀ·delta{n}) ⊙ f′(z{n−1}), with the dropout mask of layer n − 1's outputs."""
        below = self.problem.layers[n - 2]
        inputs: tuple[str, ...] = (self.parameter(f"W{n}", first), f"delta{n}", f"z{n - 1}")
        params = _activation(below)
        kept = ""
        if below.dropout:
            inputs += (f"m{n - 1}",)
            params |= {"rate": below.dropout}
            kept = f" ⊙ m{n - 1}/(1 − {format_number(below.dropout)})"
        text = f"delta{n - 1} = (W{n}ᵀ·delta{n}){kept} ⊙ {f_prime(below.activation, f'z{n - 1}')}"
        return Line(f"delta{n - 1}", "delta", inputs, params, text, "backward")

    def _updates(self, first: bool) -> list[Line]:
        pb = self.problem
        assert pb.training is not None
        s = pb.training.optimizer
        entry = s.optimizer
        constants = float_constants(s, pb.training.learning_rate)
        lines: list[Line] = []
        for p in pb.parameters:
            w, g = self.parameter(p, first), f"d{pb.loss}/d{p}"
            if s.coupled:
                text = f"g_{p} = d{pb.loss}/d{p} + λ·{p}"
                lines.append(
                    Line(
                        f"g_{p}",
                        "decayed",
                        (g, w),
                        {"weight_decay": constants["weight_decay"]},
                        text,
                        "update",
                    )
                )
                g = f"g_{p}"
            before = () if first else tuple(f"{b}_{p}+{PREVIOUS}" for b in entry.buffers)
            settings = {"kind": s.kind, "form": s.form, **constants}
            names = [f"{q}_{p}+" if q in entry.buffers else f"{q}_{p}" for q in entry.quantities] + [f"{p}+"]
            for index, name in enumerate(names):
                text = f"{name} by {entry.title}"  # the shown step's formula: optimizer_formula
                lines.append(
                    Line(name, "optimize", (w, g, *before), {**settings, "index": index}, text, "update")
                )
        return lines


def optimizer_formula(problem: ArrayProblem, line: Line, t: int) -> str:
    """An optimizer step's formula in update t, from the optimizer table's own formulas, in the
    parameter's names: v_W1+ = α·v_W1 + (1 − α)·g_W1², m_hat_W1 = m_W1+/(1 − β1³), W1+ = W1 − step_W1."""
    assert problem.training is not None
    entry = problem.training.optimizer.optimizer
    w, g = (i.split("@")[0].removesuffix("+") for i in line.inputs[:2])
    index = int(line.params["index"])
    quantities = (*entry.quantities, "w+")

    def name(n: str) -> Expr:
        if n in ("w", "g"):
            return Sym(w if n == "w" else g)
        if n.endswith("+") and n[:-1] in entry.buffers:
            return Sym(f"{n[:-1]}_{w}+")
        return Sym(f"{n}_{w}") if n in entry.quantities else Sym(n)

    formula = entry.formulas(t, name)[quantities[index]]
    return f"{line.id.split('@')[0]} = {written(formula)}"


def _activation(layer: ArrayLayer) -> dict[str, Any]:
    return (
        {"f": layer.activation, "slope": layer.slope}
        if OPS[layer.activation].param
        else {"f": layer.activation}
    )


def _penalty(pb: ArrayProblem) -> dict[str, Any]:
    assert pb.penalty is not None
    return {"l2": pb.penalty.l2, "l1": pb.penalty.l1, "half": pb.penalty.half}


def _penalty_text(pb: ArrayProblem) -> str:
    assert pb.penalty is not None
    p, over = pb.penalty, ", ".join(pb.penalty.over)
    if p.l1:
        return f"{format_number(p.l1)}·Σ|w| over {over}"
    return f"{'½·' if p.half else ''}{format_number(p.l2)}·Σw² over {over}"
