"""The updates in the matrix view: W⁽ˡ⁾₊ = W⁽ˡ⁾ − η·∂E/∂W⁽ˡ⁾ and b⁽ˡ⁾₊ likewise, with the numbers
written out (NumPy); ids `W1+`, `b1+` (with `@t`). Another optimizer's new matrix is read from the
scalar working's `w+` steps and carries the rule as its note. A frozen entry keeps its value; a weight
shared by several entries moves by the sum of their gradients, as in the scalar working."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from ..engine.expr import Updated
from ..engine.notation import format_number
from ..engine.optimizers import describe
from .layers import Layer
from .matrix_equations import equation
from .records import Solution

if TYPE_CHECKING:
    from .matrix_view import MatrixStep

Entries = tuple[tuple[str | None, ...], ...]  # a parameter matrix by name (None: no bias, 0)


def update_steps(
    sol: Solution, layers: tuple[Layer, ...], steps: list[MatrixStep], t: int, at: str
) -> list[MatrixStep]:
    """`W1+`, `b1+`, … of update t, from the gradient steps of the update in `steps`."""
    grads = _gradients(sol, layers, steps, t)
    names = [(x, n, e) for n, layer in enumerate(layers, 1) for x, e in _entries(layer)]
    counts = Counter(x for _, _, entries in names for row in entries for x in row if x)
    return [_update(sol, letter, n, entries, grads, t, at, counts) for letter, n, entries in names]


def _update(
    sol: Solution,
    letter: str,
    n: int,
    entries: Entries,
    grads: dict[str, float],
    t: int,
    at: str,
    counts: Counter[str],
) -> MatrixStep:
    """One parameter matrix's update (a bias vector's as a column)."""
    import numpy as np

    from .matrix_view import MatrixStep, Term

    training, before = sol.problem.training, sol.parameters_during[t]
    assert training is not None
    p = np.array([[float(before[x]) if x else 0.0 for x in row] for row in entries])
    g = np.array([[grads[x] if x in sol.graph.trainable else 0.0 for x in row] for row in entries])
    text, latex = equation(letter + "+", n, sol.problem.loss, ("", ""))
    terms: tuple[Term, ...] = ()
    if training.optimizer.plain:
        value, note = p - float(training.learning_rate) * g, ""
        terms = (p, "−", f"{format_number(training.learning_rate)}·", g)
    else:  # the rule's numbers, from the scalar working
        new = {s.target.name: s.value for s in sol.steps if s.update == t and isinstance(s.target, Updated)}
        value = np.array([[new.get(x, float(before[x])) if x else 0.0 for x in row] for row in entries])
        text = f"{letter}{n}+ = {letter}{n} updated entry by entry by the rule below"
        latex = rf"{letter}^{{({n})}}_{{+}} \text{{: each entry by the rule below}}"
        note = describe(training.optimizer)
    if letter == "b":  # a column vector
        value, terms = value[0], tuple(x if isinstance(x, str) else x.T for x in terms)
    note = "; ".join(filter(None, (note, _shared_or_frozen(sol, entries, counts))))
    return MatrixStep(f"{letter}{n}+{at}", "update", text, latex, value, t, None, terms, note)


def _entries(layer: Layer) -> list[tuple[str, Entries]]:
    """A layer's parameter matrices by letter: W, and b (a row) when the layer has a bias."""
    return [("W", layer.weights)] + ([("b", (layer.biases,))] if any(layer.biases) else [])


def _shared_or_frozen(sol: Solution, entries: Entries, counts: Counter[str]) -> str:
    """What to know about entries that do not move by their own gradient alone."""
    names = [x for row in entries for x in row if x]
    notes = []
    if any(x not in sol.graph.trainable for x in names):
        notes.append("frozen entries keep their value (gradient taken as 0)")
    if any(counts[x] > 1 for x in names):
        notes.append("a shared parameter moves by the sum of its entries' gradients")
    return "; ".join(notes)


def _gradients(sol: Solution, layers: tuple[Layer, ...], steps: list[MatrixStep], t: int) -> dict[str, float]:
    """Each parameter's gradient in update t: the sum over the entries it stands in."""
    out: dict[str, float] = defaultdict(float)
    loss = sol.problem.loss
    ids = {s.id.split("[")[0].split("@")[0]: s.value for s in steps if s.update == t}
    for n, layer in enumerate(layers, 1):
        for letter, entries in _entries(layer):
            value = ids[f"d{loss}/d{letter}{n}"].reshape(len(entries), -1)
            for row, g_row in zip(entries, value, strict=True):
                for x, g in zip(row, g_row, strict=True):
                    if x is not None:
                        out[x] += float(g)
    return out
