"""The updates in the matrix view: W⁽ˡ⁾₊ = W⁽ˡ⁾ − η·∂E/∂W⁽ˡ⁾ and b⁽ˡ⁾₊ likewise (a kernel k₊ of a
convolution too), with the numbers written out (NumPy); ids `W1+`, `b1+`, `k+`, `k(2)+` (with `@t`).
Another optimizer's new matrix is read from the scalar working's `w+` steps and carries the rule as
its note. A frozen entry keeps its value; a weight shared by several entries moves by the sum of their
gradients, as in the scalar working."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ..engine.expr import Updated
from ..engine.notation import format_number
from ..engine.optimizers import describe
from ..solution.records import Solution
from .equations import equation
from .layers import Layer
from .records import MatrixStep, Term

Entries = tuple[tuple[str | None, ...], ...]  # a parameter matrix by name (None: no bias, 0)


@dataclass(frozen=True)
class Parameter:
    """One parameter matrix of the view: its label (W1, k(2)), names, gradient id and LaTeX."""

    label: str
    entries: Entries
    gradient: str  # the id of its gradient step without `[k]` and `@t`: dE/dW1
    latex: tuple[str, str] = ("", "")  # the update's LaTeX; ("", "") to set the text in documents
    vector: bool = False  # written as a column vector (a bias, a flat weight vector)


def layer_parameters(sol: Solution, layers: tuple[Layer, ...]) -> list[Parameter]:
    """Each layer's W and, when it has one, its bias b (a column)."""
    out = []
    for n, layer in enumerate(layers, 1):
        for letter, entries in [("W", layer.weights)] + (
            [("b", (layer.biases,))] if any(layer.biases) else []
        ):
            text, latex = equation(f"{letter}+", n, sol.problem.loss, ("", ""))
            grad = f"d{sol.problem.loss}/d{letter}{n}"
            out.append(Parameter(f"{letter}{n}", entries, grad, (text, latex), letter == "b"))
    return out


def update_steps(
    sol: Solution, parameters: list[Parameter], steps: list[MatrixStep], t: int, at: str
) -> list[MatrixStep]:
    """Each parameter's update in update t, from the gradient steps of the update in `steps` (the
    sum, or the mean, over the examples it works one at a time)."""
    mine = [s for s in steps if s.update == t]
    examples = max(1, len({s.example for s in mine if s.example is not None}))
    scale = 1 / examples if sol.problem.reduction == "mean" else 1.0
    grads: dict[str, float] = defaultdict(float)
    for p in parameters:
        for s in mine:
            if s.id.split("[")[0].split("@")[0] == p.gradient:
                value = s.value.reshape(len(p.entries), -1)
                for row, g_row in zip(p.entries, value, strict=True):
                    for x, g in zip(row, g_row, strict=True):
                        if x is not None:
                            grads[x] += scale * float(g)
    counts = Counter(x for p in parameters for row in p.entries for x in row if x)
    over = (
        f"the {'mean' if scale != 1 else 'sum'} of the {examples} examples' gradients" if examples > 1 else ""
    )
    return [_update(sol, p, grads, t, at, counts, over) for p in parameters]


def _update(
    sol: Solution, p: Parameter, grads: dict[str, float], t: int, at: str, counts: Counter[str], over: str
) -> MatrixStep:
    """One parameter matrix's update (a vector's as a column)."""
    import numpy as np

    training, before = sol.problem.training, sol.parameters_during[t]
    assert training is not None
    old = np.array([[float(before[x]) if x else 0.0 for x in row] for row in p.entries])
    g = np.array([[grads[x] if x in sol.graph.trainable else 0.0 for x in row] for row in p.entries])
    text, latex = p.latex
    text = text or f"{p.label}+ = {p.label} − η·∂{sol.problem.loss}/∂{p.label}"
    terms: tuple[Term, ...] = ()
    if training.optimizer.plain:
        value, note = old - float(training.learning_rate) * g, ""
        terms = (old, "−", f"{format_number(training.learning_rate)}·", g)
    else:  # the rule's numbers, from the scalar working
        new = {s.target.name: s.value for s in sol.steps if s.update == t and isinstance(s.target, Updated)}
        value = np.array([[new.get(x, float(before[x])) if x else 0.0 for x in row] for row in p.entries])
        text, latex = f"{p.label}+ = {p.label} updated entry by entry by the rule below", ""
        note = describe(training.optimizer)
    if p.vector:  # a column vector
        value, terms = value.reshape(-1), tuple(x if isinstance(x, str) else x.reshape(-1) for x in terms)
    over = over and f"∂{sol.problem.loss}/∂{p.label}: {over}"
    note = "; ".join(filter(None, (over, note, _shared_or_frozen(sol, p.entries, counts))))
    return MatrixStep(f"{p.label}+{at}", "update", text, latex, value, t, None, terms, note)


def _shared_or_frozen(sol: Solution, entries: Entries, counts: Counter[str]) -> str:
    """What to know about entries that do not move by their own gradient alone."""
    names = [x for row in entries for x in row if x]
    notes = []
    if any(x not in sol.graph.trainable for x in names):
        notes.append("frozen entries keep their value (gradient taken as 0)")
    if any(counts[x] > 1 for x in names):
        notes.append("a shared parameter moves by the sum of its entries' gradients")
    return "; ".join(notes)
