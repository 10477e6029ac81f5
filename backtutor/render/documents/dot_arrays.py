"""`graph` on a network the array engine works: one node per array of one update (the given x, t and
parameters it reads, each forward quantity, the loss, each backward quantity), drawn from the steps'
own inputs, so a dense network and a convolutional one are drawn alike. A node shows its id, shape and
norm (and its numbers when it holds at most SHOWN_ENTRIES); solid edges carry the forward pass, dashed
ones the gradient from the loss back (a backward step's backward inputs)."""

from __future__ import annotations

from ...arrays.records import ArraySolution, ArrayStep
from ...engine.notation import shown_number
from ...text import dot as quote

SHOWN_ENTRIES = 9
_BACK = '[style=dashed, color="#4f46e5"]'
_STYLE = {
    "given": 'shape=box, style=filled, fillcolor="#fef3c7"',
    "data": 'shape=ellipse, style=filled, fillcolor="#dbeafe"',
    "forward": 'shape=box, style="rounded"',
    "loss": 'shape=box, style="rounded,filled,bold", fillcolor="#fecaca"',
    "backward": 'shape=box, style="rounded,filled", fillcolor="#e0e7ff"',
}


def render_arrays(sol: ArraySolution, precision: int = 4, update: int | None = None) -> str:
    """DOT text of the arrays of update `update` (the first shown when None)."""
    t = update if update is not None else (sol.steps[0].update if sol.steps else 1)
    steps = [s for s in sol.steps if s.update == t and s.phase != "update"]
    made = {s.id for s in steps}
    loss = next((s.id for s in steps if s.rule == "loss"), None)
    backward = {s.id for s in steps if s.phase == "backward"}
    out = ["digraph backtutor {", "  rankdir=LR;"]
    caption = f"the arrays of update {t}: the forward pass, then the gradient from the loss back (dashed)"
    out.append(f"  label={quote(caption)}; labelloc=t; fontname=Helvetica; fontsize=12;")
    out += ["  node [fontname=Helvetica, fontsize=11];", '  edge [color="#555555", arrowsize=0.7];']
    givens = dict.fromkeys(i for s in steps if s.phase == "forward" for i in s.inputs if i not in made)
    for i in givens:
        kind = "data" if i.partition("@")[0] in ("x", "t") else "given"
        out.append(_node(i, sol.value(i), kind, precision))
    for s in steps:
        kind = "loss" if s.id == loss else s.phase
        out.append(_node(s.id, s.value, kind, precision))
        out += _edges(s, backward, loss)
    return "\n".join([*out, "}"]) + "\n"


def _edges(step: ArrayStep, backward: set[str], loss: str | None) -> list[str]:
    """A forward step's edges from all it reads; a backward one's from the backward steps it reads
    (the first, from the loss)."""
    if step.phase == "forward":
        return [f"  {quote(i)} -> {quote(step.id)};" for i in step.inputs]
    back = [i for i in step.inputs if i in backward]
    sources = back or ([loss] if loss else [])
    return [f"  {quote(i)} -> {quote(step.id)} {_BACK};" for i in sources]


def _node(name: str, value: object, kind: str, precision: int) -> str:
    import numpy as np

    array = np.asarray(value, dtype=float)
    shape = "×".join(map(str, array.shape)) or "scalar"
    if array.size <= SHOWN_ENTRIES:
        rows = array.reshape(-1, array.shape[-1]) if array.ndim > 1 else array.reshape(1, -1)
        numbers = "\n".join("[" + "  ".join(shown_number(float(v), precision) for v in r) + "]" for r in rows)
        label = f"{name}  ({shape})\n{numbers}"
    else:
        label = f"{name}  ({shape})\nnorm {shown_number(float(np.linalg.norm(array)), precision)}"
    return f"  {quote(name)} [{_STYLE[kind]}, label={quote(label)}];"
