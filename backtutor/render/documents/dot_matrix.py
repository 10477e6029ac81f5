"""`graph --view matrix`: the network drawn with one node per layer quantity instead of one per
number: the inputs x (X for a batch, one column per example), each layer's W, b, z and a, the targets
and the loss, and each layer's δ of the backward pass (dashed edges: loss → δᴸ → … → δ¹, and δˡ → Wˡ,
whose gradient it gives). Each node shows its shape and, when small, its numbers from the matrix view
(solution/matrix_view.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.expr import Num
from ...engine.formula import text
from ...errors import InputError
from ...matrix.layers import Layer, network_layers
from ...matrix.stages import base, network_stages, shaped
from ...solution import Solution

if TYPE_CHECKING:
    from ...matrix.records import Array

SHOWN_ENTRIES = 9  # a quantity with at most this many numbers shows them; a larger one its shape
_BACK = '[style=dashed, color="#4f46e5", constraint=false]'
_STYLE = {
    "input": 'shape=ellipse, style=filled, fillcolor="#dbeafe"',
    "target": 'shape=ellipse, style="filled,dashed", fillcolor="#f1f5f9"',
    "param": 'shape=box, style=filled, fillcolor="#fef3c7"',
    "value": 'shape=box, style="rounded"',
    "delta": 'shape=box, style="rounded,filled", fillcolor="#e0e7ff"',
    "loss": 'shape=box, style="rounded,filled,bold", fillcolor="#fecaca"',
}


def render_matrix(sol: Solution, precision: int = 4, update: int | None = None) -> str:
    """DOT text of the layer graph with the numbers of a worked update (its first example, or its
    batch as matrices with one column per example)."""
    from ...text import dot as quote

    layers = network_layers(sol.problem)
    t = update if update is not None else (sol.worked[0].update if sol.worked else 1)
    if layers is None:
        return render_stages(sol, precision, t)
    values = _values(sol, layers, t)
    batch = "X" in values
    x, z, a, d, target = ("X", "Z", "A", "Delta", "T") if batch else ("x", "z", "a", "delta", "t")
    loss = sol.problem.loss

    def node(name: str, kind: str) -> str:
        label = quote(_label(name, values.get(name), precision))
        return f"  {quote(name)} [{_STYLE[kind]}, label={label}];"

    out = ["digraph backtutor {", "  rankdir=LR;"]
    out.append(f"  label={quote(_caption(sol, t, batch))}; labelloc=t; fontname=Helvetica; fontsize=12;")
    out += ["  node [fontname=Helvetica, fontsize=11];", '  edge [color="#555555", arrowsize=0.7];']
    out += [node(x, "input"), node(target, "target"), node(loss, "loss")]
    previous = x
    for n, layer in enumerate(layers, 1):
        W, b, zn, an, dn = f"W{n}", f"b{n}", f"{z}{n}", f"{a}{n}", f"{d}{n}"
        inputs = [previous, W] + ([b] if any(v is not None for v in layer.biases) else [])
        out += [node(p, "param") for p in inputs[1:]]
        out += [node(zn, "value"), node(an, "value"), node(dn, "delta")]
        out += [f"  {quote(i)} -> {quote(zn)};" for i in inputs] + [f"  {quote(zn)} -> {quote(an)};"]
        out.append(f"  {{ rank=same; {quote(zn)}; {quote(dn)}; }}")  # δ = ∂E/∂z, under its z
        out.append(f"  {quote(dn)} -> {quote(W)} {_BACK};")
        if n > 1:
            out.append(f"  {quote(dn)} -> {quote(f'{d}{n - 1}')} {_BACK};")
        previous = an
        if layer.rate is not None:  # dropout: the next layer reads mask ⊙ a/(1 − p)
            mask, previous = f"{'M' if batch else 'm'}{n}", f"{'Drop' if batch else 'drop'}{n}"
            out += [node(mask, "input"), node(previous, "value")]
            out += [f"  {quote(an)} -> {quote(previous)};", f"  {quote(mask)} -> {quote(previous)};"]
    out += [f"  {quote(previous)} -> {quote(loss)};", f"  {quote(target)} -> {quote(loss)};"]
    out += [f"  {quote(loss)} -> {quote(f'{d}{len(layers)}')} {_BACK};", "}"]
    return "\n".join(out) + "\n"


def render_stages(sol: Solution, precision: int, t: int) -> str:
    """A convolutional network with one node per map quantity: the image, each stage's output (all
    its maps), its kernel or weights and bias, and ∂L/∂(each output), for update t's first example."""
    import numpy as np

    from ...text import dot as quote

    stages = network_stages(sol.problem)
    if stages is None:
        raise InputError(
            "graph --view matrix needs a network of layers (`network`, units or W and b; or conv layers)"
        )
    w, L = next(w for w in sol.worked if w.update == t), sol.problem.loss

    def node(key: str, names: tuple[str, ...], kind: str, table: dict[str, float] | None = None) -> str:
        values = np.array([float((table or w.values)[n]) for n in names])
        label = _maps_label(key, shaped(names, values), precision)
        style = _STYLE["loss" if names == (L,) and kind == "value" else kind]
        return f"  {quote(key)} [{style}, label={quote(label)}];"

    x = base(sol.problem.inputs)
    out = [
        "digraph backtutor {",
        "  rankdir=LR;",
        f"  label={quote(_caption(sol, t, False))}; labelloc=t; fontname=Helvetica; fontsize=12;",
    ]
    out += ["  node [fontname=Helvetica, fontsize=11];", '  edge [color="#555555", arrowsize=0.7];']
    out.append(node(x, sol.problem.inputs, "input"))
    previous, upstream = x, ""  # upstream: the δ of the stage before, which each δ flows into
    for stage in stages:
        o, d = base(stage.outs), f"∂{L}/∂{base(stage.outs)}"
        out += [node(o, stage.outs, "value"), node(d, stage.outs, "delta", w.gradients)]
        out += [f"  {quote(previous)} -> {quote(o)};", f"  {{ rank=same; {quote(o)}; {quote(d)}; }}"]
        for params in (stage.weights, tuple(dict.fromkeys(b for b in stage.biases if b))):
            if stage.kind == "linear" and params:
                out += [node(base(params), params, "param"), f"  {quote(base(params))} -> {quote(o)};"]
                out.append(f"  {quote(d)} -> {quote(base(params))} {_BACK};")
        if upstream:
            out.append(f"  {quote(d)} -> {quote(upstream)} {_BACK};")
        previous, upstream = o, d
    if L not in stages[-1].outs:
        targets = sol.problem.targets
        out += [node("t", targets, "target"), node(L, (L,), "loss"), f"  {quote('t')} -> {quote(L)};"]
        out += [f"  {quote(previous)} -> {quote(L)};", f"  {quote(L)} -> {quote(upstream)} {_BACK};"]
    return "\n".join([*out, "}"]) + "\n"


def _maps_label(name: str, maps: list[tuple[str, Array]], precision: int) -> str:
    """A quantity of several maps: its name and their count and shape; of one: as _label."""
    if len(maps) == 1:
        return _label(name, maps[0][1], precision)
    h, w = maps[0][1].shape
    return f"{name}  ({len(maps)} maps {h}×{w})"


def _values(sol: Solution, layers: tuple[Layer, ...], t: int) -> dict[str, Array]:
    """The quantities of update t by name: the matrix view's (the first example's, or the batch's),
    the parameters during the update, and one example's x and t."""
    import numpy as np

    from ...matrix.view import matrix_view

    out: dict[str, Array] = {}
    for s in matrix_view(sol):
        if s.update == t:
            out.setdefault(s.id.split("[")[0].split("@")[0], s.value)
    first = next(w for w in sol.worked if w.update == t)

    def named(rows: tuple[tuple[str | None, ...], ...]) -> Array:
        return np.array([[float(first.values[v]) if v else 0.0 for v in row] for row in rows])

    for n, layer in enumerate(layers, 1):
        out[f"W{n}"], out[f"b{n}"] = named(layer.weights), named((layer.biases,))[0]
        if layer.masks and "X" in out:  # a batch's masks, one column per example
            masks = [[float(w.values[m]) for m in layer.masks] for w in sol.worked if w.update == t]
            out[f"M{n}"] = np.array(masks).T
        elif layer.masks:  # the first example's
            out[f"m{n}"] = named((layer.masks,))[0]
    outs = sol.problem.layers[-1][1::2]
    out.setdefault("x", named((layers[0].inputs,))[0])
    out.setdefault("t", named((tuple(sol.problem.targets[outs.index(o)] for o in layers[-1].outs),))[0])
    losses = [float(w.values[sol.problem.loss]) for w in sol.worked if w.update == t]
    total = sum(losses) / (len(losses) if sol.problem.reduction == "mean" else 1)
    out[sol.problem.loss] = np.array([total if "X" in out else losses[0]])
    return out


def _label(name: str, value: Array | None, precision: int) -> str:
    """The name, the shape, and the numbers (rows on lines) when there are few."""
    if value is None:
        return name
    if value.shape == (1,):  # the loss
        return f"{name} = {text(Num(float(value[0])), precision)}"
    shape = "×".join(str(s) for s in (value.shape if value.ndim == 2 else (*value.shape, 1)))
    lines = [f"{name}  ({shape})"]
    if value.size <= SHOWN_ENTRIES:
        rows = value.reshape(value.shape[0], -1) if value.ndim == 2 else value.reshape(-1, 1)
        lines += ["[" + "  ".join(text(Num(float(v)), precision) for v in row) + "]" for row in rows]
    return "\n".join(lines)


def _caption(sol: Solution, t: int, batch: bool) -> str:
    where = [f"update {t}"] if sol.updates > 1 else []
    where.append("the batch, one column per example" if batch else "")
    inside = ", ".join(w for w in where if w)
    return "layers as matrices: values of the forward pass, δ of the backward pass" + (
        f" ({inside})" if inside else ""
    )
